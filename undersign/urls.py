from django.contrib import admin
from django.urls import include, path

from undersign.api.api import api
from undersign.public.languages import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    # The language switcher, without a cookie token (public/languages.py).
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("workspace/", include("undersign.workspace.urls")),
    path("a/", include("undersign.room.urls")),
    path("", include("undersign.public.urls")),
]

handler404 = "undersign.public.errors.not_found"
handler500 = "undersign.public.errors.server_error"
handler400 = "undersign.public.errors.bad_request"
handler403 = "undersign.public.errors.forbidden"
