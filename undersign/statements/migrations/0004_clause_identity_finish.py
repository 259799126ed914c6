import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0003_clause_identity_data"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="clausetranslation",
            name="clause_translation_number_unique",
        ),
        migrations.AlterModelOptions(
            name="clausetranslation",
            options={
                "ordering": ["clause__number"],
                "verbose_name": "translated clause",
                "verbose_name_plural": "translated clauses",
            },
        ),
        migrations.RemoveField(
            model_name="clausetranslation",
            name="number",
        ),
        migrations.AlterField(
            model_name="clausetranslation",
            name="clause",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="translations",
                to="statements.clause",
                verbose_name="clause",
            ),
        ),
        migrations.AddConstraint(
            model_name="clausetranslation",
            constraint=models.UniqueConstraint(
                fields=("translation", "clause"), name="clause_translation_unique"
            ),
        ),
    ]
