"""The organisers' sessions: Django's database sessions, read with one written-out query.

Every workspace request reads its session row (only organisers have sessions). Through the
ORM that read cost about 0.4 ms of each request on the bench's box, most of it building
and compiling the query; the same SELECT written out costs a tenth of that (issue 13).
Everything else (saving, deleting at logout, expiry, clearing) is Django's own: a row
deleted or expired is gone for every process at its next request, as before.
"""

from functools import cache
from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.db.models import Model
from django.utils import timezone

_SELECT = "SELECT {data} FROM {table} WHERE {key} = %s AND {expires} > %s"


@cache
def _select(alias: str, vendor: str, model: type[Model]) -> str:
    """The written-out SELECT, made once per database (it runs on every workspace request)."""
    quote = connections[alias].ops.quote_name
    fields = {f.name: quote(str(f.column)) for f in model._meta.concrete_fields}
    return _SELECT.format(
        data=fields["session_data"],
        table=quote(model._meta.db_table),
        key=fields["session_key"],
        expires=fields["expire_date"],
    )


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        """What Django's `load` reads (the row of this key, not expired), or nothing and
        no key, as Django does when there is no such row."""
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        sql = _select(alias, connection.vendor, model)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
