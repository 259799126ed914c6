"""`undersign export-text SLUG [--lang de]`: a statement as Markdown on standard output."""

from django.core.management.base import BaseCommand, CommandError

from undersign.statements.models import Statement
from undersign.statements.services import export_markdown


class Command(BaseCommand):
    help = "Print a statement as Markdown; importing it again gives the same statement."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--lang", help="a translation's language (default: the original)")

    def handle(self, *args, **options):
        statement = Statement.objects.filter(slug=options["slug"]).first()
        if statement is None:
            raise CommandError(f"no statement at {options['slug']}")
        lang = options["lang"]
        if (
            lang
            and lang != statement.language
            and not statement.translations.filter(language=lang).exists()
        ):
            raise CommandError(f"no {lang} translation of {statement.slug}")
        self.stdout.write(export_markdown(statement, lang), ending="")
