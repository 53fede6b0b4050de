/**
 * catalog/pg-catalog: the pg_catalog relations (pg_class, pg_attribute, pg_type, ...) with
 * PostgreSQL 15's column names and types, generated from the catalog per read. Columns a
 * client may read but Tessera has no notion of hold PostgreSQL's value for a fresh object
 * (no ACLs, no statistics, no inheritance). Registered in system-views.ts.
 */
import { Oid, PgArray, allTypes, typeByOid } from '../../types/index.ts';
import { ioProcNames, ioProcs } from './io-procs.ts';
import { constraintAttnums, hasDefault } from './model.ts';
import { partitionBoundText } from './partitions-model.ts';
import { AmOid, DATABASE_OWNER_OID, NamespaceOid, SUPERUSER_OID, attrdefOid, procOid, systemViewOid } from './oids.ts';
import { T, type CatalogRelationFn, int2Array, relation, vector0 } from './view-def.ts';
import { PG_SERVER_RELATIONS } from './pg-catalog-server.ts';
import { pgStatProgressCreateIndex } from './pg-stat-progress.ts';
import { schemaSecurityColumns, sequenceSecurityColumns, tableSecurityColumns } from './pg-catalog-security.ts';

const COLLATABLE = new Set<number>([Oid.text, Oid.varchar, Oid.bpchar]);
const DEFAULT_COLLATION = 100;
const C_COLLATION = 950;

function collationOf(typeOid: number): number {
  if (COLLATABLE.has(typeOid)) return DEFAULT_COLLATION;
  if (typeOid === Oid.name) return C_COLLATION;
  const t = typeByOid(typeOid);
  if (t && t.category === 'A' && COLLATABLE.has(t.elemOid)) return DEFAULT_COLLATION;
  return 0;
}

function byval(typlen: number): boolean {
  return typlen > 0 && typlen <= 8 && typlen !== 6 && typlen !== 64;
}

function align(typlen: number): string {
  return typlen === 8 ? 'd' : typlen === 2 ? 's' : typlen === 1 || typlen === 64 ? 'c' : 'i';
}

export const pgNamespace = relation(
  [['oid', T.oid], ['nspname', T.name], ['nspowner', T.oid], ['nspacl', T.aclArr]],
  (m) => m.namespaces.map((n) => {
    const sec = schemaSecurityColumns(m, n.name);
    return [n.oid, n.name, sec?.owner ?? (n.name === 'public' ? DATABASE_OWNER_OID : SUPERUSER_OID),
      sec ? sec.acl : n.name === 'public' ? PgArray.of(['pg_database_owner=UC/pg_database_owner', '=U/pg_database_owner']) : null];
  }),
);

const CLASS_COLUMNS = [
  ['oid', T.oid], ['relname', T.name], ['relnamespace', T.oid], ['reltype', T.oid], ['reloftype', T.oid], ['relowner', T.oid],
  ['relam', T.oid], ['relfilenode', T.oid], ['reltablespace', T.oid], ['relpages', T.int4], ['reltuples', T.float4],
  ['relallvisible', T.int4], ['reltoastrelid', T.oid], ['relhasindex', T.bool], ['relisshared', T.bool], ['relpersistence', T.char],
  ['relkind', T.char], ['relnatts', T.int2], ['relchecks', T.int2], ['relhasrules', T.bool], ['relhastriggers', T.bool],
  ['relhassubclass', T.bool], ['relrowsecurity', T.bool], ['relforcerowsecurity', T.bool], ['relispopulated', T.bool],
  ['relreplident', T.char], ['relispartition', T.bool], ['relrewrite', T.oid], ['relfrozenxid', T.xid], ['relminmxid', T.xid],
  ['relacl', T.aclArr], ['reloptions', T.textArr], ['relpartbound', T.node],
] as const;

function classRow(
  oid: number, name: string, ns: number, kind: string, am: number, natts: number,
  opts: {
    tuples?: number; hasIndex?: boolean; checks?: number; hasSubclass?: boolean; isPartition?: boolean; partbound?: string;
    /** Owner, ACL and row-level security flags (pg-catalog-security.ts); defaults: OID 10, NULL, off. */
    security?: { owner: number; acl: unknown; rls: boolean; force: boolean };
  },
): unknown[] {
  const sec = opts.security;
  // Partitioned tables ('p') and indexes ('I') have no storage of their own: no relfilenode.
  return [
    oid, name, ns, 0, 0, sec?.owner ?? SUPERUSER_OID, am, kind === 'v' || kind === 'p' || kind === 'I' ? 0 : oid, 0, 0, opts.tuples ?? -1, 0, 0, opts.hasIndex ?? false, false, 'p',
    kind, natts, opts.checks ?? 0, false, false, opts.hasSubclass ?? false, sec?.rls ?? false, sec?.force ?? false, true, kind === 'r' || kind === 'p' ? 'd' : 'n',
    opts.isPartition ?? false, 0, kind === 'r' ? 1 : 0, kind === 'r' ? 1 : 0, sec?.acl ?? null, null, opts.partbound ?? null,
  ];
}

export const pgClass = relation(CLASS_COLUMNS, (m) => {
  const rows: unknown[][] = [];
  // Partitioned tables: relkind 'p' (and 'I' for their indexes); named partitions: relispartition with their bound.
  const parents = new Set([...m.partitions.values()].map((r) => r.parent.tableId));
  for (const t of m.tables) {
    const hasIndex = m.indexes.some((i) => i.table === t);
    const checks = t.constraints.filter((c) => c.kind === 'check').length;
    const count = t.partitionKey ? -1 : m.rowCount(t.tableId);
    const part = m.partitions.get(t.tableId);
    rows.push(classRow(t.tableId, t.name, m.namespaces.find((n) => n.name === t.schema)?.oid ?? 0, t.partitionKey ? 'p' : 'r', t.partitionKey ? 0 : AmOid.heap,
      t.columns.length, { tuples: count > 0 ? count : -1, hasIndex, checks, hasSubclass: parents.has(t.tableId), isPartition: part !== undefined,
        partbound: part ? partitionBoundText(part) : undefined, security: tableSecurityColumns(m, part ? part.parent.tableId : t.tableId) }));
  }
  const parentIndexes = new Set(m.indexParents.values());
  for (const i of m.indexes) {
    const am = (AmOid as Record<string, number>)[i.am] ?? AmOid.btree;
    const partitioned = i.table.partitionKey !== null && i.table.partitionKey !== undefined;
    rows.push(classRow(i.oid, i.name, m.namespaces.find((n) => n.name === i.table.schema)?.oid ?? 0, partitioned ? 'I' : 'i', am, i.attnums.length,
      { tuples: 0, hasSubclass: parentIndexes.has(i.oid), isPartition: m.indexParents.has(i.oid) }));
  }
  for (const s of m.sequences) rows.push(classRow(s.oid, s.name, m.namespaces.find((n) => n.name === s.schema)?.oid ?? 0, 'S', 0, 3, { tuples: 1, security: sequenceSecurityColumns(m, s.name, s.table.tableId) }));
  // Plain views: relkind 'v' with their _RETURN rule (relhasrules), owner and ACL as tables keep them.
  for (const v of m.views) {
    const row = classRow(v.viewId, v.name, m.namespaces.find((n) => n.name === v.schema)?.oid ?? 0, 'v', 0, v.columns.length, { tuples: -1, security: tableSecurityColumns(m, v.viewId) });
    row[19] = true;
    rows.push(row);
  }
  for (const r of m.ctx.systemRelations ?? []) {
    const [schema, name] = r.name.split('.') as [string, string];
    const catalogTable = schema === 'pg_catalog' && systemViewOid(r.name) < 10_000;
    rows.push(classRow(systemViewOid(r.name), name, m.namespaces.find((n) => n.name === schema)?.oid ?? 0, catalogTable ? 'r' : 'v',
      catalogTable ? AmOid.heap : 0, r.columns.length, {}));
  }
  return rows;
});

const ATTRIBUTE_COLUMNS = [
  ['attrelid', T.oid], ['attname', T.name], ['atttypid', T.oid], ['attstattarget', T.int4], ['attlen', T.int2], ['attnum', T.int2],
  ['attndims', T.int4], ['attcacheoff', T.int4], ['atttypmod', T.int4], ['attbyval', T.bool], ['attalign', T.char],
  ['attstorage', T.char], ['attcompression', T.char], ['attnotnull', T.bool], ['atthasdef', T.bool], ['atthasmissing', T.bool],
  ['attidentity', T.char], ['attgenerated', T.char], ['attisdropped', T.bool], ['attislocal', T.bool], ['attinhcount', T.int4],
  ['attcollation', T.oid], ['attacl', T.aclArr], ['attoptions', T.textArr], ['attfdwoptions', T.textArr], ['attmissingval', T.anyarray],
] as const;

/** PostgreSQL's system columns, attnum -1 to -6. */
const SYSTEM_COLUMNS: readonly [string, number, number, number][] = [
  ['tableoid', -6, Oid.oid, 4], ['cmax', -5, Oid.cid, 4], ['xmax', -4, Oid.xid, 4], ['cmin', -3, Oid.cid, 4], ['xmin', -2, Oid.xid, 4],
  ['ctid', -1, Oid.tid, 6],
];

function attributeRow(
  relid: number, name: string, typeOid: number, attnum: number, typmod: number,
  o: { notNull?: boolean; hasDef?: boolean; identity?: string; dropped?: boolean; missing?: boolean },
): unknown[] {
  const t = typeByOid(typeOid);
  const len = t?.typlen ?? -1;
  const storage = len === -1 ? (typeOid === Oid.numeric ? 'm' : 'x') : 'p';
  return [
    relid, name, o.dropped ? 0 : typeOid, -1, len, attnum, t?.category === 'A' ? 1 : 0, -1, typmod, byval(len), align(len),
    storage, '', o.notNull ?? false, o.hasDef ?? false, o.missing ?? false, o.identity ?? '', '', o.dropped ?? false,
    true, 0, o.dropped ? 0 : collationOf(typeOid), null, null, null, null,
  ];
}

export const pgAttribute = relation(ATTRIBUTE_COLUMNS, (m) => {
  const rows: unknown[][] = [];
  for (const t of m.tables) {
    for (const [name, attnum, type, len] of SYSTEM_COLUMNS) {
      const row = attributeRow(t.tableId, name, type, attnum, -1, { notNull: true });
      row[4] = len;
      rows.push(row);
    }
    const pk = new Set(t.constraints.filter((c) => c.kind === 'primary').flatMap((c) => c.attnums));
    for (const c of t.columns) {
      rows.push(attributeRow(t.tableId, c.name, c.typeOid, c.attnum, c.typmod, {
        notNull: c.notNull || pk.has(c.attnum), hasDef: hasDefault(c),
        identity: c.identity === 'always' ? 'a' : c.identity === 'by default' ? 'd' : '', dropped: c.dropped, missing: c.missingValue !== null,
      }));
    }
  }
  for (const i of m.indexes) {
    i.attnums.forEach((a, k) => {
      const c = i.table.columns.find((x) => x.attnum === a);
      if (c) rows.push(attributeRow(i.oid, c.name, c.typeOid, k + 1, c.typmod, {}));
    });
  }
  for (const s of m.sequences) {
    rows.push(attributeRow(s.oid, 'last_value', Oid.int8, 1, -1, { notNull: true }));
    rows.push(attributeRow(s.oid, 'log_cnt', Oid.int8, 2, -1, { notNull: true }));
    rows.push(attributeRow(s.oid, 'is_called', Oid.bool, 3, -1, { notNull: true }));
  }
  for (const v of m.views) v.columns.forEach((c, k) => rows.push(attributeRow(v.viewId, c.name, c.typeOid, k + 1, c.typmod, {})));
  for (const r of m.ctx.systemRelations ?? []) {
    const oid = systemViewOid(r.name);
    r.columns.forEach((c, k) => rows.push(attributeRow(oid, c.name, c.typeOid, k + 1, -1, {})));
  }
  return rows;
});

export const pgAttrdef = relation(
  [['oid', T.oid], ['adrelid', T.oid], ['adnum', T.int2], ['adbin', T.node]],
  (m) => m.tables.flatMap((t) => t.columns
    .filter((c) => !c.dropped && hasDefault(c))
    .map((c) => [attrdefOid(t.tableId, c.attnum), t.tableId, c.attnum, m.defaultText(t, c)])),
);

const TYPE_COLUMNS = [
  ['oid', T.oid], ['typname', T.name], ['typnamespace', T.oid], ['typowner', T.oid], ['typlen', T.int2], ['typbyval', T.bool],
  ['typtype', T.char], ['typcategory', T.char], ['typispreferred', T.bool], ['typisdefined', T.bool], ['typdelim', T.char],
  ['typrelid', T.oid], ['typsubscript', T.regproc], ['typelem', T.oid], ['typarray', T.oid], ['typinput', T.regproc],
  ['typoutput', T.regproc], ['typreceive', T.regproc], ['typsend', T.regproc], ['typmodin', T.regproc], ['typmodout', T.regproc],
  ['typanalyze', T.regproc], ['typalign', T.char], ['typstorage', T.char], ['typnotnull', T.bool], ['typbasetype', T.oid],
  ['typtypmod', T.int4], ['typndims', T.int4], ['typcollation', T.oid], ['typdefaultbin', T.node], ['typdefault', T.text],
  ['typacl', T.aclArr],
] as const;

const PREFERRED = new Set<number>([Oid.bool, Oid.text, Oid.float8, Oid.oid, Oid.timestamptz, Oid.interval, Oid.varbit]);
const VECTOR_TYPES = new Set<number>([Oid.vector, Oid.halfvec, Oid.sparsevec]);

export const pgType = relation(TYPE_COLUMNS, (m) => {
  const io = ioProcs().oids;
  return allTypes().map((t) => {
    const p = ioProcNames(t);
    const isVector = VECTOR_TYPES.has(t.oid) || VECTOR_TYPES.has(t.elemOid);
    // pgvector's types belong to the schema CREATE EXTENSION vector put them in; before that they are built in.
    const ns = isVector && m.ctx.extensions.includes('vector') ? NamespaceOid.public : NamespaceOid.pg_catalog;
    const pseudo = t.category === 'P' && !t.name.startsWith('_') ? 'p' : 'b';
    const len = t.typlen;
    return [
      t.oid, t.name, ns, SUPERUSER_OID, len, byval(len), pseudo, t.category, PREFERRED.has(t.oid), true, ',', 0, 0, t.elemOid,
      t.arrayOid, io.get(p.input) ?? 0, io.get(p.output) ?? 0, io.get(p.receive) ?? 0, io.get(p.send) ?? 0, 0, 0, 0,
      len === -1 && t.category === 'A' ? 'i' : align(len), len === -1 ? (t.oid === Oid.numeric ? 'm' : 'x') : 'p', false, 0, -1, 0, collationOf(t.oid), null, null, null,
    ];
  });
});

export const pgIndex = relation(
  [
    ['indexrelid', T.oid], ['indrelid', T.oid], ['indnatts', T.int2], ['indnkeyatts', T.int2], ['indisunique', T.bool],
    ['indnullsnotdistinct', T.bool], ['indisprimary', T.bool], ['indisexclusion', T.bool], ['indimmediate', T.bool],
    ['indisclustered', T.bool], ['indisvalid', T.bool], ['indcheckxmin', T.bool], ['indisready', T.bool], ['indislive', T.bool],
    ['indisreplident', T.bool], ['indkey', T.int2vector], ['indcollation', T.oidvector], ['indclass', T.oidvector],
    ['indoption', T.int2vector], ['indexprs', T.node], ['indpred', T.node],
  ],
  (m) => m.indexes.map((i) => [
    i.oid, i.table.tableId, i.attnums.length, i.attnums.length, i.unique, false, i.primary, false, true, false, true, false, true, true,
    false, vector0(i.attnums), vector0(i.attnums.map((a) => collationOf(i.table.columns.find((c) => c.attnum === a)?.typeOid ?? 0))),
    // indoption: bit 0 DESC, bit 1 NULLS FIRST (the default for DESC).
    vector0(i.attnums.map((a, k) => indexOpclassOid(i.am, i.opclasses?.[k] ?? null, i.table.columns.find((c) => c.attnum === a)?.typeOid ?? 0))),
    vector0(i.attnums.map((_, k) => (i.descending?.[k] ? 3 : 0))), null, null,
  ]),
);

export const pgConstraint = relation(
  [
    ['oid', T.oid], ['conname', T.name], ['connamespace', T.oid], ['contype', T.char], ['condeferrable', T.bool],
    ['condeferred', T.bool], ['convalidated', T.bool], ['conrelid', T.oid], ['contypid', T.oid], ['conindid', T.oid],
    ['conparentid', T.oid], ['confrelid', T.oid], ['confupdtype', T.char], ['confdeltype', T.char], ['confmatchtype', T.char],
    ['conislocal', T.bool], ['coninhcount', T.int4], ['connoinherit', T.bool], ['conkey', T.int2Arr], ['confkey', T.int2Arr],
    ['conpfeqop', T.oidArr], ['conppeqop', T.oidArr], ['conffeqop', T.oidArr], ['confdelsetcols', T.int2Arr], ['conexclop', T.oidArr],
    ['conbin', T.node],
  ],
  (m) => m.constraints.map((k) => [
    k.oid, k.def.name, m.namespaces.find((n) => n.name === k.table.schema)?.oid ?? 0, k.contype, false, false, true, k.table.tableId, 0,
    k.indexOid, 0, 0, ' ', ' ', ' ', true, 0, false, int2Array(constraintAttnums(k)),
    null, null, null, null, null, null, k.contype === 'c' ? m.constraintDef(k).replace(/^CHECK \((.*)\)$/, '$1') : null,
  ]),
);

export const pgAm = relation(
  [['oid', T.oid], ['amname', T.name], ['amhandler', T.regproc], ['amtype', T.char]],
  (m) => {
    const rows: unknown[][] = [
      [AmOid.heap, 'heap', 0, 't'], [AmOid.btree, 'btree', 0, 'i'], [AmOid.hash, 'hash', 0, 'i'], [AmOid.gist, 'gist', 0, 'i'],
      [AmOid.gin, 'gin', 0, 'i'], [AmOid.spgist, 'spgist', 0, 'i'], [AmOid.brin, 'brin', 0, 'i'],
    ];
    // pgvector's access methods appear with the extension (or once an index uses them: Tessera has them built in).
    const vector = m.ctx.extensions.includes('vector');
    if (vector || m.indexes.some((i) => i.am === 'hnsw')) rows.push([AmOid.hnsw, 'hnsw', 0, 'i']);
    if (vector || m.indexes.some((i) => i.am === 'ivfflat')) rows.push([AmOid.ivfflat, 'ivfflat', 0, 'i']);
    return rows;
  },
);

const OPCLASSES: readonly [string, number, number, boolean][] = [
  ['vector_l2_ops', AmOid.hnsw, Oid.vector, false], ['vector_ip_ops', AmOid.hnsw, Oid.vector, false],
  ['vector_cosine_ops', AmOid.hnsw, Oid.vector, false], ['vector_l1_ops', AmOid.hnsw, Oid.vector, false],
  ['halfvec_l2_ops', AmOid.hnsw, Oid.halfvec, false], ['halfvec_ip_ops', AmOid.hnsw, Oid.halfvec, false],
  ['halfvec_cosine_ops', AmOid.hnsw, Oid.halfvec, false], ['halfvec_l1_ops', AmOid.hnsw, Oid.halfvec, false],
  ['sparsevec_l2_ops', AmOid.hnsw, Oid.sparsevec, false], ['sparsevec_ip_ops', AmOid.hnsw, Oid.sparsevec, false],
  ['sparsevec_cosine_ops', AmOid.hnsw, Oid.sparsevec, false], ['sparsevec_l1_ops', AmOid.hnsw, Oid.sparsevec, false],
  ['vector_l2_ops', AmOid.ivfflat, Oid.vector, true], ['vector_ip_ops', AmOid.ivfflat, Oid.vector, false],
  ['vector_cosine_ops', AmOid.ivfflat, Oid.vector, false], ['halfvec_l2_ops', AmOid.ivfflat, Oid.halfvec, true],
  ['vector_ops', AmOid.btree, Oid.vector, true], ['int4_ops', AmOid.btree, Oid.int4, true], ['int8_ops', AmOid.btree, Oid.int8, true],
  ['text_ops', AmOid.btree, Oid.text, true],
  // Appended (the list index is the OID): the other built-in types' default btree classes.
  ['int2_ops', AmOid.btree, Oid.int2, true], ['float4_ops', AmOid.btree, Oid.float4, true], ['float8_ops', AmOid.btree, Oid.float8, true],
  ['numeric_ops', AmOid.btree, Oid.numeric, true], ['bool_ops', AmOid.btree, Oid.bool, true], ['bpchar_ops', AmOid.btree, Oid.bpchar, true],
  ['date_ops', AmOid.btree, Oid.date, true], ['timestamp_ops', AmOid.btree, Oid.timestamp, true], ['timestamptz_ops', AmOid.btree, Oid.timestamptz, true],
  ['time_ops', AmOid.btree, Oid.time, true], ['interval_ops', AmOid.btree, Oid.interval, true], ['uuid_ops', AmOid.btree, Oid.uuid, true],
  ['bytea_ops', AmOid.btree, Oid.bytea, true], ['jsonb_ops', AmOid.btree, Oid.jsonb, true], ['name_ops', AmOid.btree, Oid.name, true],
  ['oid_ops', AmOid.btree, Oid.oid, true], ['money_ops', AmOid.btree, Oid.money, true], ['timetz_ops', AmOid.btree, Oid.timetz, true],
];

/** btree's default class for a type (varchar and name compare through text_ops / name_ops, as in PostgreSQL). */
function defaultBtreeOpclass(typeOid: number): string | null {
  const type = typeOid === Oid.varchar ? Oid.text : typeOid;
  return OPCLASSES.find(([, am, t, dflt]) => am === AmOid.btree && t === type && dflt)?.[0] ?? null;
}

/** pg_index.indclass entry: the named class of the index's method, else the method's default for the column type; 0 if none. */
function indexOpclassOid(am: string, opclass: string | null, typeOid: number): number {
  const amOid = (AmOid as Record<string, number>)[am] ?? 0;
  const name = opclass ?? (amOid === AmOid.btree ? defaultBtreeOpclass(typeOid) : null);
  const i = OPCLASSES.findIndex(([n, a]) => n === name && a === amOid);
  return i < 0 ? 0 : 16_500 + i;
}

export const pgOpclass = relation(
  [
    ['oid', T.oid], ['opcmethod', T.oid], ['opcname', T.name], ['opcnamespace', T.oid], ['opcowner', T.oid], ['opcfamily', T.oid],
    ['opcintype', T.oid], ['opcdefault', T.bool], ['opckeytype', T.oid],
  ],
  // btree's classes are PostgreSQL's own (pg_catalog); pgvector's live in public as members of
  // the vector extension (extension-members.ts), listed once it exists or an index uses them.
  (m) => OPCLASSES.flatMap(([name, am, type, dflt], i) => {
    const builtIn = am === AmOid.btree && !VECTOR_TYPES.has(type);
    if (!builtIn && !m.ctx.extensions.includes('vector') && !m.indexes.some((x) => (AmOid as Record<string, number>)[x.am] === am)) return [];
    return [[16_500 + i, am, name, builtIn ? NamespaceOid.pg_catalog : NamespaceOid.public, SUPERUSER_OID, 16_600 + i, type, dflt, 0]];
  }),
);

/** pg_opclass OIDs of pgvector's operator classes (members of the vector extension). */
export function vectorOpclassOids(): number[] {
  return OPCLASSES.flatMap(([, , type], i) => (VECTOR_TYPES.has(type) ? [16_500 + i] : []));
}

export const pgProc = relation(
  [
    ['oid', T.oid], ['proname', T.name], ['pronamespace', T.oid], ['proowner', T.oid], ['prolang', T.oid], ['procost', T.float4],
    ['prorows', T.float4], ['provariadic', T.oid], ['prosupport', T.regproc], ['prokind', T.char], ['prosecdef', T.bool],
    ['proleakproof', T.bool], ['proisstrict', T.bool], ['proretset', T.bool], ['provolatile', T.char], ['proparallel', T.char],
    ['pronargs', T.int2], ['pronargdefaults', T.int2], ['prorettype', T.oid], ['proargtypes', T.oidvector], ['proallargtypes', T.oidArr],
    ['proargmodes', T.charArr], ['proargnames', T.textArr], ['proargdefaults', T.node], ['protrftypes', T.oidArr], ['prosrc', T.text],
    ['probin', T.text], ['prosqlbody', T.node], ['proconfig', T.textArr], ['proacl', T.aclArr],
  ],
  (m) => {
    const rows: unknown[][] = m.ctx.functions.map((f, i) => [
      procOid(i), f.name, NamespaceOid.pg_catalog, SUPERUSER_OID, 12, 1, f.returnsSet ? 1000 : 0, 0, 0, f.kind, false, false, f.strict,
      f.returnsSet, f.volatility[0], 's', f.argTypes.length, 0, f.returnType, vector0(f.argTypes), null, null, null, null, null, f.name,
      null, null, null, null,
    ]);
    const io = ioProcs();
    for (const name of io.names) {
      rows.push([io.oids.get(name), name, NamespaceOid.pg_catalog, SUPERUSER_OID, 12, 1, 0, 0, 0, 'f', false, false, true, false, 'i', 's',
        1, 0, Oid.cstring, vector0([Oid.cstring]), null, null, null, null, null, name, null, null, null, null]);
    }
    return rows;
  },
);

/** The pg_catalog relations by name (the schema's objects here, the server's in pg-catalog-server.ts). */
export const PG_CATALOG_RELATIONS: Readonly<Record<string, CatalogRelationFn>> = {
  pg_namespace: pgNamespace, pg_class: pgClass, pg_attribute: pgAttribute, pg_attrdef: pgAttrdef, pg_type: pgType, pg_index: pgIndex,
  pg_constraint: pgConstraint, pg_am: pgAm, pg_opclass: pgOpclass, pg_proc: pgProc,
  ...PG_SERVER_RELATIONS,
  pg_stat_progress_create_index: pgStatProgressCreateIndex,
};

