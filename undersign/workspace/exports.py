"""Downloads of a statement's signers, streamed through the same exporters as the CLI."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from undersign.signatures.contacts import ContactsErased
from undersign.signatures.exporters import EXPORTERS, ExportError
from undersign.statements.access import statement_for
from undersign.statements.texts import language_code
from undersign.workspace.pages import workspace_view
from undersign.workspace.signers import SignerFilterForm, is_filter


def _back(request: HttpRequest, slug: str) -> str:
    """The list with the filter the download was asked from."""
    url = reverse("workspace:signers", args=[slug])
    query = urlencode([(k, str(v)) for k, v in request.POST.items() if is_filter(k) and v])
    return f"{url}?{query}" if query else url


@workspace_view
@require_POST
def export(request: HttpRequest, slug: str) -> HttpResponse:
    # Nobody outside the team learns anything here.
    viewed = statement_for(request.user, slug, "view")
    cls = EXPORTERS.get(request.POST.get("format", ""))
    with_contacts = request.POST.get("contacts") == "on"
    form = SignerFilterForm(request.POST, statement=viewed)
    back = _back(request, slug)
    if cls is None or not form.is_valid():
        messages.error(request, _("Choose a format and a valid filter."))
        return redirect(back)
    statement = statement_for(request.user, slug, cls.permission_for(with_contacts))
    if with_contacts and not cls.can_hold_contacts:
        messages.error(request, _("The handover PDF never holds contacts: choose another format."))
        return redirect(back)
    exporter = cls(
        statement,
        where=form.signer_filter(),
        contacts=with_contacts,
        language=language_code(request.POST.get("lang")),
        actor=request.user,
    )
    try:
        chunks = exporter.export()
    except ContactsErased:
        messages.error(
            request, _("The contacts of this statement were erased on its deletion date.")
        )
        return redirect(back)
    except ExportError as error:
        messages.error(
            request, _("This export cannot be made here: %(reason)s") % {"reason": error}
        )
        return redirect(back)
    response = StreamingHttpResponse(chunks, content_type=cls.content_type)
    response["Content-Disposition"] = content_disposition_header(True, exporter.filename())
    # workspace_view takes any response; its annotation names the common one.
    return response  # type: ignore[return-value]
