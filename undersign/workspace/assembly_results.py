"""The organisers' results of an assembly: tallies per text and clause (online, paper, both),
the consensus map, and the exports (CSV, PDF). Any role in the assembly's team may read them.

Included in workspace/urls.py with one line; each URL is declared in tests/test_roles.py.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from undersign.assemblies import results as results_data
from undersign.assemblies.access import assembly_for
from undersign.assemblies.charts import text_chart
from undersign.assemblies.models import Assembly
from undersign.workspace.pages import workspace_view


def _part(request: HttpRequest) -> str:
    part = request.GET.get("show", "both")
    return part if part in results_data.PARTS else "both"


def _parts(part: str) -> list[tuple[str, str, bool]]:
    names = {"both": _("Online and paper"), "online": _("Online"), "paper": _("Paper")}
    return [(p, names[p], p == part) for p in results_data.PARTS]


def _common(request: HttpRequest, assembly: Assembly, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "assembly": assembly,
        "results": data,
        "computed": datetime.fromisoformat(data["computed_at"]),
        "screen_url": request.build_absolute_uri(
            reverse("room:screen", kwargs={"slug": assembly.slug})
            + "?key="
            + results_data.projector_key(assembly)
        ),
    }


@workspace_view
@require_safe
def results(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    assembly = assembly_for(request.user, assembly_slug, "view")
    part = _part(request)
    data = results_data.counted(results_data.assembly_results(assembly), part)
    marks = results_data.marks(data)
    texts = [
        {
            **text,
            "chart": text_chart(text),
            "rows": [{**c, "mark": marks.get(c["id"], "")} for c in text["clauses"]],
        }
        for text in data["texts"]
    ]
    context = {
        **_common(request, assembly, data),
        "texts": texts,
        "part": part,
        "parts": _parts(part),
    }
    return render(request, "workspace/results/results.html", context)


@workspace_view
@require_safe
def consensus_map(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    assembly = assembly_for(request.user, assembly_slug, "view")
    data = results_data.assembly_results(assembly)
    context = {**_common(request, assembly, data), **results_data.consensus_view(data)}
    return render(request, "workspace/results/map.html", context)


@workspace_view
@require_safe
def export_csv(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    assembly = assembly_for(request.user, assembly_slug, "view")
    results_data.record_export(assembly, actor=request.user, format="csv")
    response = StreamingHttpResponse(
        results_data.results_csv(assembly), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{assembly.slug}-results.csv"'
    return response  # type: ignore[return-value]  # streamed; the decorator only sets headers


@workspace_view
@require_safe
def export_pdf(request: HttpRequest, assembly_slug: str) -> HttpResponse:
    from undersign.assemblies.results_pdf import PdfUnavailable, results_pdf

    assembly = assembly_for(request.user, assembly_slug, "view")
    try:
        pdf = results_pdf(assembly)
    except PdfUnavailable:
        context = {"assembly": assembly}
        return render(request, "workspace/results/no_pdf.html", context, status=503)
    results_data.record_export(assembly, actor=request.user, format="pdf")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{assembly.slug}-results.pdf"'
    return response


urlpatterns = [
    path("assemblies/<slug:assembly_slug>/results", results, name="assembly_results"),
    path("assemblies/<slug:assembly_slug>/map", consensus_map, name="assembly_map"),
    path("assemblies/<slug:assembly_slug>/results.csv", export_csv, name="assembly_results_csv"),
    path("assemblies/<slug:assembly_slug>/results.pdf", export_pdf, name="assembly_results_pdf"),
]
