"""An Atom feed of the published statements, in the reader's language (`?lang=` or the
interface language) wherever a translation exists."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from undersign.statements.markdown import to_html as render_markdown
from undersign.statements.models import Statement
from undersign.statements.services import public_statements
from undersign.statements.texts import text_in


def _publisher() -> str:
    # Atom wants an author for every entry; a letter without named authors is the site's.
    return settings.PUBLISHER_NAME or "undersign"


class StatementsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Statements")
    subtitle = _("Open letters and resolutions published here")
    link = "/"

    def author_name(self) -> str:
        return _publisher()

    def items(self):
        # The published wording is the current revision's (text_in reads it), not the
        # organisers' working copy; it is read for every item, so nothing is deferred.
        return public_statements().defer(None)[:50]

    def item_title(self, item: Statement) -> str:
        return text_in(item, get_language()).title

    def item_description(self, item: Statement) -> str:
        text = text_in(item, get_language())
        return render_markdown(text.preamble) + "".join(
            f"<p>{c.number}. </p>{render_markdown(c.text)}" for c in text.clauses
        )

    def item_pubdate(self, item: Statement):
        return item.published_at

    def item_updateddate(self, item: Statement):
        return item.current_revision.created_at if item.current_revision else item.published_at

    def item_author_name(self, item: Statement) -> str:
        return text_in(item, get_language()).authors or _publisher()
