"""One choice of language for the interface and the text.

The header's switcher posts to Django's `set_language` (through ours, which needs no cookie
token), which sets the interface language; a statement page without `?lang=` shows the text
in that language. A `?lang=` link (the
statement's "also in" links, a shared link, the links in our mails) sets the interface too
when the site speaks that language, so the reader never sees an English page around a Russian
text, and the signature made from that page carries the language the signer read.

On a page that shows a form someone filled in (the signing form after a mistake), the
switcher's buttons belong to that form instead (`switch_within`): the view gets what was
typed with the chosen language and shows the same form again in it. Nothing typed is put in
a URL, a cookie or the server's storage; it goes back to the page that asked for it.
"""

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from undersign.statements.texts import language_code


def autonym(code: str) -> str:
    """A language's name in that language ("Deutsch", "Русский"), whatever the interface."""
    for site_code, name in settings.LANGUAGES:
        if site_code == code:
            return str(name)
    try:
        return str(get_language_info(code)["name_local"])
    except KeyError:
        return code


def autonym_html(code: str) -> SafeString:
    """The autonym marked with its language, for inside a sentence in another language."""
    return format_html('<span lang="{}">{}</span>', code, autonym(code))


def site_language(value: str | None) -> str | None:
    """`value` when it names a language the interface speaks, else None."""
    code = language_code(value)
    return code if code in {c for c, _name in settings.LANGUAGES} else None


def _without_lang(path: str, query: str) -> str:
    """The address without its `lang` parameter: after a switch, the chosen language rules."""
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "lang"]
    return path + ("?" + urlencode(kept) if kept else "")


def switch_next(request: HttpRequest) -> str:
    """Where the language switcher leads back to: the page being read, as a GET.

    A page rendered for a POST (the signing form with an error) has no GET of its own at
    that address; the page the form was posted from has (the `Referer`, sent to our own
    site only). Without one, the statement's page or the start page.
    """
    if request.method in ("GET", "HEAD"):
        return _without_lang(request.path, request.META.get("QUERY_STRING", ""))
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path and parts.path != request.path:
            return _without_lang(parts.path, parts.query)
    match = request.resolver_match
    if match and match.namespace == "public" and "slug" in match.kwargs:
        return reverse("public:statement", args=[match.kwargs["slug"]])
    return reverse("public:home")


def languages(request: HttpRequest) -> dict:
    """Context processor for the header's switcher."""
    return {
        "site_languages": [(code, autonym(code)) for code, _name in settings.LANGUAGES],
        "language_next": switch_next(request),
    }


def switch_within(form_id: str, action: str) -> dict:
    """Context that makes the header's language buttons submit the form `form_id` to
    `action` (HTML's `form` and `formaction` attributes: no JavaScript), for a page showing
    what someone typed. The view then calls `language_switched`."""
    return {"language_form": form_id, "language_action": action}


def language_switched(request: HttpRequest) -> str | None:
    """The language a posted form's language button chose, now active for this request and
    remembered like `set_language` does; None when the form was sent otherwise."""
    chosen = site_language(request.POST.get("language"))
    if chosen:
        use_language(request, chosen)
    return chosen


def use_language(request: HttpRequest, code: str) -> None:
    """Speak `code` for the rest of this request, and set the language cookie with the
    answer (by `LanguageFromLink`)."""
    translation.activate(code)
    request.LANGUAGE_CODE = code
    request._language_from_link = code  # type: ignore[attr-defined]


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: Django's `set_language` without a cookie token, so
    the page around the switcher is the same for every reader and can be shared (see
    `page_cache`). Posts from other sites' pages are refused as for the signing forms."""
    from undersign.abuse import from_this_site
    from undersign.public.errors import forbidden

    if not from_this_site(request):
        return forbidden(request)
    return i18n.set_language(request)


class LanguageFromLink:
    """Middleware: a public page's `?lang=xx` in a language the site speaks sets the
    interface language too, for this request and (by the language cookie) the next ones.

    After Django's LocaleMiddleware. The workspace, the admin and the API read `?lang=` for
    their own purposes and are left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        chosen = getattr(request, "_language_from_link", None)
        if (
            chosen
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen
            and (
                response.get("Content-Type", "").startswith("text/html")
                # The shared statement page answers a browser that holds it with a 304.
                or response.status_code == 304
            )
        ):
            # What set_language would set; never on images or feeds, which caches share.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
            )
        return response

    def process_view(self, request: HttpRequest, view, args, kwargs) -> None:
        match = request.resolver_match
        if match is None or match.namespace != "public":
            return
        chosen = site_language(request.GET.get("lang"))
        if chosen:
            use_language(request, chosen)
