"""Numbers, goals and titles as a reader in their language reads them."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

from undersign.statements.models import Revision, Statement
from undersign.statements.texts import Title, revision_title, title_in

register = template.Library()


@register.filter
def grouped(value: int | None) -> str:
    """1000 as "1,000", "1 000" or "1.000", by the reader's language.

    Only where people read a number: the global USE_THOUSAND_SEPARATOR would also group
    numbers in attributes and form values that programs read.
    """
    if value is None or value == "":
        return ""
    return number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def goal_bar(count: int, goal: int | None) -> int:
    """The bar's value: the count, but at least a visible sliver (2 %) once anyone signed.

    The exact figures stand beside the bar in words ("2 of 1,000").
    """
    if not goal:
        return 0
    if count <= 0:
        return 0
    return min(goal, max(count, -(-goal // 50)))


@register.filter
def local_title(obj: Statement | Revision) -> Title:
    """The title in the reader's language: a statement's current one, or a revision's."""
    if isinstance(obj, Revision):
        return revision_title(obj, get_language())
    return title_in(obj, get_language())
