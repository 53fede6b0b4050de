-- Tessera catalog, version 7: plain views (CREATE VIEW, docs/architecture.md "Views").
-- view_id is drawn from the Tables id sequence (sqlite_sequence 'Tables'), as partition_id
-- is, so it never equals a table id: it is the view's pg_class OID, and owner/ACL rows in
-- TableSecurity and comments keyed by relation id serve views unchanged.
-- query: the defining SELECT's source text, parsed and planned again at each use with
-- search_path: the JSON list of schemas in force at CREATE VIEW (so a later SET search_path
-- does not change what the view reads). columns: JSON [{"name","typeOid","typmod"}], fixed at
-- creation as PostgreSQL fixes them. depends_on: JSON list of the table and view ids the
-- query read (DROP TABLE ... RESTRICT refuses while a view depends on it).

CREATE TABLE Views (
  view_id     INTEGER PRIMARY KEY,
  schema      TEXT    NOT NULL,
  name        TEXT    NOT NULL,
  query       TEXT    NOT NULL,
  columns     TEXT    NOT NULL,
  search_path TEXT    NOT NULL,
  depends_on  TEXT    NOT NULL,
  created_on  INTEGER NOT NULL,
  UNIQUE (schema, name)
);
