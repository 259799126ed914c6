"""Results in the room: the projector's page for the big screen, and the participants'
results once voting has closed. Aggregates only: counts, shares, group sizes, clauses.

The projector lives at /a/<slug>/screen?key=<projector key> (results.projector_key, shown
to organisers on their results page); without the key, or with a wrong one, it does not
exist. It refreshes itself every ten seconds with a meta tag, no script. Participants see
the results at /a/<slug>/results once voting has closed; while it is open they are told to
wait, so a live tally does not sway the marks still to come (the room's projector is the
organisers' choice). Included in room/urls.py with one line.
"""

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache

from undersign.assemblies import results
from undersign.assemblies.charts import text_chart
from undersign.assemblies.models import Assembly
from undersign.room.views import room_view

# How many clauses each list on the screen shows: it is read from the back of the hall.
SCREEN_CLAUSES = 5
REFRESH_SECONDS = 10


def _context(assembly: Assembly) -> dict[str, Any]:
    data = results.assembly_results(assembly)
    return {
        "assembly": assembly,
        "results": data,
        "computed": datetime.fromisoformat(data["computed_at"]),
        **results.consensus_view(data),
    }


@never_cache
def screen(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = Assembly.objects.filter(slug=slug).first()
    if assembly is None or not results.is_projector_key(assembly, request.GET.get("key")):
        raise Http404
    context = _context(assembly)
    context["unite"] = context["unite"][:SCREEN_CLAUSES]
    context["divide"] = context["divide"][:SCREEN_CLAUSES]
    # ?still=1: the same page without the refresh, for a pause in the debate.
    still = request.GET.get("still") == "1"
    context["refresh"] = None if still else REFRESH_SECONDS
    context["key"] = request.GET["key"]
    response = render(request, "room/results/screen.html", context)
    # The address holds the key: out of search engines, and sent to no other site.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@room_view
def participant_results(request: HttpRequest, assembly: Assembly, code: str) -> HttpResponse:
    if assembly.status != Assembly.Status.CLOSED:
        return render(request, "room/results/wait.html", {"assembly": assembly})
    context = _context(assembly)
    context["texts"] = [{**text, "chart": text_chart(text)} for text in context["results"]["texts"]]
    return render(request, "room/results/results.html", context)


urlpatterns = [
    path("<slug:slug>/screen", screen, name="screen"),
    path("<slug:slug>/results", participant_results, name="results"),
]
