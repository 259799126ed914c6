from django.contrib import admin

from undersign.organisers.models import AuditEntry, SealingKey


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "object_type", "object_id"]
    list_filter = ["action"]
    readonly_fields = ["created_at", "action", "actor", "object_type", "object_id", "data"]

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
