"""The organisers' login backend: Django's ModelBackend, the user of each request read with
SQL written once.

Django reads the session's user on every workspace request (`get_user`); the ORM's query
for that one row cost about 0.4 ms of each request on the bench's box, more than the rest
of the login check (issue 13). The same row read with a prepared SELECT and made into the
ORM's instance (undersign/rows.py) costs a tenth. Nothing is kept between requests:
an account deactivated or removed is refused at its next request in every process, and
Django still checks the session's password hash against the row.
"""

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection

from undersign.rows import Columns, first_row


@cache
def _plan(vendor: str) -> tuple[str, Columns]:
    users = Columns(get_user_model(), "u")
    # Names from the model; the id is a parameter.
    sql = f"SELECT {', '.join(users.names())} FROM {users.table} WHERE u.id = %s"  # noqa: S608
    return sql, users


class OrganiserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        """What ModelBackend's `get_user` gives: the active user with this id, else None."""
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        sql, users = _plan(connection.vendor)
        row = first_row(sql, [pk])
        if row is None:
            return None
        user = users.instance(row)
        return user if self.user_can_authenticate(user) else None
