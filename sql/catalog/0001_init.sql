-- Tessera catalog, version 1: seed 001's Tables / TableFiles extended for multi-column SQL
-- tables, plus Schemas, Sequences and engine Meta. Applied by src/catalog/migrations.ts in
-- one transaction. Time columns are microseconds since the Unix epoch.

CREATE TABLE Schemas (
  schema_id  INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT    NOT NULL UNIQUE,
  created_on INTEGER NOT NULL
);

INSERT INTO Schemas (name, created_on) VALUES
  ('public',  CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  ('tessera', CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER));

-- AUTOINCREMENT: table ids name storage folders and WAL records, so they are never reused.
CREATE TABLE Tables (
  table_id        INTEGER PRIMARY KEY AUTOINCREMENT,
  schema_id       INTEGER NOT NULL,
  table_name      TEXT    NOT NULL,
  state           INTEGER NOT NULL DEFAULT 0,        -- 0 normal, 1 soft-deleted
  dimension       INTEGER NOT NULL DEFAULT 0,        -- 0 unless exactly one vector column
  created_on      INTEGER NOT NULL,
  flag            INTEGER NOT NULL DEFAULT 0,
  index_file_size INTEGER NOT NULL,                  -- bytes; table option segment_size
  engine_type     INTEGER NOT NULL DEFAULT 1,        -- 1 = FLAT (no index)
  metric_type     INTEGER NOT NULL DEFAULT 1,
  index_params    TEXT    NOT NULL DEFAULT '{}',
  version         TEXT    NOT NULL DEFAULT '0.1.0',
  columns         TEXT    NOT NULL DEFAULT '[]',
  constraints     TEXT    NOT NULL DEFAULT '[]',
  options         TEXT    NOT NULL DEFAULT '{}'
);

CREATE UNIQUE INDEX Tables_live_name ON Tables (schema_id, table_name) WHERE state = 0;

-- file_type: NEW 0, RAW 1, TO_INDEX 2, INDEX 3, TO_DELETE 4, NEW_MERGE 5, NEW_INDEX 6, BACKUP 7.
-- source_file_id links an index file to the raw file it was built from.
CREATE TABLE TableFiles (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  table_id       INTEGER NOT NULL,
  segment_id     INTEGER NOT NULL,
  file_id        TEXT    NOT NULL UNIQUE,
  file_type      INTEGER NOT NULL,
  file_size      INTEGER NOT NULL DEFAULT 0,
  row_count      INTEGER NOT NULL DEFAULT 0,
  deleted_count  INTEGER NOT NULL DEFAULT 0,
  updated_time   INTEGER NOT NULL,
  created_on     INTEGER NOT NULL,
  date           INTEGER NOT NULL,                   -- YYYYMMDD (UTC)
  location       TEXT    NOT NULL,                   -- object-store key
  wal_lsn        INTEGER NOT NULL DEFAULT 0,         -- WAL position the file covers
  min_max        TEXT,                               -- JSON zone map
  engine_type    INTEGER NOT NULL DEFAULT 1,
  source_file_id INTEGER
);

CREATE INDEX TableFiles_table_state ON TableFiles (table_id, file_type);
CREATE INDEX TableFiles_state ON TableFiles (file_type);

-- value is the next value to hand out; NULL once a non-cycling sequence is exhausted.
CREATE TABLE Sequences (
  name      TEXT    PRIMARY KEY,
  value     INTEGER,
  increment INTEGER NOT NULL DEFAULT 1,
  min       INTEGER NOT NULL,
  max       INTEGER NOT NULL,
  cycle     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE Meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

INSERT INTO Meta (key, value) VALUES ('next_segment_id', '1');
