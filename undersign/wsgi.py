import gc
import os

from django.core.wsgi import get_wsgi_application

from undersign.sqlite import checkpoints

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


def _warm() -> None:
    """Load now what Django otherwise loads at a process's first request: the URLconf (it
    imports the API and the assemblies' numerical code: about a third of a second), each
    language's catalogue and the email check's patterns. A server process imports this
    module before it takes requests, so its first visitors do not wait for it; under a surge
    they did, and the first seconds of a new server had a p99 of 350-450 ms (issue 13)."""
    from django.conf import settings
    from django.core.validators import validate_email
    from django.urls import reverse
    from django.utils import translation

    reverse("public:home")  # the first reverse loads every URL module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Sign")
    validate_email("warm@example.org")  # its patterns are compiled at their first use


_refuse_unsafe_production()
checkpoints.take_over()  # on SQLite: see undersign/sqlite/checkpoints.py
_warm()
# What is loaded now lives as long as the process: out of the collector's reach, a full
# collection scans what requests leave behind, not the 115,000 objects of the loaded app
# (75 ms every few thousand signings, a pause for every request waiting in this process;
# 5 ms after, bench/README.md, issue 13).
gc.freeze()
