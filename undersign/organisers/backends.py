"""The organisers' login backend: Django's ModelBackend, the user of each request read with
SQL written once.

Django reads the session's user on every workspace request (`get_user`); the ORM's query
for that one row cost about 0.4 ms of each request on the bench's box, more than the rest
of the login check (issue 13). The same row read with a prepared SELECT and made into the
ORM's instance (undersign/prepared.py) costs a tenth. Nothing is kept between requests:
an account deactivated or removed is refused at its next request in every process, and
Django still checks the session's password hash against the row.
"""

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Field

from undersign import prepared


@cache
def _plan(vendor: str) -> tuple[str, list[Field], prepared.Converters]:
    model = get_user_model()
    fields = prepared.columns(model)
    # Names from the model; the id is a parameter.
    sql = (
        f'SELECT {prepared.select_list("u", fields)} FROM "{model._meta.db_table}" u'  # noqa: S608
        f' WHERE u."{model._meta.pk.column}" = %s'
    )
    return sql, fields, prepared.converters(model, fields)


class OrganiserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        """What ModelBackend's `get_user` gives: the active user with this id, else None."""
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        sql, fields, found = _plan(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        user = prepared.instance(model, fields, found, row)
        return user if self.user_can_authenticate(user) else None
