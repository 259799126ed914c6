"""Organiser login: rate-limited, with TOTP two-factor login (django-otp) for the admin.

Every organiser can turn two-factor login on at /admin/two-factor/; once on, the login
asks for the code. With `ORGANISERS_REQUIRE_2FA` every organiser must: one who has no
device yet is sent to set one up right after the password, and sees nothing else.
"""

import base64
from io import BytesIO

import segno
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from undersign import abuse
from undersign.organisers.services import log_action


class OrganiserLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        help_text=_("Only if you turned on two-factor login."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )
    # Used by the django-otp mixin; we offer TOTP only, so no device choice or challenge.
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and user_has_device(user, confirmed=True):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            self.cleaned_data["otp_device"] = device.persistent_id if device else ""
            self.clean_otp(user)
        return cleaned


def _must_enrol(request: HttpRequest) -> bool:
    user = request.user
    return (
        settings.ORGANISERS_REQUIRE_2FA
        and user.is_active
        and user.is_staff
        and not user_has_device(user, confirmed=True)
    )


class OrganiserAdminSite(admin.AdminSite):
    login_form = OrganiserLoginForm
    site_header = _("undersign administration")
    site_title = "undersign"

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        user = request.user
        if user_has_device(user, confirmed=True):
            return user.is_verified()  # type: ignore[union-attr]
        return not settings.ORGANISERS_REQUIRE_2FA

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if request.method == "POST":
            username = request.POST.get("username", "")[:150]
            wait = abuse.rate_limited(request, "login", [settings.LOGIN_LIMIT])
            wait = wait or abuse.rate_limited_key("login-user", username, [settings.LOGIN_LIMIT])
            if wait is not None:
                from undersign.public.errors import too_many_requests

                return too_many_requests(request, wait)
        if request.user.is_authenticated and _must_enrol(request):
            return redirect("admin:two_factor")
        response = super().login(request, extra_context)
        if request.method == "POST" and _must_enrol(request):
            return redirect("admin:two_factor")
        return response

    def get_urls(self):
        return [
            path("two-factor/", self.two_factor_view, name="two_factor"),
            *super().get_urls(),
        ]

    def two_factor_view(self, request: HttpRequest) -> HttpResponse:
        """Turn on two-factor login: scan the code, type one number to prove it works."""
        user = request.user
        if not (user.is_active and user.is_staff):
            return redirect(f"{reverse('admin:login')}?{REDIRECT_FIELD_NAME}={request.path}")
        if user_has_device(user, confirmed=True):
            context = {**self.each_context(request), "enabled": True}
            return render(request, "admin/two_factor.html", context)
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        error = ""
        if request.method == "POST":
            if device.verify_token(request.POST.get("token", "").strip()):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                log_action("organiser.two_factor.enable", actor=user, obj=user)
                return redirect("admin:index")
            error = str(_("That code did not match. Try the current one."))
        context = {
            **self.each_context(request),
            "enabled": False,
            "qr": "data:image/svg+xml;base64,"
            + base64.b64encode(_qr_svg(device.config_url)).decode(),
            "secret": base64.b32encode(device.bin_key).decode(),
            "error": error,
            "title": _("Two-factor login"),
        }
        return render(request, "admin/two_factor.html", context)


def _qr_svg(url: str) -> bytes:
    buffer = BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=5)
    return buffer.getvalue()
