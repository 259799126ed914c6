from django.contrib.auth import views as auth_views
from django.urls import path

from undersign.workspace import changes, translations, views

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
    path("s/<slug:slug>/reopen", views.reopen, name="reopen"),
    path("s/<slug:slug>/delete", views.delete, name="delete"),
    path("s/<slug:slug>/changes", changes.changes, name="changes"),
    path("s/<slug:slug>/changes/publish", changes.publish_changes, name="publish_changes"),
    path("s/<slug:slug>/changes/discard", changes.discard_changes, name="discard_changes"),
    path("s/<slug:slug>/preview", translations.preview, name="preview"),
    path("s/<slug:slug>/translations/new", translations.new_translation, name="new_translation"),
    path(
        "s/<slug:slug>/translations/<str:language>/",
        translations.translation,
        name="translation",
    ),
    path(
        "s/<slug:slug>/translations/<str:language>/delete",
        translations.delete_translation,
        name="delete_translation",
    ),
]
