"""Client script for test/clients/psycopg2.test.ts: psycopg2 (Debian's python3-psycopg2).

Usage: python3 psycopg2_client.py DSN [scenario|vector]. Prints one JSON transcript on stdout.
psycopg2 speaks the simple query protocol only (parameters interpolated client-side); named
cursors are server-side cursors (DECLARE / FETCH FORWARD n / CLOSE); copy_expert runs COPY
FROM STDIN / TO STDOUT; connection.cancel() sends a CancelRequest on a new socket.
"""
import datetime
import decimal
import io
import json
import sys
import threading
import time

import psycopg2
import psycopg2.extras


def plain(v):
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, decimal.Decimal):
        return "D" + str(v)
    if isinstance(v, (datetime.date, datetime.datetime, datetime.time)):
        return v.isoformat()
    if isinstance(v, (bytes, memoryview)):
        return "\\x" + bytes(v).hex()
    return v


def scenario(dsn):
    out = []

    def note(label, value):
        out.append({"label": label, "value": plain(value)})

    def fails(label, fn):
        try:
            fn()
            note(label, "no error")
        except psycopg2.Error as e:
            note(label, {"code": e.pgcode, "constraint": e.diag.constraint_name, "message": e.diag.message_primary})

    conn = psycopg2.connect(dsn)
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("SET TimeZone = 'UTC'")
    cur.execute("""CREATE TABLE books (
        id bigserial PRIMARY KEY,
        isbn varchar(13) NOT NULL UNIQUE,
        title text NOT NULL,
        pages int2 CHECK (pages > 0),
        price numeric(8,2),
        weight real,
        in_print boolean NOT NULL DEFAULT true,
        published date,
        updated timestamp,
        extra json,
        tags text[])""")
    conn.commit()
    cur.execute(
        "INSERT INTO books (isbn, title, pages, price, weight, published, updated, extra, tags) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) RETURNING id",
        ("9780000000001", "O'Brien & \"Quotes\"", 321, decimal.Decimal("19.99"), 0.5, datetime.date(2001, 9, 9),
         datetime.datetime(2020, 1, 2, 3, 4, 5, 600000), psycopg2.extras.Json({"k": [1, "two"]}), ["a", "b,c"]))
    note("insert returning", cur.fetchone())
    cur.executemany("INSERT INTO books (isbn, title, pages, price) VALUES (%s, %s, %s, %s)",
                    [("97800000000%02d" % i, "Book %d" % i, i * 10, decimal.Decimal(i) / 4) for i in range(2, 40)])
    note("executemany rowcount", cur.rowcount)
    cur.execute("INSERT INTO books (isbn, title) VALUES (%s, %s)", ("9781111111111", None) if False else ("9781111111111", "Nulls"))
    conn.commit()
    cur.execute("SELECT id, isbn, title, pages, price, weight, in_print, published, updated, extra, tags FROM books WHERE id = %s", (1,))
    note("select", cur.fetchall())
    note("description", [(d.name, d.type_code) for d in cur.description])
    cur.execute("SELECT title, pages, price FROM books WHERE pages IS NULL OR price IS NULL ORDER BY id")
    note("nulls", cur.fetchall())
    cur.execute("SELECT %s::int IS NULL, %s", (None, None))
    note("null params", cur.fetchall())
    cur.execute("UPDATE books SET price = price * 2 WHERE pages BETWEEN %s AND %s", (100, 200))
    note("update", cur.rowcount)
    cur.execute("DELETE FROM books WHERE pages > %s", (350,))
    note("delete", cur.rowcount)
    conn.commit()

    cur.execute("UPDATE books SET title = 'gone'")
    cur.execute("INSERT INTO books (isbn, title) VALUES ('x', 'tmp')")
    conn.rollback()
    cur.execute("SELECT count(*), count(*) FILTER (WHERE title = 'gone') FROM books")
    note("after rollback", cur.fetchone())

    fails("unique", lambda: cur.execute("INSERT INTO books (isbn, title) VALUES (%s, %s)", ("9780000000001", "dup")))
    fails("aborted", lambda: cur.execute("SELECT 1"))
    conn.rollback()
    fails("check", lambda: cur.execute("UPDATE books SET pages = 0 WHERE id = 1"))
    conn.rollback()
    fails("syntax", lambda: cur.execute("SELEC 1"))
    conn.rollback()
    cur.execute("SELECT count(*) FROM books")
    note("usable", cur.fetchone())

    # Server-side (named) cursor: DECLARE ... / FETCH FORWARD itersize / CLOSE.
    named = conn.cursor("big_scan")
    named.itersize = 7
    named.execute("SELECT id, title FROM books WHERE id > %s ORDER BY id", (3,))
    first = named.fetchmany(3)
    rest = [r for r in named]
    note("named cursor", {"first": first, "rest": len(rest), "last": rest[-1] if rest else None})
    named.close()
    conn.commit()
    withhold = conn.cursor("held", withhold=True)
    withhold.execute("SELECT isbn FROM books ORDER BY isbn DESC LIMIT 4")
    conn.commit()
    note("with hold after commit", withhold.fetchall())
    withhold.close()

    # COPY both ways.
    data = io.StringIO("100\t9782222222222\tcopied one\t12\n101\t9782222222223\tcopied\\ttab\t\\N\n")
    cur.copy_expert("COPY books (id, isbn, title, pages) FROM STDIN", data)
    note("copy in", cur.rowcount)
    conn.commit()
    buf = io.StringIO()
    cur.copy_expert("COPY (SELECT id, title, pages, price FROM books WHERE id >= 100 OR id < 3 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)", buf)
    note("copy out", buf.getvalue())
    conn.commit()

    # Cancel a running statement from another thread (CancelRequest on a new socket).
    timer = threading.Timer(0.5, conn.cancel)
    timer.start()
    started = time.time()
    fails("cancel", lambda: cur.execute("SELECT pg_sleep(10)"))
    timer.join()
    note("cancelled quickly", time.time() - started < 5)
    conn.rollback()
    cur.execute("SELECT 42")
    note("usable after cancel", cur.fetchone())

    # Introspection as Python tools do it.
    cur.execute("""SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
                   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'public' AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""", ("books",))
    note("pg_attribute", cur.fetchall())
    conn.commit()
    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as dcur:
        dcur.execute("SELECT isbn, pages FROM books WHERE id = %(id)s", {"id": 2})
        note("dict cursor", dcur.fetchall())
    note("server_version >= 150000", conn.server_version >= 150000)
    conn.close()
    return out


def vector(dsn):
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
    cur.execute("CREATE TABLE emb (id int PRIMARY KEY, v vector(3))")
    cur.execute("CREATE INDEX emb_v ON emb USING hnsw (v vector_l2_ops)")
    rows = json.loads(sys.argv[3])
    psycopg2.extras.execute_values(cur, "INSERT INTO emb (id, v) VALUES %s", [(r["id"], str(r["v"])) for r in rows])
    cur.execute("SELECT id FROM emb ORDER BY v <-> %s::vector LIMIT 5", (str(json.loads(sys.argv[4])),))
    ids = [r[0] for r in cur.fetchall()]
    conn.close()
    return ids


if __name__ == "__main__":
    mode = sys.argv[2] if len(sys.argv) > 2 else "scenario"
    result = scenario(sys.argv[1]) if mode == "scenario" else vector(sys.argv[1])
    print(json.dumps(result))
