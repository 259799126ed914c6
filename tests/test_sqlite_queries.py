"""On SQLite each query's "%s" placeholders become "?" once per distinct query
(`undersign/sqlite/base.py`): the result must be Django's own conversion, literal "%"
signs included."""

import sqlite3

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper

from undersign.sqlite.base import _Cursor
from undersign.statements.models import Statement

pytestmark = pytest.mark.django_db

QUERIES = [
    "SELECT %s",
    "SELECT %s, %s WHERE 'a%%b' LIKE %s",
    "SELECT '%%s', %s",
    "SELECT 1",
]


def test_placeholders_become_what_django_makes_of_them():
    # A SQLite cursor of undersign's own, on either test database: the conversion is
    # Python's, the database only runs what it gives.
    database = sqlite3.connect(":memory:")
    ours = database.cursor(factory=_Cursor)
    for query in QUERIES * 2:  # the second time from the cache
        assert ours.convert_query(query) == SQLiteCursorWrapper.convert_query(ours, query)
    named = "SELECT %(a)s, %(b)s"
    assert ours.convert_query(named, param_names=["a", "b"]) == "SELECT :a, :b"
    ours.execute("SELECT %s, '50%%' LIKE %s", ["x", "50%"])
    assert ours.fetchone() == ("x", 1)
    database.close()
    if connection.vendor == "sqlite":  # and it is the one the SQLite pass uses
        with connection.cursor() as cursor:
            assert type(cursor.cursor) is _Cursor


def test_a_search_with_a_percent_sign_finds_what_it_should(statement):
    Statement.objects.filter(pk=statement.pk).update(title="Wages up 50% now")
    assert Statement.objects.filter(title__contains="50%").count() == 1
    assert Statement.objects.filter(title__contains="60%").count() == 0
