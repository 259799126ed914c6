"""The event window of a statement: an organiser opens it for in-room signing, shows its
room code (or the link that carries it) in the room, and closes it."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from undersign.statements import events
from undersign.statements.access import statement_for
from undersign.statements.services import StatementError
from undersign.workspace.pages import workspace_view


class EventForm(forms.Form):
    hours = forms.IntegerField(
        label=gettext_lazy("For how many hours"),
        min_value=1,
        max_value=settings.EVENT_MAX_HOURS,
        initial=4,
        help_text=gettext_lazy("The window closes by itself at the end."),
    )


@workspace_view
def event(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "publish")
    posted = request.method == "POST"
    form = EventForm(request.POST if posted and "open" in request.POST else None)
    if posted and "close" in request.POST:
        events.close_event(statement, actor=request.user)
        messages.success(request, _("The event window is closed."))
        return redirect("workspace:event", slug=statement.slug)
    if form.is_bound and form.is_valid():
        try:
            events.open_event(statement, hours=form.cleaned_data["hours"], actor=request.user)
        except StatementError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The event window is open."))
            return redirect("workspace:event", slug=statement.slug)
    room_url = ""
    if statement.event_is_open:
        path = f"{statement.get_absolute_url()}?room={statement.event_code}"
        room_url = request.build_absolute_uri(path)
    context = {"statement": statement, "form": form, "room_url": room_url}
    return render(request, "workspace/event.html", context, status=400 if form.errors else 200)
