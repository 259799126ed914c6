"""On SQLite each query's "%s" placeholders become "?" once per distinct query
(`undersign/sqlite/base.py`): the result must be Django's own conversion, literal "%"
signs included."""

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper

from undersign.statements.models import Statement

pytestmark = pytest.mark.django_db

QUERIES = [
    "SELECT %s",
    "SELECT %s, %s WHERE 'a%%b' LIKE %s",
    "SELECT '%%s', %s",
    "SELECT 1",
]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own cursor")
def test_placeholders_become_what_django_makes_of_them():
    with connection.cursor() as cursor:
        ours = cursor.cursor
        assert type(ours) is not SQLiteCursorWrapper  # undersign's cursor is in use
        for query in QUERIES * 2:  # the second time from the cache
            assert ours.convert_query(query) == SQLiteCursorWrapper.convert_query(ours, query)
        named = "SELECT %(a)s, %(b)s"
        assert ours.convert_query(named, param_names=["a", "b"]) == "SELECT :a, :b"
        cursor.execute("SELECT %s, '50%%' LIKE %s", ["x", "50%"])
        assert cursor.fetchone() == ("x", 1)


def test_a_search_with_a_percent_sign_finds_what_it_should(statement):
    Statement.objects.filter(pk=statement.pk).update(title="Wages up 50% now")
    assert Statement.objects.filter(title__contains="50%").count() == 1
    assert Statement.objects.filter(title__contains="60%").count() == 0
