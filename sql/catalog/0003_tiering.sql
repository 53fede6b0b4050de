-- Tessera catalog, version 3: tiered storage (docs/tiering.md). TableFiles.tier says where a
-- file's object lives: 'local' (only in the data directory's cache), 'remote' (only in the
-- bucket), 'both'. TierObjects is the tiering layer's ledger of every object it stores
-- (segment, delete and index files): size, CRC-32, whether a local copy and a remote copy
-- exist, and remote deletions deferred until a catalog snapshot no longer references them.

ALTER TABLE TableFiles ADD COLUMN tier TEXT NOT NULL DEFAULT 'local';

CREATE TABLE TierObjects (
  key         TEXT    PRIMARY KEY,          -- object key (TableFiles.location for segment/index files)
  size        INTEGER NOT NULL,
  crc32       INTEGER NOT NULL,             -- of the whole object
  local       INTEGER NOT NULL DEFAULT 1,   -- 1: a copy is in the local cache
  remote      INTEGER NOT NULL DEFAULT 0,   -- 1: uploaded (S3 is the source of truth)
  deleting    INTEGER NOT NULL DEFAULT 0,   -- 1: deleted; remote copy removed after the next catalog snapshot
  updated_on  INTEGER NOT NULL              -- µs since the Unix epoch
);

CREATE INDEX TierObjects_pending ON TierObjects (remote, deleting);
