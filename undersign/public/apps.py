from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The public site: statement pages, signing, confirming, withdrawing."""

    name = "undersign.public"
    label = "public"

    def ready(self) -> None:
        from undersign.public import about  # noqa: F401  (registers the check of the operator's files)
