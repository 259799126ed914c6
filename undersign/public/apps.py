from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The public site: statement pages, signing, confirming, withdrawing."""

    name = "undersign.public"
    label = "public"
