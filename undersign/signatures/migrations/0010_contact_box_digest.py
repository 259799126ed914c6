import hashlib

from django.db import migrations, models


def fill_box_digests(apps, schema_editor):
    # The same digest as `contacts.sealed_digest`, written out here so that this migration
    # keeps its meaning if that function ever changes.
    Contact = apps.get_model("signatures", "Contact")
    rows = Contact.objects.exclude(sealed="").filter(box_digest="").values_list("pk", "sealed")
    for pk, blob in rows.iterator(chunk_size=2000):
        digest = hashlib.sha256(f"undersign.unsubscribe:{blob}".encode()).hexdigest()[:40]
        Contact.objects.filter(pk=pk).update(box_digest=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0009_imports"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="box_digest",
            field=models.CharField(blank=True, db_default="", db_index=True, max_length=40),
        ),
        migrations.RunPython(fill_box_digests, migrations.RunPython.noop, elidable=True),
    ]
