"""The one organiser login form, used at /workspace/login/ and /admin/login/ alike.

Both doors ask the same: password, then the code of the person's TOTP device if they have
one, counted by the same rate limit (per client address and per user name). A person who must
set up two-factor login first (see two_factor.py) gets in with the password and is sent to
do so before anything else.
"""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from undersign import abuse
from undersign.organisers.two_factor import has_device


class OrganiserLoginForm(OTPAuthenticationFormMixin, AuthenticationForm):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=16,
        help_text=_("Only if you turned on two-factor login."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )
    # Used by the django-otp mixin; we offer TOTP only, so no device choice or challenge.
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required=_("Type the code from your authenticator app."),
        invalid_token=_("That code did not match. Try the current one."),
    )

    def clean(self):
        if self.request is None:
            raise TypeError("the login form needs the request: it counts attempts per address")
        # Counted before the password is checked, right or wrong, so that guessing costs
        # the same whichever door is used.
        abuse.check_login(self.request, str(self.data.get("username", "")))
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and has_device(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            self.cleaned_data["otp_device"] = device.persistent_id if device else ""
            self.clean_otp(user)
        return cleaned
