"""Fill in clause identity for existing data.

Before, clause N of a translation translated clause N of the original, and every edit
recreated the clause rows, so the number was the only identity there was: translated clauses
are attached to the clause that has their number now, and the clauses recorded in each
revision get the id of the clause with their number now (None when no clause has it). The
revisions' text is otherwise untouched and their hashes stay valid: the hash leaves ids out.
"""

import hashlib
import json

from django.db import migrations


def _hash(part: dict) -> str:
    blob = json.dumps(part, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def forwards(apps, schema_editor):
    Statement = apps.get_model("statements", "Statement")
    ClauseTranslation = apps.get_model("statements", "ClauseTranslation")
    Revision = apps.get_model("statements", "Revision")
    for statement in Statement.objects.all():
        clauses = {c.number: c for c in statement.clauses.all()}
        original = {
            "language": statement.language,
            "title": statement.title,
            "preamble": statement.preamble,
            "clauses": [{"number": n, "text": c.text} for n, c in sorted(clauses.items())],
            "postscript": statement.postscript,
        }
        current = _hash(original)
        for translation in statement.translations.all():
            up_to_date = translation.original_hash == current
            for row in ClauseTranslation.objects.filter(translation=translation):
                clause = clauses.get(row.number)
                if clause is None:
                    row.delete()  # its original was deleted: nothing to attach it to
                    continue
                row.clause = clause
                # Made from today's wording only if the whole translation was.
                row.original = clause.text if up_to_date else ""
                row.save(update_fields=["clause", "original"])
        for revision in Revision.objects.filter(statement=statement):
            text = revision.text
            ids = {n: c.pk for n, c in clauses.items()}
            for clause in text.get("clauses", []):
                clause.setdefault("id", ids.get(clause["number"]))
            titles = [[text["language"], text["title"]]]
            for language, part in sorted(text.get("translations", {}).items()):
                for clause in part.get("clauses", []):
                    clause.setdefault("id", ids.get(clause["number"]))
                titles.append([language, part["title"]])
            revision.text = text
            revision.titles = titles
            revision.save(update_fields=["text", "titles"])


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0002_clause_identity"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
