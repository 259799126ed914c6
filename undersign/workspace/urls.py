from django.contrib.auth import views as auth_views
from django.urls import path

from undersign.workspace import (
    assemblies,
    assembly_decisions,
    assembly_participants,
    audit,
    changes,
    dashboard,
    event,
    exports,
    invitations,
    login,
    questions,
    sealing,
    signers,
    signing_form,
    teams,
    translations,
    views,
)
from undersign.workspace.assembly_results import urlpatterns as assembly_results_urls

# Every URL here is declared in the role table of tests/test_roles.py, with the answer each
# kind of user gets; a URL missing there fails the tests.
app_name = "workspace"
urlpatterns = [
    path("login/", login.OrganiserLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", login.enrol, name="two_factor"),
    path("invite/<str:token>/", invitations.invitation, name="invitation"),
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
    path("s/<slug:slug>/event", event.event, name="event"),
    path("s/<slug:slug>/form", signing_form.signing_form, name="signing_form"),
    path("s/<slug:slug>/form/questions/new", questions.question_new, name="question_new"),
    path(
        "s/<slug:slug>/form/questions/<int:question_id>",
        questions.question,
        name="question",
    ),
    path("s/<slug:slug>/preview", translations.preview, name="preview"),
    path("s/<slug:slug>/team", teams.statement_team, name="statement_team"),
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
    path("teams/", teams.team_list, name="teams"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("teams/<int:team_id>/", teams.team_detail, name="team"),
    path("teams/<int:team_id>/settings", teams.team_change, name="team_change"),
    path("teams/<int:team_id>/invitations", teams.invitation_create, name="invite"),
    path(
        "teams/<int:team_id>/invitations/<int:invitation_id>/withdraw",
        teams.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "teams/<int:team_id>/members/<int:user_id>/roles",
        teams.member_roles,
        name="member_roles",
    ),
    path(
        "teams/<int:team_id>/members/<int:user_id>/remove",
        teams.member_remove,
        name="member_remove",
    ),
    path("audit/", audit.audit_log, name="audit"),
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
    path("assemblies/", assemblies.assembly_list, name="assemblies"),
    path("assemblies/new/", assemblies.assembly_create, name="assembly_create"),
    path("assemblies/<slug:assembly_slug>/", assemblies.assembly_overview, name="assembly"),
    path("assemblies/<slug:assembly_slug>/open", assemblies.assembly_open, name="assembly_open"),
    path("assemblies/<slug:assembly_slug>/close", assemblies.assembly_close, name="assembly_close"),
    path(
        "assemblies/<slug:assembly_slug>/t/<slug:text_slug>/remove",
        assemblies.assembly_text_remove,
        name="assembly_text_remove",
    ),
    path(
        "assemblies/<slug:assembly_slug>/t/<slug:text_slug>/campaign",
        assemblies.assembly_campaign,
        name="assembly_campaign",
    ),
    path(
        "assemblies/<slug:assembly_slug>/t/<slug:text_slug>/revisions",
        assemblies.assembly_revisions,
        name="assembly_revisions",
    ),
    path(
        "assemblies/<slug:assembly_slug>/t/<slug:text_slug>/paper",
        assembly_decisions.tally,
        name="assembly_tally",
    ),
    path(
        "assemblies/<slug:assembly_slug>/participants/",
        assembly_participants.participants,
        name="assembly_participants",
    ),
    path(
        "assemblies/<slug:assembly_slug>/participants/codes",
        assembly_participants.generate,
        name="assembly_codes",
    ),
    path(
        "assemblies/<slug:assembly_slug>/participants/import",
        assembly_participants.import_list,
        name="assembly_import",
    ),
    path(
        "assemblies/<slug:assembly_slug>/participants/download",
        assembly_participants.download,
        name="assembly_download",
    ),
    path(
        "assemblies/<slug:assembly_slug>/participants/<int:number>/revoke",
        assembly_participants.revoke,
        name="assembly_revoke",
    ),
    path(
        "assemblies/<slug:assembly_slug>/positions",
        assembly_participants.named_positions,
        name="assembly_positions",
    ),
    path(
        "assemblies/<slug:assembly_slug>/amendments/",
        assembly_decisions.amendment_list,
        name="assembly_amendments",
    ),
    path(
        "assemblies/<slug:assembly_slug>/amendments/<int:amendment_id>/",
        assembly_decisions.amendment_decide,
        name="assembly_amendment",
    ),
    path("assemblies/<slug:assembly_slug>/links/", assembly_decisions.links, name="assembly_links"),
    path(
        "assemblies/<slug:assembly_slug>/links/<int:link_id>/remove",
        assembly_decisions.unlink,
        name="assembly_unlink",
    ),
    *assembly_results_urls,
]
