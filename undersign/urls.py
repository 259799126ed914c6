from django.contrib import admin
from django.urls import include, path

from undersign.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("workspace/", include("undersign.workspace.urls")),
    path("a/", include("undersign.room.urls")),
    path("", include("undersign.public.urls")),
]

handler404 = "undersign.public.errors.not_found"
handler500 = "undersign.public.errors.server_error"
handler400 = "undersign.public.errors.bad_request"
handler403 = "undersign.public.errors.forbidden"
