"""The room's result on a statement's public page: for each assembly whose campaign step
published this statement, how many supported it and which of its clauses united the room.

Statements know nothing of assemblies; this face asks the assemblies (AssemblyText is the
link) and their results (results.text_summary, cached there for a few seconds).
"""

from typing import Any

from django import template

from undersign.assemblies.models import AssemblyText
from undersign.statements.models import Statement

register = template.Library()


def summaries_of(statement: Statement) -> list[dict[str, Any]]:
    texts = AssemblyText.objects.filter(
        statement=statement, campaign_started_at__isnull=False
    ).select_related("assembly")
    found = list(texts.order_by("campaign_started_at"))
    if not found:
        return []
    # Only now: the results bring numpy and scikit-learn, which most pages never need.
    from undersign.assemblies.results import text_summary

    return [text_summary(text.assembly, text) for text in found]


@register.inclusion_tag("public/_assembly_summary.html")
def assembly_summary(statement: Statement) -> dict[str, Any]:
    return {"summaries": summaries_of(statement)}
