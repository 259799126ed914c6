"""The projector: an assembly's live results for the big screen in the hall, at
/a/<slug>/screen?key=<projector key>. It refreshes itself every ten seconds with a meta tag
(no script), shows tallies and the clauses that unite and divide, and never a name.

The key (results.projector_key) is shown to organisers on the results page; without it, or
with a wrong one, the page does not exist. Included in public/urls.py with one line.
"""

from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache

from undersign.assemblies import results
from undersign.assemblies.models import Assembly

# How many clauses each list shows: the screen must be read from the back of the hall.
SCREEN_CLAUSES = 5
REFRESH_SECONDS = 10


@never_cache
def screen(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = Assembly.objects.filter(slug=slug).first()
    if assembly is None or not results.is_projector_key(assembly, request.GET.get("key")):
        raise Http404
    data = results.assembly_results(assembly)
    view = results.consensus_view(data)
    context = {
        "assembly": assembly,
        "results": data,
        "texts": data["texts"],
        "unite": view["unite"][:SCREEN_CLAUSES],
        "divide": view["divide"][:SCREEN_CLAUSES],
        "groups": data["groups"] if len(data["groups"]) > 1 else [],
        "refresh": REFRESH_SECONDS,
        "computed": datetime.fromisoformat(data["computed_at"]),
    }
    response = render(request, "public/results/screen.html", context)
    # The address holds the key: keep the page out of search engines and shared caches.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


urlpatterns = [
    path("a/<slug:slug>/screen", screen, name="assembly_screen"),
]
