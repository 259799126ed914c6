"""Clauses get an identity: translated clauses point at their clause instead of a number
(0002 adds the columns, 0003 fills them and the revisions' clause ids, 0004 drops the
numbers)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="clausetranslation",
            name="clause",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="translations",
                to="statements.clause",
                verbose_name="clause",
            ),
        ),
        migrations.AddField(
            model_name="clausetranslation",
            name="original",
            field=models.TextField(blank=True, verbose_name="translated from"),
        ),
        migrations.AddField(
            model_name="revision",
            name="titles",
            field=models.JSONField(blank=True, default=list, verbose_name="titles"),
        ),
    ]
