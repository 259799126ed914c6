from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssembliesConfig(AppConfig):
    name = "undersign.assemblies"
    label = "assemblies"
    verbose_name = _("Assemblies")
