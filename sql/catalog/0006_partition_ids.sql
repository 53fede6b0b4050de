-- Tessera catalog, version 6: named partitions (CREATE TABLE ... PARTITION OF ... FOR VALUES IN,
-- docs/tenants.md "SQL surface") get a relation id. partition_id is drawn from the Tables id
-- sequence (sqlite_sequence 'Tables'), so it never equals a table id: it is the partition's
-- pg_class OID, and the OID ranges keyed by table id (indexes, constraints) stay disjoint.
-- bound stays the JSON list of the key values in their canonical text, in declaration order.

ALTER TABLE Partitions ADD COLUMN partition_id INTEGER;
CREATE UNIQUE INDEX Partitions_id ON Partitions (partition_id);
CREATE INDEX Partitions_table ON Partitions (table_id);
