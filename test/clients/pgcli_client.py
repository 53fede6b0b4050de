"""Client script for test/clients/pgcli.test.ts: pgcli (Debian's pgcli, over psycopg 3).

Usage: python3 pgcli_client.py DSN. Prints one JSON transcript on stdout: the completion
queries pgcli's refresher runs (PGExecute.schemata/tables/views/table_columns/functions/
datatypes/search_path/databases) and backslash commands through pgspecial, after creating
a small schema; every statement goes through pgcli's own run(), as typed at its prompt.
"""
import json
import sys
from urllib.parse import urlparse

from pgcli.pgexecute import PGExecute
from pgspecial.main import PGSpecial


def main(dsn):
    out = []

    def note(label, value):
        out.append({"label": label, "value": value})

    u = urlparse(dsn)  # pgcli 3.5 passes dsn= on to psycopg as an option it rejects: give the parts
    e = PGExecute(database=u.path.lstrip("/"), user=u.username, password=None, host=u.hostname, port=u.port)
    special = PGSpecial()

    def run(sql):
        results = []
        for title, rows, headers, status, _sql, success, _is_special in e.run(sql, pgspecial=special, exception_formatter=lambda ex: str(ex).split("\n")[0], on_error_resume=True):
            results.append({"title": title, "rows": [list(map(str, r)) for r in rows] if rows else None,
                            "headers": list(headers) if headers else None, "status": status, "success": success})
        return results

    note("ddl", run("CREATE TABLE shop (id serial PRIMARY KEY, name varchar(40) NOT NULL UNIQUE, price numeric(8,2) CHECK (price >= 0), tags text[]);"
                    " CREATE INDEX shop_price ON shop (price); CREATE SCHEMA extra; CREATE TABLE extra.notes (id int, body text);"))
    note("insert", run("INSERT INTO shop (name, price) VALUES ('a', 1.5), ('b', NULL); SELECT * FROM shop ORDER BY id"))
    note("error then usable", run("SELECT nope FROM shop; SELECT count(*) FROM shop"))
    note("schemata", sorted(s for s in e.schemata() if s in ("public", "extra")))
    note("tables", sorted(t for t in e.tables() if t[0] in ("public", "extra")))
    note("views", sorted(v for v in e.views() if v[0] in ("public", "extra")))
    note("table_columns", sorted(list(c) for c in e.table_columns() if c[0] in ("public", "extra")))
    note("search_path", e.search_path())
    note("datatypes", sorted(d for d in e.datatypes() if d[0] in ("public", "extra")))
    functions = list(e.functions())
    note("functions", len(functions) > 0)
    note("databases has postgres", "postgres" in e.databases())
    # e.casing() (only with generate_casing_file = True) is left out: it groups by a set-returning
    # function's output (regexp_split_to_table in SELECT with GROUP BY), 0A000 on Tessera so far.
    for cmd in ("\\dt", "\\d shop", "\\di", "\\dn", "\\d extra.notes", "\\dt extra.*"):
        results = run(cmd)
        if cmd == "\\dn":  # Tessera's own system-view schema is listed too
            for r in results:
                r["rows"] = [row for row in r["rows"] if row[0] != "tessera"]
                r["status"] = "SELECT %d" % len(r["rows"])
        note(cmd, results)
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
