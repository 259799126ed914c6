from django.contrib.auth import views as auth_views
from django.urls import path

from undersign.workspace import dashboard, exports, sealing, signers, translations, views

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
    path("s/<slug:slug>/preview", translations.preview, name="preview"),
    path("s/<slug:slug>/translations/new", translations.new_translation, name="new_translation"),
    path(
        "s/<slug:slug>/translations/<str:language>/",
        translations.translation,
        name="translation",
    ),
    # Organisers see and act (issue 9): dashboard, signers, moderation, exports, sealing.
    path("s/<slug:slug>/dashboard", dashboard.dashboard, name="dashboard"),
    path("s/<slug:slug>/signers/", signers.signers, name="signers"),
    path(
        "s/<slug:slug>/signers/<int:signature_id>/moderate",
        signers.moderate,
        name="moderate",
    ),
    path("s/<slug:slug>/export", exports.export, name="export"),
    path("s/<slug:slug>/sealing", sealing.sealing_page, name="sealing"),
]
