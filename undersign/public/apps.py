from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The public site: statement pages, signing, confirming, withdrawing."""

    name = "undersign.public"
    label = "public"

    def ready(self) -> None:
        from undersign.public import about  # noqa: F401  (registers the check of the operator's files)

        _forget_shared_pages_on_change()


def _forget_shared_pages_on_change() -> None:
    """Any saved or deleted row of a statement (the statement, its clauses, revisions,
    translations) or of its signing form's questions makes its shared page stale at once:
    publishing, a new revision, closing, an event window, a new question."""
    from django.apps import apps
    from django.core.exceptions import ObjectDoesNotExist
    from django.db.models import Model
    from django.db.models.signals import post_delete, post_save

    from undersign import pagecache
    from undersign.signatures.models import Question, QuestionTranslation
    from undersign.statements.models import ClauseTranslation, Statement

    def statement_of(instance) -> int | None:
        if isinstance(instance, Statement):
            return instance.pk
        if isinstance(instance, ClauseTranslation):
            return instance.clause.statement_id if instance.clause_id else None
        if isinstance(instance, QuestionTranslation):
            return instance.question.statement_id if instance.question_id else None
        return getattr(instance, "statement_id", None)

    def forget(sender, instance, **kwargs) -> None:
        try:
            statement_id = statement_of(instance)
        except ObjectDoesNotExist:  # deleted with its statement, which says so itself
            return
        if statement_id is not None:
            pagecache.changed(statement_id)

    models: list[type[Model]] = [
        *apps.get_app_config("statements").get_models(),
        Question,
        QuestionTranslation,
    ]
    for model in models:
        post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"page:{model}")
        post_delete.connect(forget, sender=model, weak=False, dispatch_uid=f"page-d:{model}")
