from django.contrib import admin

from undersign.organisers.models import AuditEntry, Invitation, Membership, SealingKey, Team


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "team", "object_type", "object_id"]
    list_filter = ["action"]
    readonly_fields = ["created_at", "action", "actor", "team", "object_type", "object_id", "data"]

    def has_add_permission(self, request):  # the log is written by services only
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SealingKey)
class SealingKeyAdmin(admin.ModelAdmin):
    """Public keys only; made with `undersign keys new`, which writes the private key to a
    file on the organiser's side. Choose one on a statement to seal its contacts."""

    list_display = ["name", "fingerprint", "created_at"]
    readonly_fields = ["name", "fingerprint", "public_key", "created_at"]
    fields = ["name", "fingerprint", "public_key", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Teams change in the workspace, through the services that write the audit log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "owner", "editor", "moderator", "contacts_viewer", "created_at"]
    readonly_fields = ["user", "owner", "editor", "moderator", "contacts_viewer", "created_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ["name", "require_two_factor", "created_at"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = [
        "team",
        "note",
        "created_by",
        "created_at",
        "expires_at",
        "used_at",
        "revoked_at",
    ]
    list_filter = ["team"]
    exclude = ["token_hash"]
