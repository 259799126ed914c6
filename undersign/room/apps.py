from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoomConfig(AppConfig):
    """The participants' face of assemblies: sign in with a code, the ballot, amendments."""

    name = "undersign.room"
    label = "room"
    verbose_name = _("Assembly room")
