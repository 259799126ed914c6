"""Error pages in the reader's language, with nothing of the request echoed back."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# The 429 page lives with the rate limits, below every face; the public views take it here.
from undersign.abuse import too_many_requests as too_many_requests
from undersign.abuse import wait_message as wait_message


def _error(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    return render(request, "public/error.html", {"title": title, "text": text}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        _("Page not found"),
        _("This address leads nowhere. The link may be incomplete or out of date."),
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        _("Not allowed"),
        _(
            "The form had expired or was sent from elsewhere. Go back, reload the "
            "page and send it again."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request, 500, _("Something went wrong"), _("Please go back and try again in a minute.")
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return forbidden(request)
