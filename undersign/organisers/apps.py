from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisersConfig(AppConfig):
    name = "undersign.organisers"
    label = "organisers"
    verbose_name = _("Organisers")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from undersign.organisers.access import forget_roles_of_this_request
        from undersign.organisers.models import Membership, Team

        # A request that changes roles or a team answers its later questions afresh.
        for model in (Membership, Team):
            post_save.connect(forget_roles_of_this_request, sender=model, weak=False)
            post_delete.connect(forget_roles_of_this_request, sender=model, weak=False)
