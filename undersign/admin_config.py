from django.contrib.admin.apps import AdminConfig


class OrganiserAdminConfig(AdminConfig):
    """The Django admin behind the organisers' one login (see admin_site.py).

    The site lives in its own module: this one is imported while the apps load, before
    the models the login needs can be.
    """

    default_site = "undersign.admin_site.OrganiserAdminSite"
