"""An Atom feed of the published statements."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from undersign.statements.markdown import to_html as render_markdown
from undersign.statements.models import Statement
from undersign.statements.services import public_statements
from undersign.statements.texts import text_in, title_in


class StatementsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Statements")
    subtitle = _("Open letters and resolutions published here")
    link = "/"

    def items(self):
        # The published text is the current revision's, not the organisers' working copy.
        return public_statements().defer(None)[:50]

    def item_title(self, item: Statement) -> str:
        return title_in(item, None)

    def item_description(self, item: Statement) -> str:
        text = text_in(item, None)
        return render_markdown(text.preamble) + "".join(
            f"<p>{c.number}. </p>{render_markdown(c.text)}" for c in text.clauses
        )

    def item_pubdate(self, item: Statement):
        return item.published_at

    def item_updateddate(self, item: Statement):
        return item.current_revision.created_at if item.current_revision else item.published_at

    def item_author_name(self, item: Statement) -> str:
        return text_in(item, None).authors
