-- Tessera catalog, version 4: partition-key multi-tenancy (docs/tenants.md).
-- Tables.partition_key: NULL, or JSON {"strategy":"list","attnum":N} — the column that names
-- each row's tenant (CREATE TABLE ... PARTITION BY LIST (col)).
-- TenantRuns: the directory of a clustered segment file — each tenant's rows are stored
-- contiguously at [start_row, start_row + row_count). `tenant` is the key's canonical text.
-- Partitions: named tenants declared with CREATE TABLE ... PARTITION OF ... FOR VALUES IN.

ALTER TABLE Tables ADD COLUMN partition_key TEXT;

CREATE TABLE TenantRuns (
  file_id    INTEGER NOT NULL,              -- TableFiles.id
  tenant     TEXT    NOT NULL,
  start_row  INTEGER NOT NULL,
  row_count  INTEGER NOT NULL,
  PRIMARY KEY (file_id, tenant)
) WITHOUT ROWID;

CREATE TABLE Partitions (
  table_id    INTEGER NOT NULL,             -- the partitioned (parent) table
  schema_id   INTEGER NOT NULL,
  name        TEXT    NOT NULL,
  bound       TEXT    NOT NULL,             -- JSON list of the key values, canonical text
  created_on  INTEGER NOT NULL,
  PRIMARY KEY (schema_id, name)
);
