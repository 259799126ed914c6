from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from undersign.statements import services
from undersign.statements.models import (
    Clause,
    ClauseTranslation,
    Revision,
    Statement,
    StatementTranslation,
)

# What a closed statement's frozen text is made of (see services.check_not_frozen).
TEXT_FIELDS = ["title", "preamble", "postscript", "language", "addressee", "authors"]


def _frozen(obj: Statement | None) -> bool:
    return obj is not None and obj.status == Statement.Status.CLOSED


class ClauseInline(admin.TabularInline):
    # Rows are edited in place, so each clause keeps its identity (and its translations).
    model = Clause
    extra = 3

    def has_add_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "status", "published_at"]
    list_filter = ["status"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "published_at", "closed_at", "current_revision"]
    inlines = [ClauseInline]
    actions = ["publish", "publish_changes", "close", "reopen"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + TEXT_FIELDS if _frozen(obj) else fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if _frozen(obj) else super().get_prepopulated_fields(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.statement_saved(form.instance, created=not change, actor=request.user)

    def _each(self, request, queryset, service, done: StrOrPromise) -> None:
        for statement in queryset:
            try:
                service(statement, actor=request.user)
            except services.StatementError as error:
                self.message_user(request, f"{statement}: {error.message}", messages.ERROR)
        self.message_user(request, done, messages.SUCCESS)

    @admin.action(description=_("Publish the selected statements"))
    def publish(self, request, queryset):
        self._each(request, queryset, services.publish_statement, _("Published."))

    @admin.action(description=_("Publish the saved changes of the selected statements"))
    def publish_changes(self, request, queryset):
        self._each(request, queryset, services.publish_changes, _("Changes published."))

    @admin.action(description=_("Close signing on the selected statements"))
    def close(self, request, queryset):
        self._each(request, queryset, services.close_statement, _("Closed."))

    @admin.action(description=_("Reopen signing on the selected statements"))
    def reopen(self, request, queryset):
        self._each(request, queryset, services.reopen_statement, _("Reopened."))


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["statement", "number", "content_hash", "created_at"]
    readonly_fields = ["statement", "number", "content_hash", "text", "created_at"]
    exclude = ["titles"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClauseTranslationInline(admin.TabularInline):
    model = ClauseTranslation
    extra = 3
    fields = ["clause", "text"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the clauses of the translation's statement (all clauses of every statement
        # would be a long list and an easy mistake).
        if db_field.name == "clause":
            statement_id = getattr(request, "_translation_statement_id", None) or 0
            kwargs["queryset"] = Clause.objects.filter(statement_id=statement_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(StatementTranslation)
class StatementTranslationAdmin(admin.ModelAdmin):
    list_display = ["statement", "language", "updated_at"]
    list_filter = ["language"]
    readonly_fields = ["original_hash", "updated_at"]
    inlines = [ClauseTranslationInline]

    def has_change_permission(self, request, obj=None):
        frozen = obj is not None and _frozen(obj.statement)
        return not frozen and super().has_change_permission(request, obj)

    def get_inline_instances(self, request, obj=None):
        # A new translation gets its clauses once it is saved with its statement.
        request._translation_statement_id = obj.statement_id if obj else None  # type: ignore[attr-defined]
        return super().get_inline_instances(request, obj) if obj else []

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.translation_saved(form.instance, actor=request.user)
