/**
 * types/: the OIDs of the built-in types Tessera speaks, as in PostgreSQL 15's pg_type.
 * These numbers go on the wire (RowDescription, ParameterDescription, array headers) and must
 * match PostgreSQL's exactly.
 */

/** pg_type OIDs of the supported scalar and pseudo types. */
export const Oid = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  unknown: 705,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
  void: 2278,
  record: 2249,
  bit: 1560,
  varbit: 1562,
  /** pgvector's types: PostgreSQL assigns these at CREATE EXTENSION time; Tessera's are fixed. */
  vector: 16385,
  halfvec: 16387,
  sparsevec: 16389,
} as const;

/** pg_type OIDs of the array types (typname `_elem`). */
export const ArrayOid = {
  bool: 1000,
  bytea: 1001,
  char: 1002,
  name: 1003,
  int2: 1005,
  int4: 1007,
  text: 1009,
  bpchar: 1014,
  varchar: 1015,
  int8: 1016,
  float4: 1021,
  float8: 1022,
  oid: 1028,
  timestamp: 1115,
  date: 1182,
  time: 1183,
  timestamptz: 1185,
  interval: 1187,
  numeric: 1231,
  uuid: 2951,
  json: 199,
  jsonb: 3807,
  record: 2287,
  bit: 1561,
  varbit: 1563,
  vector: 16386,
  halfvec: 16388,
  sparsevec: 16390,
} as const;

export type ScalarTypeName = keyof typeof Oid;
