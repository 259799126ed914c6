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
from undersign.statements.texts import StatementText, text_in, text_of_revision


def _text(item: Statement) -> StatementText:
    # The published wording (the current revision), as the statement page shows it.
    if item.current_revision is not None:
        return text_of_revision(item.current_revision, get_language())
    return text_in(item, get_language())


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
        # The revision's text is read here for every item, so it is not deferred.
        return public_statements().defer(None).select_related("current_revision")[:50]

    def item_title(self, item: Statement) -> str:
        return _text(item).title

    def item_description(self, item: Statement) -> str:
        text = _text(item)
        return render_markdown(text.preamble) + "".join(
            f"<p>{c.number}. </p>{render_markdown(c.text)}" for c in text.clauses
        )

    def item_pubdate(self, item: Statement):
        return item.published_at

    def item_updateddate(self, item: Statement):
        return item.current_revision.created_at if item.current_revision else item.published_at

    def item_author_name(self, item: Statement) -> str:
        return item.authors or _publisher()
