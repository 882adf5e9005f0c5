"""`filter(among("pk", ids))`: a field's value is one of many ids, sent as
one parameter.

`pk__in=ids` sends each id as a parameter of its own, which the ORM prepares
one by one and SQLite limits in number: for a notification to ten thousand
callers that is most of the request's time. Here the ids travel as one array
(PostgreSQL) or one JSON list (SQLite).
"""

import json

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
