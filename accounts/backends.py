"""The site's authentication backend: Django's `ModelBackend`, with the person read faster.

Every signed-in request reads the person by the id in their session (`get_user`). Django's
`UserModel._default_manager.get(pk=...)` builds that query anew each time (a queryset, a
filter, its SQL): 0.5 ms of Python, twice what Postgres takes to answer (issue 13). Here the
statement is built once per process, by the ORM itself (`filter(pk=...)`'s own SQL, columns and
converters), then only sent: the same row, the same instance (`Model.from_db`, as the ORM makes
them, with the backend's converters applied), the same `is_active` rule (`user_can_authenticate`).
The password check, permissions and everything else are Django's.

Another app can have a value read with the person, in the same statement (`read_along`): the
stats page's and the journal list's fingerprint of the person's entries comes with them, one
round trip less on those pages. Accounts knows nothing of what it reads.

`LEGACY_PATH` is the backend sessions made before this one name (`auth.BACKEND_SESSION_KEY`):
`accounts.session_store` reads it as this one, so nobody was signed out by the change.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS, connections

if TYPE_CHECKING:
    from .models import User

PATH = "accounts.backends.PersonBackend"
LEGACY_PATH = "django.contrib.auth.backends.ModelBackend"
_PLACEHOLDER = 0
# Attribute name -> a function giving the expression (on the person's row) to read into it.
_read_along: dict[str, Callable[[], Any]] = {}


def read_along(attribute: str, expression: Callable[[], Any]) -> None:
    """Read `expression()` (an expression on the user's row: a `Subquery` with `OuterRef("pk")`)
    with every person, into `attribute` on them. From an `AppConfig.ready`: the statement is
    built at the first read. The value is as the request began; a view that writes what it
    describes reads it afresh."""
    _read_along[attribute] = expression
    _statement.cache_clear()


@functools.cache
def _statement(vendor: str) -> tuple[type[User], str, int, list[str], list[Any]]:
    """The user model, the SQL of its `filter(pk=%s)` with what is read along, how many of its
    columns are the model's fields, their names then the attributes read along, and the
    converters by column (`vendor` only keys the cache)."""
    user_model: type[User] = get_user_model()
    queryset = user_model._default_manager.filter(pk=_PLACEHOLDER)
    queryset = queryset.annotate(**{name: make() for name, make in _read_along.items()})
    compiler = queryset.query.get_compiler(DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    if tuple(params) != (_PLACEHOLDER,):  # a default manager that filters: not this shortcut
        raise ValueError(f"unexpected parameters for the person's query: {params!r}")
    expressions = [expression for expression, _, _ in compiler.select]
    fields = len(expressions) - len(_read_along)
    names = [column.target.attname for column in expressions[:fields]]
    along = sorted(compiler.annotation_col_map, key=compiler.annotation_col_map.__getitem__)
    converters = list(compiler.get_converters(expressions).items())
    return user_model, sql, fields, [*names, *along], converters


def read_person(pk: object) -> User | None:
    """The person with this primary key, or None: `_default_manager.get(pk=pk)` without
    building the query."""
    connection = connections[DEFAULT_DB_ALIAS]
    user_model, sql, fields, names, converters = _statement(connection.vendor)
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
    person = user_model.from_db(DEFAULT_DB_ALIAS, names[:fields], values[:fields])
    for name, value in zip(names[fields:], values[fields:], strict=True):
        setattr(person, name, value)
    return person


class PersonBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = read_person(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
