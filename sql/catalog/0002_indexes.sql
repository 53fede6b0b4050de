-- Tessera catalog, version 2: SQL indexes (CREATE INDEX). An ANN index (hnsw; ivfflat is
-- built as hnsw) has one graph file per sealed segment in TableFiles: file_type INDEX,
-- source_file_id = the raw segment file, index_id = the Indexes row (seed 001's RAW →
-- TO_INDEX → NEW_INDEX → INDEX, raw kept as BACKUP; DROP INDEX reverses). btree indexes are
-- recorded only (the planner does not use them yet).

CREATE TABLE Indexes (
  index_id   INTEGER PRIMARY KEY AUTOINCREMENT,
  schema_id  INTEGER NOT NULL,
  index_name TEXT    NOT NULL,
  table_id   INTEGER NOT NULL,
  method     TEXT    NOT NULL,               -- hnsw, ivfflat, btree, hash, ...
  columns    TEXT    NOT NULL,               -- JSON [{"attnum", "opclass", "descending"}]
  options    TEXT    NOT NULL DEFAULT '{}',  -- JSON WITH (...) options, values as text
  created_on INTEGER NOT NULL
);

CREATE UNIQUE INDEX Indexes_name ON Indexes (schema_id, index_name);
CREATE INDEX Indexes_table ON Indexes (table_id);

ALTER TABLE TableFiles ADD COLUMN index_id INTEGER;
