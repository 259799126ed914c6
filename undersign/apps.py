from django.apps import AppConfig


class UndersignConfig(AppConfig):
    """Holds the project-wide commands (run, worker, demo)."""

    name = "undersign"
    verbose_name = "undersign"

    def ready(self) -> None:
        from undersign import checks  # noqa: F401  (registers the production checks)
