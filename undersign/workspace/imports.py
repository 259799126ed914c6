"""Importing signatures from a Google Form's sheet or a paper list (issue 12, item 3).

Those who may see contacts upload the file, check the preview (each column's meaning, each
row's problems), and import; everything else is `signatures.imports`.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from undersign.signatures import imports
from undersign.signatures.imports import columns, files
from undersign.signatures.models import SignatureImport
from undersign.statements.access import statement_for
from undersign.statements.models import Statement
from undersign.workspace.pages import workspace_view

PERM = "contacts"  # the rows hold people's addresses
SHOWN_GOOD = 20  # rows without a problem shown in the preview


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy(
            "A Google Form's responses as downloaded (CSV) or as a spreadsheet (XLSX), or a "
            "list typed from paper: one row per signer under a row of column names."
        ),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Where the signatures come from"),
        choices=SignatureImport.Kind.choices,
        initial=SignatureImport.Kind.FORM,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the mails, for rows that say none"),
        choices=settings.LANGUAGES,
    )


def _upload_of(statement: Statement, import_id: int) -> SignatureImport:
    upload = SignatureImport.objects.filter(statement=statement, pk=import_id).first()
    if upload is None:
        raise Http404
    upload.statement = statement
    return upload


@workspace_view
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, PERM)
    language = statement.language if statement.language in columns.LANGUAGES else "en"
    form = UploadForm(initial={"language": language})
    error = ""
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            sent = form.cleaned_data["file"]
            if sent.size > files.limit("MAX_BYTES"):
                error = _("The file is larger than %(mb)s MB. Split it into smaller files.") % {
                    "mb": round(files.limit("MAX_BYTES") / 1024 / 1024, 1)
                }
            else:
                content = sent.read()
                try:
                    made = imports.upload_sheet(
                        statement,
                        content,
                        kind=form.cleaned_data["kind"],
                        language=form.cleaned_data["language"],
                        actor=request.user,
                    )
                except (imports.SheetError, imports.ImportError_) as problem:
                    error = problem.message
                else:
                    return redirect(
                        "workspace:import_preview", slug=statement.slug, import_id=made.pk
                    )
    context = {
        "statement": statement,
        "form": form,
        "error": error,
        "imports": [(u, imports.confirmed_share(u)) for u in imports.imports_of(statement)][:20],
        "max_mb": round(files.limit("MAX_BYTES") / 1024 / 1024, 1),
        "max_rows": files.limit("MAX_ROWS"),
    }
    status = 400 if (form.errors or error) else 200
    return render(request, "workspace/import.html", context, status=status)


def _mapping_from(post: Any, count: int) -> list[str]:
    return [str(post.get(f"col_{i}", "")) for i in range(count)]


@workspace_view
def preview(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    statement = statement_for(request.user, slug, PERM)
    upload = _upload_of(statement, import_id)
    error = ""
    if request.method == "POST" and upload.is_open:
        action = request.POST.get("action", "")
        try:
            if action == "discard":
                imports.discard_import(upload, actor=request.user)
                messages.success(request, _("The upload was discarded; nothing was imported."))
                return redirect("workspace:import", slug=statement.slug)
            if action == "map":
                imports.change_mapping(upload, _mapping_from(request.POST, len(upload.columns)))
                return redirect(request.path)
            if action in ("import", "resume"):
                imports.queue_import(upload, actor=request.user)
                messages.success(
                    request, _("The import has started: this page shows how far it has got.")
                )
                return redirect(request.path)
        except imports.ImportError_ as problem:
            error = problem.message
    context: dict[str, Any] = {"statement": statement, "upload": upload, "error": error}
    if upload.is_open and upload.queued_at is not None:
        # Handed to the worker: its progress, saved with each chunk of rows.
        counts = {"mailed": 0, "already": 0, "paper": 0, "skipped": 0, **upload.counts}
        context.update(
            running=upload.is_running,
            # The reloading is a time limit for someone reading slowly or with a screen
            # reader (WCAG 2.2.1): they may turn it off.
            still=request.GET.get("still") == "1",
            failed=upload.has_failed,
            started=bool(upload.counts) or upload.done > 0,
            counts=counts,
            handled=upload.done + counts["skipped"],
            reason=imports.blocker(upload) if upload.has_failed else "",
        )
    elif upload.is_open:
        try:
            checked = imports.preview(upload)
        except imports.ImportError_ as problem:
            raise Http404 from problem
        targets = columns.targets(statement)
        context.update(
            checked=checked,
            bad=checked.bad,
            good=checked.good[:SHOWN_GOOD],
            good_count=len(checked.good),
            mailed=sum(1 for r in checked.good if not r.is_paper),
            paper=sum(1 for r in checked.good if r.is_paper),
            mapped=[
                (i, title, checked.mapping[i] if i < len(checked.mapping) else "")
                for i, title in enumerate(upload.columns)
            ],
            targets=targets,
        )
    else:
        context["confirmed"] = imports.confirmed_share(upload)
    status = 400 if error else 200
    return render(request, "workspace/import_preview.html", context, status=status)
