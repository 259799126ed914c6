"""System checks that keep a production instance from starting with unsafe settings."""

from django.conf import settings
from django.core import checks

_LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


@checks.register("undersign", deploy=False)
def production_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors: list[checks.CheckMessage] = []
    if settings.DEBUG:
        errors.append(
            checks.Error(
                "UNDERSIGN_DEBUG is on in production: error pages would show settings and "
                "personal data.",
                hint="Unset UNDERSIGN_DEBUG (or set it to false).",
                id="undersign.E001",
            )
        )
    key = settings.SECRET_KEY
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure"):
        errors.append(
            checks.Error(
                "SECRET_KEY is short or a default: mail links and email digests could be forged.",
                hint="Set SECRET_KEY (or SECRET_KEY_FILE) to 50+ random characters, or unset "
                "it to use the one generated in the data folder.",
                id="undersign.E002",
            )
        )
    hosts = set(settings.ALLOWED_HOSTS)
    if not hosts or "*" in hosts or any(h.startswith(".") and h.count(".") < 2 for h in hosts):
        errors.append(
            checks.Error(
                "ALLOWED_HOSTS is open to any host name.",
                hint="Set ALLOWED_HOSTS to the site's own name, e.g. sign.example.org.",
                id="undersign.E003",
            )
        )
    elif hosts <= _LOCAL_HOSTS:
        errors.append(
            checks.Error(
                "ALLOWED_HOSTS names only this machine.",
                hint="Set ALLOWED_HOSTS to the site's public name, e.g. sign.example.org.",
                id="undersign.E004",
            )
        )
    if not settings.SITE_URL.startswith("https://"):
        errors.append(
            checks.Error(
                "UNDERSIGN_URL does not start with https://: links in mails would be sent in "
                "clear text.",
                hint="Set UNDERSIGN_URL=https://your.site",
                id="undersign.E005",
            )
        )
    return errors
