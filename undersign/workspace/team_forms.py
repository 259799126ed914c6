"""Forms of the team pages, the invitation page, and the team of a new statement."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from undersign.organisers.models import ROLE_HELP, ROLE_LABELS, ROLES, Team
from undersign.workspace.forms import CreateForm

# Asked of a person who sets a password through an invitation (the settings configure none).
PASSWORD_VALIDATORS = password_validation.get_password_validators(
    [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 10},
        },
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ]
)


class RolesForm(forms.Form):
    owner = forms.BooleanField(label=ROLE_LABELS["owner"], help_text=ROLE_HELP["owner"])
    editor = forms.BooleanField(label=ROLE_LABELS["editor"], help_text=ROLE_HELP["editor"])
    moderator = forms.BooleanField(label=ROLE_LABELS["moderator"], help_text=ROLE_HELP["moderator"])
    contacts_viewer = forms.BooleanField(
        label=ROLE_LABELS["contacts_viewer"], help_text=ROLE_HELP["contacts_viewer"]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for role in ROLES:
            self.fields[role].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(role) for role in ROLES):
            raise forms.ValidationError(_("Choose at least one role."))
        return data

    def roles(self) -> list[str]:
        return [role for role in ROLES if self.cleaned_data.get(role)]

    def role_fields(self) -> list[forms.BoundField]:
        return [self[role] for role in ROLES]


class InviteForm(RolesForm):
    note = forms.CharField(
        label=_("For whom"),
        max_length=100,
        required=False,
        help_text=_("A reminder for the team, e.g. a first name."),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name of the team"), max_length=100)
    require_two_factor = forms.BooleanField(
        label=_("Every member must use two-factor login"),
        required=False,
        help_text=_(
            "Members without an authenticator app set one up at their next request, "
            "before anything else."
        ),
    )


class JoinForm(forms.Form):
    """A new account for the holder of an invitation link."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("You log in with it. Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters; a few words you will remember are good."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken. Choose another one."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            user = get_user_model()(username=data.get("username", ""))
            try:
                password_validation.validate_password(first, user, PASSWORD_VALIDATORS)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class TeamChoiceForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), empty_label=None)

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class CreateInTeamForm(CreateForm):
    """The new statement form, with the team it will belong to."""

    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        empty_label=None,
        help_text=_("Its members will work on the statement, each in their roles."),
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        field.queryset = teams  # type: ignore[attr-defined]
        only = list(teams[:2])
        # Someone in one team need not choose it (a form posted without it goes there too).
        self.only_team = only[0] if len(only) == 1 else None
        if self.only_team is not None:
            field.required = False
            field.initial = self.only_team

    def clean_team(self) -> Team | None:
        return self.cleaned_data.get("team") or self.only_team
