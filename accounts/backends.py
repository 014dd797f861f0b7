"""The site's authentication backend: Django's `ModelBackend`, with the person read faster.

Every signed-in request reads the person by the id in their session (`get_user`). Django's
`UserModel._default_manager.get(pk=...)` builds that query anew each time (a queryset, a
filter, its SQL): 0.5 ms of Python, twice what Postgres takes to answer (issue 13). Here the
statement is built once per process, by the ORM itself (`filter(pk=...)`'s own SQL, columns and
converters), then only sent: the same row, the same instance (`Model.from_db`, as the ORM makes
them, with the backend's converters applied), the same `is_active` rule (`user_can_authenticate`).
The password check, permissions and everything else are Django's.

`LEGACY_PATH` is the backend sessions made before this one name (`auth.BACKEND_SESSION_KEY`):
`accounts.session_store` reads it as this one, so nobody was signed out by the change.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS, connections

if TYPE_CHECKING:
    from .models import User

PATH = "accounts.backends.PersonBackend"
LEGACY_PATH = "django.contrib.auth.backends.ModelBackend"
_PLACEHOLDER = 0


@functools.cache
def _statement(
    vendor: str,
) -> tuple[type[User], str, list[str], list[tuple[int, tuple[list[Any], Any]]]]:
    """The user model, the SQL of its `filter(pk=%s)`, the field names of its columns and their
    converters (`vendor` only keys the cache)."""
    user_model: type[User] = get_user_model()
    query = user_model._default_manager.filter(pk=_PLACEHOLDER).query
    compiler = query.get_compiler(DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    if tuple(params) != (_PLACEHOLDER,):  # a default manager that filters: not this shortcut
        raise ValueError(f"unexpected parameters for the person's query: {params!r}")
    columns = [expression for expression, _, _ in compiler.select]
    names = [column.target.attname for column in columns]
    return user_model, sql, names, list(compiler.get_converters(columns).items())


def read_person(pk: object) -> User | None:
    """The person with this primary key, or None: `_default_manager.get(pk=pk)` without
    building the query."""
    connection = connections[DEFAULT_DB_ALIAS]
    user_model, sql, names, converters = _statement(connection.vendor)
    # As the ORM prepares it (a value that is no id raises as `get(pk=...)` does).
    value = user_model._meta.pk.get_db_prep_value(pk, connection, prepared=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for position, (functions, expression) in converters:
        value = values[position]
        for convert in functions:
            value = convert(value, expression, connection)
        values[position] = value
    return user_model.from_db(DEFAULT_DB_ALIAS, names, values)


class PersonBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = read_person(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
