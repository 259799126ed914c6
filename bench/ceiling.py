"""The ceiling: a minimal Django app on the same database, served the same way.

One view validates a small form and does one INSERT; one renders a small template with a
CSRF token. What undersign reaches is shown beside what this reaches in the same run.
Settings, views and URLs in one module: `DJANGO_SETTINGS_MODULE=bench.ceiling`.
"""

from django import forms
from django.core.wsgi import get_wsgi_application
from django.db import connection, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from undersign.settings import DATABASES as DATABASES  # the very same database settings

SECRET_KEY = "bench-ceiling-only"  # noqa: S105 (loopback benchmark)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = __name__
USE_TZ = True
INSTALLED_APPS: list[str] = []
MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        "page.html": (
                            "<!doctype html><title>{{ title }}</title><h1>{{ title }}</h1>"
                            "<form method=post>{% csrf_token %}<input name=name>"
                            "<input name=email><button>Sign</button></form>"
                        )
                    },
                )
            ],
            "context_processors": ["django.template.context_processors.csrf"],
        },
    }
]


class SignForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField()


def page(request):
    return render(request, "page.html", {"title": "Ceiling"})


def sign(request):
    form = SignForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_ceiling (name, email) VALUES (%s, %s)",
            [form.cleaned_data["name"], form.cleaned_data["email"]],
        )
    return redirect("/")


urlpatterns = [path("", page), path("sign", sign)]
application = get_wsgi_application()
