"""An Atom feed of the published statements."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from undersign.statements.markdown import to_html as render_markdown
from undersign.statements.models import Statement
from undersign.statements.services import public_statements


class StatementsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Statements")
    subtitle = _("Open letters and resolutions published here")
    link = "/"

    def items(self):
        return public_statements().prefetch_related("clauses")[:50]

    def item_title(self, item: Statement) -> str:
        return item.title

    def item_description(self, item: Statement) -> str:
        return render_markdown(item.preamble) + "".join(
            f"<p>{c.number}. </p>{render_markdown(c.text)}" for c in item.clauses.all()
        )

    def item_pubdate(self, item: Statement):
        return item.published_at

    def item_updateddate(self, item: Statement):
        return item.current_revision.created_at if item.current_revision else item.published_at

    def item_author_name(self, item: Statement) -> str:
        return item.authors
