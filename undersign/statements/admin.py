from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from undersign.statements import services
from undersign.statements.models import (
    Clause,
    ClauseTranslation,
    Revision,
    Statement,
    StatementTranslation,
)


class ClauseInline(admin.TabularInline):
    model = Clause
    extra = 3


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "status", "published_at"]
    list_filter = ["status"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "published_at", "closed_at", "current_revision"]
    inlines = [ClauseInline]
    actions = ["publish", "close"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Clauses are saved only now, so the revision is taken after them.
        services.statement_saved(form.instance, created=not change, actor=request.user)

    @admin.action(description=_("Publish the selected statements"))
    def publish(self, request, queryset):
        for statement in queryset:
            services.publish_statement(statement, actor=request.user)
        self.message_user(request, _("Published."), messages.SUCCESS)

    @admin.action(description=_("Close signing on the selected statements"))
    def close(self, request, queryset):
        for statement in queryset:
            try:
                services.close_statement(statement, actor=request.user)
            except services.StatementError as error:
                self.message_user(request, f"{statement}: {error.message}", messages.ERROR)
        self.message_user(request, _("Closed."), messages.SUCCESS)


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["statement", "number", "content_hash", "created_at"]
    readonly_fields = ["statement", "number", "content_hash", "text", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClauseTranslationInline(admin.TabularInline):
    model = ClauseTranslation
    extra = 3


@admin.register(StatementTranslation)
class StatementTranslationAdmin(admin.ModelAdmin):
    list_display = ["statement", "language", "updated_at"]
    list_filter = ["language"]
    readonly_fields = ["original_hash", "updated_at"]
    inlines = [ClauseTranslationInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.translation_saved(form.instance, actor=request.user)
