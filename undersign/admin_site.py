"""The Django admin, for superusers and staff, behind the organisers' one login.

People log in on the workspace's page, which asks for the TOTP code when the account has a
device; /admin/login/ sends browsers there. A form posted to /admin/login/ anyway meets the
same form and the same rate limit, plus the admin's own rule: staff accounts only.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from undersign import abuse
from undersign.organisers.login import OrganiserLoginForm
from undersign.organisers.two_factor import login_complete, must_enrol


class AdminLoginForm(OrganiserLoginForm, AdminAuthenticationForm):
    """The organisers' login form, refusing accounts that are not staff."""


def _with_next(url_name: str, target: str) -> str:
    return f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: target})}"


class OrganiserAdminSite(admin.AdminSite):
    login_form = AdminLoginForm
    site_header = _("undersign administration")
    site_title = "undersign"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and login_complete(request.user)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        user = request.user
        if user.is_authenticated and must_enrol(user):
            return redirect(_with_next("workspace:two_factor", target))
        if request.method != "POST" and not user.is_authenticated:
            return redirect(_with_next("workspace:login", target))
        response = abuse.answers_rate_limits(super().login)(request, extra_context)
        if request.method == "POST" and request.user.is_authenticated and must_enrol(request.user):
            return redirect(_with_next("workspace:two_factor", target))
        return response
