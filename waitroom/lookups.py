"""`filter(among("pk", ids))`: a field's value is one of many ids, sent as
one parameter.

`pk__in=ids` sends each id as a parameter of its own, which the ORM prepares
one by one and SQLite limits in number: for a notification to ten thousand
callers that is most of the request's time. Here the ids travel as one array
(PostgreSQL) or one JSON list (SQLite).
"""

import json

from django.db import connections, router
from django.db.models import F, Lookup


class Among(Lookup):
    lookup_name = "among"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        ids = [int(i) for i in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", (*params, ids)
        if connection.vendor == "sqlite":
            return f"{lhs} IN (SELECT value FROM json_each(%s))", (*params, json.dumps(ids))
        raise NotImplementedError(f"among() on {connection.vendor}")


def among(field, ids):
    return Among(F(field), list(ids))


def set_each(model, field, values, **same):
    """UPDATE model SET field = values[pk] (and each of `same` to its one
    value) WHERE pk in values: one statement with the whole mapping as two
    parameters, where Case/When would build, resolve and send an expression
    and three parameters per row (a reconnect storm writes 500 rows at once).
    `field` and `same` are text columns."""
    if not values:
        return
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    extra = "".join(f", {quote(meta.get_field(name).column)} = %s" for name in same)
    column = quote(meta.get_field(field).column)
    ids = [int(i) for i in values]
    if connection.vendor == "postgresql":
        sql = (f"UPDATE {table} SET {column} = v.value{extra} FROM unnest(%s::bigint[], %s::text[]) AS v(id, value) "
               f"WHERE {table}.{pk} = v.id")
        params = [*same.values(), ids, [str(values[i]) for i in values]]
    elif connection.vendor == "sqlite":
        sql = (f"UPDATE {table} SET {column} = json_extract(%s, '$.\"' || {pk} || '\"'){extra} "
               f"WHERE {pk} IN (SELECT value FROM json_each(%s))")
        params = [json.dumps({str(int(i)): str(v) for i, v in values.items()}), *same.values(), json.dumps(ids)]
    else:
        raise NotImplementedError(f"set_each() on {connection.vendor}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rows_of(queryset):
    """The rows of a values_list() queryset, read in one fetch.

    Django reads a result 100 rows at a time, and each read lets go of the
    interpreter's lock and waits its turn to take it back: ten thousand
    callers of a notification were a hundred such waits, each up to the
    switch interval (5 ms) while the event loop is busy, with the database's
    write lock held all along."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
