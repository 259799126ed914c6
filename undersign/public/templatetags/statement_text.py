"""Statement text on pages: Markdown rendered by markdown-it-py, then cleaned by nh3.

Texts are written or imported as Markdown (emphasis, links, lists inside a clause), so pages
render it; whatever raw HTML a text carries passes nh3's allow-list and nothing else does.
"""

import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

register = template.Library()

# "breaks": a single newline stays a line break, as in the plain texts written before Markdown.
_md = MarkdownIt("commonmark", {"breaks": True, "html": True})
_TAGS = {
    "p", "br", "em", "strong", "b", "i", "u", "s", "a", "ul", "ol", "li", "blockquote",
    "code", "pre", "h2", "h3", "h4", "hr", "sub", "sup",
}  # fmt: skip


def render_markdown(text: str) -> str:
    return nh3.clean(_md.render(text or ""), tags=_TAGS, link_rel="noopener noreferrer nofollow")


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # noqa: S308 (cleaned by nh3 just above)
