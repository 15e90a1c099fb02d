"""Lists sent to PostgreSQL as one array literal (`'{1,2,3}'`) instead of one value each.

A group commit asks about hundreds of devices and tokens at once. Written as `IN (%s, %s, ...)`,
each query has a different text for every group size, which psycopg parses again, and each
value is adapted and quoted by itself in Python; a list passed as one parameter is adapted
element by element in Python too. Together that was a tenth of the ingest's Python. An array
literal is one string that `str.join` builds in C, cast by PostgreSQL (`%s::bigint[]`).

`array_literal` is for raw SQL; the lookup `field__in_array=values` is `field__in` for the ORM,
one parameter on PostgreSQL and a plain `IN (...)` elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignObject, lookups
from django.db.models.sql.compiler import SQLCompiler


def _element(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value)
    # Quoted, as any element that holds a comma, a brace, a quote, a space or a backslash must be.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def array_literal(values: Iterable[object]) -> str:
    """PostgreSQL's text form of an array of these values, for a `%s::<type>[]` parameter."""
    values = list(values)
    if all(type(value) is int for value in values):
        return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join(map(_element, values)) + "}"


class InArray(lookups.In):
    """`field__in_array=values`: `field__in` with one parameter on PostgreSQL (`= ANY`).

    The values go to the database as they are given (ids, hashes), without the field's
    conversion of each one; an empty list matches nothing, as `__in` does.
    """

    lookup_name = "in_array"

    def get_prep_lookup(self) -> Any:
        if isinstance(self.rhs, list | set | tuple | frozenset):
            return list(self.rhs)
        return super().get_prep_lookup()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, Any]:
        if not isinstance(self.rhs, list):
            return super().as_sql(compiler, connection)
        if not self.rhs:
            # As `__in`: the query is known to match nothing, and is not sent.
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        db_type = self.lhs.output_field.db_type(connection)
        return f"{lhs} = ANY(%s::{db_type}[])", [*lhs_params, array_literal(self.rhs)]


Field.register_lookup(InArray)
# Relations keep lookups of their own, which do not inherit those of every field.
ForeignObject.register_lookup(InArray)
