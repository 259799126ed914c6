"""Logging in and turning on two-factor login: the organisers' one door (the admin's login
sends browsers here, and takes posted forms with the same form and the same limit)."""

import base64
from io import BytesIO
from urllib.parse import urlencode

import segno
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from undersign import abuse
from undersign.organisers import two_factor
from undersign.organisers.login import OrganiserLoginForm


def safe_next(request: HttpRequest, default: str = "workspace:statements") -> str:
    """Where to go after this page: the `next` parameter if it stays on this site."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


def _with_next(url_name: str, target: str) -> str:
    return f"{resolve_url(url_name)}?{urlencode({REDIRECT_FIELD_NAME: target})}"


@method_decorator(abuse.answers_rate_limits, name="dispatch")
class OrganiserLoginView(LoginView):
    form_class = OrganiserLoginForm
    template_name = "workspace/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and two_factor.must_enrol(user):
            return redirect(_with_next("workspace:two_factor", self.get_success_url()))
        if user.is_authenticated and not two_factor.login_complete(user):
            # A session that skipped a factor (made before a device was set up elsewhere,
            # or by hand) starts again here instead of bouncing back to where it came from.
            logout(request)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        if two_factor.must_enrol(form.get_user()):
            return redirect(_with_next("workspace:two_factor", self.get_success_url()))
        return response


def _qr_svg(url: str) -> str:
    buffer = BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=5)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@never_cache
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Turn on two-factor login: scan the code, type one number to prove it works.

    Open to every logged-in account (a member of a team, or staff for the admin), including
    one that must do this before anything else.
    """
    user = request.user
    target = safe_next(request)
    if not user.is_active:
        logout(request)
        return redirect("workspace:login")
    if two_factor.has_device(user):
        if not two_factor.login_complete(user):
            logout(request)
            return redirect(_with_next("workspace:login", target))
        return render(request, "workspace/two_factor.html", {"enabled": True, "next": target})
    device = two_factor.pending_device(user)
    error = ""
    if request.method == "POST":
        if two_factor.confirm_device(user, device, request.POST.get("token", "")):
            otp_login(request, device)
            return redirect(target)
        error = _("That code did not match. Try the current one.")
    required = two_factor.requires_two_factor(user)
    context = {
        "enabled": False,
        "required": required,
        "hide_menu": required,  # nothing else opens before this is done
        "qr": _qr_svg(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode(),
        "error": error,
        "next": target,
    }
    return render(request, "workspace/two_factor.html", context, status=400 if error else 200)
