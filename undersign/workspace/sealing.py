"""Sealing that organisers run: choose or paste the team's public key for a statement, see
how many of its contacts are sealed. The private key never comes here."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from undersign.organisers.models import SealingKey
from undersign.signatures import contacts, sealing
from undersign.statements.access import statement_for
from undersign.workspace.pages import workspace_view

MAX_KEY_FILE = 4096


class AddKeyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the key"), max_length=100)
    public_key = forms.CharField(
        label=gettext_lazy("Public key"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "autocomplete": "off"}),
        help_text=gettext_lazy("The line undersign keys new printed: 44 characters ending in =."),
    )
    key_file = forms.FileField(
        label=gettext_lazy("… or a file holding it"),
        required=False,
        help_text=gettext_lazy("A text file with the public key; never the private key file."),
    )

    def clean(self):
        data = super().clean() or {}
        text = data.get("public_key") or ""
        upload = data.get("key_file")
        if upload is not None:
            if upload.size > MAX_KEY_FILE:
                self.add_error("key_file", _("This file is too big to be a public key."))
                return data
            text = upload.read().decode("utf-8", "replace")
        if not text.strip():
            self.add_error("public_key", _("Paste the public key, or choose a file holding it."))
            return data
        if "private key" in text.lower():
            self.add_error(
                "public_key",
                _("This looks like the private key file. It must stay on your computer."),
            )
            return data
        try:
            data["key"] = sealing.parse_public_key(text)
        except sealing.SealingError as error:
            self.add_error("key_file" if upload is not None else "public_key", error.message)
        return data


class ChooseKeyForm(forms.Form):
    key = forms.ModelChoiceField(
        label=gettext_lazy("A key the server holds"),
        queryset=SealingKey.objects.all(),
        empty_label=None,
    )


@workspace_view
def sealing_page(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "manage")
    action = request.POST.get("action") if request.method == "POST" else None
    add = AddKeyForm(request.POST if action == "add" else None, request.FILES or None)
    choose = ChooseKeyForm(request.POST if action == "choose" else None)
    if action == "add" and add.is_valid():
        try:
            key = sealing.add_key(
                name=add.cleaned_data["name"],
                public_key=add.cleaned_data["key"],
                actor=request.user,
            )
        except sealing.SealingError as error:
            add.add_error("name", error.message)
        else:
            return _use(request, statement, key)
    elif action == "choose" and choose.is_valid():
        return _use(request, statement, choose.cleaned_data["key"])
    elif action == "seal" and statement.sealing_key_id is not None:
        sealing.seal_statement_contacts.enqueue(statement.pk)
        messages.success(request, _("The contacts still in clear are being sealed."))
        return redirect("workspace:sealing", slug=statement.slug)
    sealed, total = contacts.sealing_state(statement)
    context = {
        "statement": statement,
        "add": add,
        "choose": choose,
        "has_keys": SealingKey.objects.exists(),
        "sealed": sealed,
        "total": total,
        "key_name": statement.sealing_key.name if statement.sealing_key else "",
    }
    status = 400 if (add.is_bound and add.errors) or (choose.is_bound and choose.errors) else 200
    return render(request, "workspace/sealing.html", context, status=status)


def _use(request: HttpRequest, statement, key: SealingKey) -> HttpResponse:
    sealing.use_key(statement, key, actor=request.user)
    messages.success(
        request,
        _(
            "Contacts of this statement are sealed to “%(name)s” from now on; "
            "those stored in clear are being sealed."
        )
        % {"name": key.name},
    )
    return redirect("workspace:sealing", slug=statement.slug)
