from django.contrib.auth import views as auth_views
from django.urls import path

from undersign.workspace import event, translations, views

app_name = "workspace"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="workspace/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.statement_list, name="statements"),
    path("new/", views.create, name="create"),
    path("s/<slug:slug>/", views.edit, name="edit"),
    path("s/<slug:slug>/publish", views.publish, name="publish"),
    path("s/<slug:slug>/close", views.close, name="close"),
    path("s/<slug:slug>/event", event.event, name="event"),
    path("s/<slug:slug>/preview", translations.preview, name="preview"),
    path("s/<slug:slug>/translations/new", translations.new_translation, name="new_translation"),
    path(
        "s/<slug:slug>/translations/<str:language>/",
        translations.translation,
        name="translation",
    ),
]
