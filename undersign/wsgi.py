import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "undersign.settings")
application = get_wsgi_application()


def _refuse_unsafe_production() -> None:
    """A WSGI server runs no system checks by itself: production mode must still refuse."""
    from django.conf import settings
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    if settings.PRODUCTION:
        serious = [m for m in checks.run_checks(tags=["undersign"]) if m.is_serious()]
        if serious:
            raise ImproperlyConfigured("; ".join(f"{m.id}: {m.msg}" for m in serious))


_refuse_unsafe_production()
