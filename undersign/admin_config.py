from django.contrib.admin.apps import AdminConfig


class OrganiserAdminConfig(AdminConfig):
    """The Django admin, with rate-limited and two-factor login for organisers."""

    default_site = "undersign.organisers.two_factor.OrganiserAdminSite"
