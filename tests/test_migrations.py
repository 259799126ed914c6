"""Migrations stay one straight line per app: nothing is deployed yet, so a branch that adds a
migration renumbers it after the others instead of merging."""

from collections import Counter

from django.apps import apps
from django.db.migrations.loader import MigrationLoader


def test_it_keeps_the_migrations_linear():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = {
        config.label for config in apps.get_app_configs() if config.name.startswith("undersign")
    }
    checked = 0
    for label in sorted(ours):
        names = sorted(name for app, name in loader.disk_migrations if app == label)
        if not names:
            continue
        checked += 1
        numbers = Counter(name.split("_", 1)[0] for name in names)
        assert [n for n, count in numbers.items() if count > 1] == [], f"{label}: {names}"
        for name in names:
            parents = [d for d in loader.disk_migrations[label, name].dependencies if d[0] == label]
            assert len(parents) <= 1, f"{label}.{name} is a merge migration"
        assert len(loader.graph.leaf_nodes(label)) == 1, f"{label} has several heads"
    assert checked >= 3
