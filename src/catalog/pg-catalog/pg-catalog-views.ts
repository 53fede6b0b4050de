/**
 * catalog/pg-catalog: the pg_catalog relations (pg_class, pg_attribute, pg_type, ...) with
 * PostgreSQL 15's column names and types, generated from the catalog per read. Columns a
 * client may read but Tessera has no notion of hold PostgreSQL's value for a fresh object
 * (no ACLs, no statistics, no inheritance). Registered in system-views.ts.
 */
import { Oid, PgArray, allTypes, typeByOid } from '../../types/index.ts';
import { ioProcNames, ioProcs } from './io-procs.ts';
import { columnTypeText, constraintAttnums } from './model.ts';
import { AmOid, DATABASE_OID, DATABASE_OWNER_OID, ExtensionOid, NamespaceOid, SUPERUSER_OID, attrdefOid, procOid, systemViewOid } from './oids.ts';
import { T, type CatalogRelationFn, emptyRelation, int2Array, relation, vector0 } from './view-def.ts';

const PG_CLASS_OID = 1259;
const PG_CONSTRAINT_OID = 2606;

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
  (m) => m.namespaces.map((n) => [n.oid, n.name, n.name === 'public' ? DATABASE_OWNER_OID : SUPERUSER_OID,
    n.name === 'public' ? PgArray.of(['pg_database_owner=UC/pg_database_owner', '=U/pg_database_owner']) : null]),
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
  oid: number, name: string, ns: number, kind: string, am: number, natts: number, opts: { tuples?: number; hasIndex?: boolean; checks?: number },
): unknown[] {
  return [
    oid, name, ns, 0, 0, SUPERUSER_OID, am, kind === 'v' ? 0 : oid, 0, 0, opts.tuples ?? -1, 0, 0, opts.hasIndex ?? false, false, 'p',
    kind, natts, opts.checks ?? 0, false, false, false, false, false, true, kind === 'r' ? 'd' : 'n', false, 0, kind === 'r' ? 1 : 0,
    kind === 'r' ? 1 : 0, null, null, null,
  ];
}

export const pgClass = relation(CLASS_COLUMNS, (m) => {
  const rows: unknown[][] = [];
  for (const t of m.tables) {
    const live = t.columns.filter((c) => !c.dropped).length;
    const hasIndex = m.indexes.some((i) => i.table === t);
    const checks = t.constraints.filter((c) => c.kind === 'check').length;
    const count = m.catalog.rowCount(t.tableId);
    rows.push(classRow(t.tableId, t.name, m.namespaces.find((n) => n.name === t.schema)?.oid ?? 0, 'r', AmOid.heap, t.columns.length,
      { tuples: count > 0 ? count : -1, hasIndex, checks }));
    void live;
  }
  for (const i of m.indexes) {
    const am = (AmOid as Record<string, number>)[i.am] ?? AmOid.btree;
    rows.push(classRow(i.oid, i.name, m.namespaces.find((n) => n.name === i.table.schema)?.oid ?? 0, 'i', am, i.attnums.length, { tuples: 0 }));
  }
  for (const s of m.sequences) rows.push(classRow(s.oid, s.name, m.namespaces.find((n) => n.name === s.schema)?.oid ?? 0, 'S', 0, 3, { tuples: 1 }));
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
  ['attcollation', T.oid], ['attacl', T.aclArr], ['attoptions', T.textArr], ['attfdwoptions', T.textArr], ['attmissingval', T.textArr],
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
    storage, '\u0000'.slice(1), o.notNull ?? false, o.hasDef ?? false, o.missing ?? false, o.identity ?? '', '', o.dropped ?? false,
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
        notNull: c.notNull || pk.has(c.attnum), hasDef: c.defaultExpr !== null && c.identity === null,
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
  for (const r of m.ctx.systemRelations ?? []) {
    const oid = systemViewOid(r.name);
    r.columns.forEach((c, k) => rows.push(attributeRow(oid, c.name, c.typeOid, k + 1, -1, {})));
  }
  return rows;
});

export const pgAttrdef = relation(
  [['oid', T.oid], ['adrelid', T.oid], ['adnum', T.int2], ['adbin', T.node]],
  (m) => m.tables.flatMap((t) => t.columns
    .filter((c) => !c.dropped && c.defaultExpr !== null && c.identity === null)
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
      len === -1 && t.category === 'A' ? 'i' : align(len), len === -1 ? 'x' : 'p', false, 0, -1, 0, collationOf(t.oid), null, null, null,
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
    vector0(i.attnums.map(() => 0)), vector0(i.attnums.map(() => 0)), null, null,
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
];

export const pgOpclass = relation(
  [
    ['oid', T.oid], ['opcmethod', T.oid], ['opcname', T.name], ['opcnamespace', T.oid], ['opcowner', T.oid], ['opcfamily', T.oid],
    ['opcintype', T.oid], ['opcdefault', T.bool], ['opckeytype', T.oid],
  ],
  () => OPCLASSES.map(([name, am, type, dflt], i) => [16_500 + i, am, name, NamespaceOid.public, SUPERUSER_OID, 16_600 + i, type, dflt, 0]),
);

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

/** Descriptions PostgreSQL ships for built-in objects (COMMENT ON is not stored); must match BUILTIN_DESCRIPTIONS in executor/functions-catalog.ts. */
export const pgDescription = relation([['objoid', T.oid], ['classoid', T.oid], ['objsubid', T.int4], ['description', T.text]], (m) => [
  [NamespaceOid.public, 2615, 0, 'standard public schema'],
  [NamespaceOid.pg_catalog, 2615, 0, 'system catalog schema'],
  [ExtensionOid.plpgsql, 3079, 0, 'PL/pgSQL procedural language'],
  ...(m.ctx.extensions.includes('vector') ? [[ExtensionOid.vector, 3079, 0, 'vector data type and ivfflat and hnsw access methods']] : []),
]);
export const pgShdescription = relation([['objoid', T.oid], ['classoid', T.oid], ['description', T.text]], () => [
  [DATABASE_OID, 1262, 'default administrative connection database'],
  [1, 1262, 'default template for new databases'],
  [4, 1262, 'unmodifiable empty database'],
]);

export const pgDatabase = relation(
  [
    ['oid', T.oid], ['datname', T.name], ['datdba', T.oid], ['encoding', T.int4], ['datlocprovider', T.char], ['datistemplate', T.bool],
    ['datallowconn', T.bool], ['datconnlimit', T.int4], ['datfrozenxid', T.xid], ['datminmxid', T.xid], ['dattablespace', T.oid],
    ['datcollate', T.text], ['datctype', T.text], ['daticulocale', T.text], ['datcollversion', T.text], ['datacl', T.aclArr],
  ],
  (m) => {
    const templateAcl = PgArray.of(['=c/postgres', 'postgres=CTc/postgres']);
    const rows: unknown[][] = [[DATABASE_OID, m.ctx.database, SUPERUSER_OID, 6, 'c', false, true, -1, 1, 1, 1663, 'C', 'C', null, null, null]];
    if (m.ctx.database !== 'template1') rows.push([1, 'template1', SUPERUSER_OID, 6, 'c', true, true, -1, 1, 1, 1663, 'C', 'C', null, null, templateAcl]);
    rows.push([4, 'template0', SUPERUSER_OID, 6, 'c', true, false, -1, 1, 1, 1663, 'C', 'C', null, null, templateAcl]);
    return rows;
  },
);

const ROLE_COLUMNS = [
  ['rolname', T.name], ['rolsuper', T.bool], ['rolinherit', T.bool], ['rolcreaterole', T.bool], ['rolcreatedb', T.bool],
  ['rolcanlogin', T.bool], ['rolreplication', T.bool], ['rolconnlimit', T.int4], ['rolpassword', T.text], ['rolvaliduntil', T.tstz],
  ['rolbypassrls', T.bool], ['rolconfig', T.textArr], ['oid', T.oid],
] as const;

export const pgRoles = relation(ROLE_COLUMNS, (m) => [
  [m.ctx.user, true, true, true, true, true, true, -1, '********', null, true, null, SUPERUSER_OID],
  ['pg_database_owner', false, true, false, false, false, false, -1, '********', null, false, null, DATABASE_OWNER_OID],
]);

export const pgAuthid = relation(
  [
    ['oid', T.oid], ['rolname', T.name], ['rolsuper', T.bool], ['rolinherit', T.bool], ['rolcreaterole', T.bool], ['rolcreatedb', T.bool],
    ['rolcanlogin', T.bool], ['rolreplication', T.bool], ['rolbypassrls', T.bool], ['rolconnlimit', T.int4], ['rolpassword', T.text],
    ['rolvaliduntil', T.tstz],
  ],
  (m) => [[SUPERUSER_OID, m.ctx.user, true, true, true, true, true, true, true, -1, null, null]],
);

export const pgUser = relation(
  [
    ['usename', T.name], ['usesysid', T.oid], ['usecreatedb', T.bool], ['usesuper', T.bool], ['userepl', T.bool], ['usebypassrls', T.bool],
    ['passwd', T.text], ['valuntil', T.tstz], ['useconfig', T.textArr],
  ],
  (m) => [[m.ctx.user, SUPERUSER_OID, true, true, true, true, '********', null, null]],
);

export const pgSettings = relation(
  [
    ['name', T.text], ['setting', T.text], ['unit', T.text], ['category', T.text], ['short_desc', T.text], ['extra_desc', T.text],
    ['context', T.text], ['vartype', T.text], ['source', T.text], ['min_val', T.text], ['max_val', T.text], ['enumvals', T.textArr],
    ['boot_val', T.text], ['reset_val', T.text], ['sourcefile', T.text], ['sourceline', T.int4], ['pending_restart', T.bool],
  ],
  (m) => m.ctx.settings.map((s) => [
    s.name, s.setting, null, 'Tessera', s.description, null, 'user', /^(on|off)$/.test(s.setting) ? 'bool' : /^-?\d+$/.test(s.setting) ? 'integer' : 'string',
    'default', null, null, null, s.setting, s.setting, null, null, false,
  ]),
);

export const pgExtension = relation(
  [
    ['oid', T.oid], ['extname', T.name], ['extowner', T.oid], ['extnamespace', T.oid], ['extrelocatable', T.bool], ['extversion', T.text],
    ['extconfig', T.oidArr], ['extcondition', T.textArr],
  ],
  (m) => {
    const rows: unknown[][] = [[ExtensionOid.plpgsql, 'plpgsql', SUPERUSER_OID, NamespaceOid.pg_catalog, false, '1.0', null, null]];
    if (m.ctx.extensions.includes('vector')) rows.push([ExtensionOid.vector, 'vector', SUPERUSER_OID, NamespaceOid.public, true, '0.8.0', null, null]);
    return rows;
  },
);

export const pgEnum = emptyRelation([['oid', T.oid], ['enumtypid', T.oid], ['enumsortorder', T.float4], ['enumlabel', T.name]]);

export const pgSequence = relation(
  [
    ['seqrelid', T.oid], ['seqtypid', T.oid], ['seqstart', T.int8], ['seqincrement', T.int8], ['seqmax', T.int8], ['seqmin', T.int8],
    ['seqcache', T.int8], ['seqcycle', T.bool],
  ],
  (m) => m.sequences.map((s) => {
    const type = s.column.typeOid;
    const max = type === Oid.int2 ? 32767n : type === Oid.int4 ? 2147483647n : 9223372036854775807n;
    return [s.oid, type, 1n, 1n, max, 1n, 1n, false];
  }),
);

export const pgSequences = relation(
  [
    ['schemaname', T.name], ['sequencename', T.name], ['sequenceowner', T.name], ['data_type', T.regtype], ['start_value', T.int8],
    ['min_value', T.int8], ['max_value', T.int8], ['increment_by', T.int8], ['cycle', T.bool], ['cache_size', T.int8], ['last_value', T.int8],
  ],
  (m) => m.sequences.map((s) => {
    const type = s.column.typeOid;
    const max = type === Oid.int2 ? 32767n : type === Oid.int4 ? 2147483647n : 9223372036854775807n;
    return [s.schema, s.name, m.ctx.user, type, 1n, 1n, max, 1n, false, 1n, null];
  }),
);

export const pgInherits = emptyRelation([['inhrelid', T.oid], ['inhparent', T.oid], ['inhseqno', T.int4], ['inhdetachpending', T.bool]]);

export const pgPolicy = emptyRelation([
  ['oid', T.oid], ['polname', T.name], ['polrelid', T.oid], ['polcmd', T.char], ['polpermissive', T.bool], ['polroles', T.oidArr],
  ['polqual', T.node], ['polwithcheck', T.node],
]);

export const pgPolicies = emptyRelation([
  ['schemaname', T.name], ['tablename', T.name], ['policyname', T.name], ['permissive', T.text], ['roles', T.nameArr], ['cmd', T.text],
  ['qual', T.text], ['with_check', T.text],
]);

export const pgCollation = relation(
  [
    ['oid', T.oid], ['collname', T.name], ['collnamespace', T.oid], ['collowner', T.oid], ['collprovider', T.char],
    ['collisdeterministic', T.bool], ['collencoding', T.int4], ['collcollate', T.text], ['collctype', T.text], ['colliculocale', T.text],
    ['collversion', T.text],
  ],
  () => [
    [DEFAULT_COLLATION, 'default', NamespaceOid.pg_catalog, SUPERUSER_OID, 'd', true, -1, null, null, null, null],
    [C_COLLATION, 'C', NamespaceOid.pg_catalog, SUPERUSER_OID, 'c', true, -1, 'C', 'C', null, null],
    [951, 'POSIX', NamespaceOid.pg_catalog, SUPERUSER_OID, 'c', true, -1, 'POSIX', 'POSIX', null, null],
  ],
);

export const pgTables = relation(
  [
    ['schemaname', T.name], ['tablename', T.name], ['tableowner', T.name], ['tablespace', T.name], ['hasindexes', T.bool],
    ['hasrules', T.bool], ['hastriggers', T.bool], ['rowsecurity', T.bool],
  ],
  (m) => m.tables.map((t) => [t.schema, t.name, m.ctx.user, null, m.indexes.some((i) => i.table === t), false, false, false]),
);

export const pgViews = emptyRelation([['schemaname', T.name], ['viewname', T.name], ['viewowner', T.name], ['definition', T.text]]);

export const pgMatviews = emptyRelation([
  ['schemaname', T.name], ['matviewname', T.name], ['matviewowner', T.name], ['tablespace', T.name], ['hasindexes', T.bool],
  ['ispopulated', T.bool], ['definition', T.text],
]);

export const pgIndexes = relation(
  [['schemaname', T.name], ['tablename', T.name], ['indexname', T.name], ['tablespace', T.name], ['indexdef', T.text]],
  (m) => m.indexes.map((i) => [i.table.schema, i.table.name, i.name, null, m.indexDef(i)]),
);

export const pgStatUserTables = relation(
  [
    ['relid', T.oid], ['schemaname', T.name], ['relname', T.name], ['seq_scan', T.int8], ['seq_tup_read', T.int8], ['idx_scan', T.int8],
    ['idx_tup_fetch', T.int8], ['n_tup_ins', T.int8], ['n_tup_upd', T.int8], ['n_tup_del', T.int8], ['n_tup_hot_upd', T.int8],
    ['n_live_tup', T.int8], ['n_dead_tup', T.int8], ['n_mod_since_analyze', T.int8], ['n_ins_since_vacuum', T.int8],
    ['last_vacuum', T.tstz], ['last_autovacuum', T.tstz], ['last_analyze', T.tstz], ['last_autoanalyze', T.tstz],
    ['vacuum_count', T.int8], ['autovacuum_count', T.int8], ['analyze_count', T.int8], ['autoanalyze_count', T.int8],
  ],
  (m) => m.tables.map((t) => {
    const live = BigInt(m.catalog.rowCount(t.tableId));
    const hasIndex = m.indexes.some((i) => i.table === t);
    return [t.tableId, t.schema, t.name, 0n, 0n, hasIndex ? 0n : null, hasIndex ? 0n : null, live, 0n, 0n, 0n, live, 0n, 0n, 0n,
      null, null, null, null, 0n, 0n, 0n, 0n];
  }),
);

export const pgStatUserIndexes = relation(
  [
    ['relid', T.oid], ['indexrelid', T.oid], ['schemaname', T.name], ['relname', T.name], ['indexrelname', T.name], ['idx_scan', T.int8],
    ['idx_tup_read', T.int8], ['idx_tup_fetch', T.int8],
  ],
  (m) => m.indexes.map((i) => [i.table.tableId, i.oid, i.table.schema, i.table.name, i.name, 0n, 0n, 0n]),
);

export const pgStatActivity = relation(
  [
    ['datid', T.oid], ['datname', T.name], ['pid', T.int4], ['leader_pid', T.int4], ['usesysid', T.oid], ['usename', T.name],
    ['application_name', T.text], ['client_addr', T.text], ['client_hostname', T.text], ['client_port', T.int4],
    ['backend_start', T.tstz], ['xact_start', T.tstz], ['query_start', T.tstz], ['state_change', T.tstz], ['wait_event_type', T.text],
    ['wait_event', T.text], ['state', T.text], ['backend_xid', T.xid], ['backend_xmin', T.xid], ['query_id', T.int8], ['query', T.text],
    ['backend_type', T.text],
  ],
  (m) => [[DATABASE_OID, m.ctx.database, m.ctx.backendPid, null, SUPERUSER_OID, m.ctx.user,
    m.ctx.settings.find((s) => s.name === 'application_name')?.setting ?? '', null, null, null, null, null, null, null, null, null, 'active',
    null, null, null, '', 'client backend']],
);

export const pgLocks = emptyRelation([
  ['locktype', T.text], ['database', T.oid], ['relation', T.oid], ['page', T.int4], ['tuple', T.int2], ['virtualxid', T.text],
  ['transactionid', T.xid], ['classid', T.oid], ['objid', T.oid], ['objsubid', T.int2], ['virtualtransaction', T.text], ['pid', T.int4],
  ['mode', T.text], ['granted', T.bool], ['fastpath', T.bool], ['waitstart', T.tstz],
]);

export const pgPublication = emptyRelation([
  ['oid', T.oid], ['pubname', T.name], ['pubowner', T.oid], ['puballtables', T.bool], ['pubinsert', T.bool], ['pubupdate', T.bool],
  ['pubdelete', T.bool], ['pubtruncate', T.bool], ['pubviaroot', T.bool],
]);
export const pgPublicationRel = emptyRelation([['oid', T.oid], ['prpubid', T.oid], ['prrelid', T.oid], ['prqual', T.node], ['prattrs', T.int2vector]]);
export const pgPublicationNamespace = emptyRelation([['oid', T.oid], ['pnpubid', T.oid], ['pnnspid', T.oid]]);
export const pgPublicationTables = emptyRelation([['pubname', T.name], ['schemaname', T.name], ['tablename', T.name], ['attnames', T.nameArr], ['rowfilter', T.text]]);

export const pgStatisticExt = emptyRelation([
  ['oid', T.oid], ['stxrelid', T.oid], ['stxname', T.name], ['stxnamespace', T.oid], ['stxowner', T.oid], ['stxstattarget', T.int4],
  ['stxkeys', T.int2vector], ['stxkind', T.charArr], ['stxexprs', T.node],
]);

export const pgTablespace = relation(
  [['oid', T.oid], ['spcname', T.name], ['spcowner', T.oid], ['spcacl', T.aclArr], ['spcoptions', T.textArr]],
  () => [[1663, 'pg_default', SUPERUSER_OID, null, null], [1664, 'pg_global', SUPERUSER_OID, null, null]],
);

export const pgRange = emptyRelation([
  ['rngtypid', T.oid], ['rngsubtype', T.oid], ['rngmultitypid', T.oid], ['rngcollation', T.oid], ['rngsubopc', T.oid],
  ['rngcanonical', T.regproc], ['rngsubdiff', T.regproc],
]);

export const pgTrigger = emptyRelation([
  ['oid', T.oid], ['tgrelid', T.oid], ['tgparentid', T.oid], ['tgname', T.name], ['tgfoid', T.oid], ['tgtype', T.int2],
  ['tgenabled', T.char], ['tgisinternal', T.bool], ['tgconstrrelid', T.oid], ['tgconstrindid', T.oid], ['tgconstraint', T.oid],
  ['tgdeferrable', T.bool], ['tginitdeferred', T.bool], ['tgnargs', T.int2], ['tgattr', T.int2vector], ['tgqual', T.node],
  ['tgoldtable', T.name], ['tgnewtable', T.name],
]);

export const pgRewrite = emptyRelation([
  ['oid', T.oid], ['rulename', T.name], ['ev_class', T.oid], ['ev_type', T.char], ['ev_enabled', T.char], ['is_instead', T.bool],
  ['ev_qual', T.node], ['ev_action', T.node],
]);

/** pg_depend: a serial sequence is owned by its column ('a'), an identity sequence internal to it ('i'); indexes depend on their constraint ('i'). */
export const pgDepend = relation([
  ['classid', T.oid], ['objid', T.oid], ['objsubid', T.int4], ['refclassid', T.oid], ['refobjid', T.oid], ['refobjsubid', T.int4],
  ['deptype', T.char],
], (m) => [
  ...m.sequences.map((s) => [PG_CLASS_OID, s.oid, 0, PG_CLASS_OID, s.table.tableId, s.column.attnum, s.column.identity !== null ? 'i' : 'a']),
  ...m.indexes.filter((i) => i.constraintOid !== 0).map((i) => [PG_CLASS_OID, i.oid, 0, PG_CONSTRAINT_OID, i.constraintOid, 0, 'i']),
]);

export const pgForeignTable = emptyRelation([['ftrelid', T.oid], ['ftserver', T.oid], ['ftoptions', T.textArr]]);
export const pgPartitionedTable = emptyRelation([
  ['partrelid', T.oid], ['partstrat', T.char], ['partnatts', T.int2], ['partdefid', T.oid], ['partattrs', T.int2vector],
  ['partclass', T.oidvector], ['partcollation', T.oidvector], ['partexprs', T.node],
]);
export const pgEventTrigger = emptyRelation([['oid', T.oid], ['evtname', T.name], ['evtevent', T.name], ['evtowner', T.oid], ['evtfoid', T.oid], ['evtenabled', T.char], ['evttags', T.textArr]]);

export const pgLanguage = relation(
  [
    ['oid', T.oid], ['lanname', T.name], ['lanowner', T.oid], ['lanispl', T.bool], ['lanpltrusted', T.bool], ['lanplcallfoid', T.oid],
    ['laninline', T.oid], ['lanvalidator', T.oid], ['lanacl', T.aclArr],
  ],
  () => [
    [12, 'internal', SUPERUSER_OID, false, false, 0, 0, 0, null], [13, 'c', SUPERUSER_OID, false, false, 0, 0, 0, null],
    [14, 'sql', SUPERUSER_OID, false, true, 0, 0, 0, null], [13_501, 'plpgsql', SUPERUSER_OID, true, true, 0, 0, 0, null],
  ],
);

const e = emptyRelation;
export const pgCast = e([['oid', T.oid], ['castsource', T.oid], ['casttarget', T.oid], ['castfunc', T.oid], ['castcontext', T.char], ['castmethod', T.char]]);
export const pgOperator = e([
  ['oid', T.oid], ['oprname', T.name], ['oprnamespace', T.oid], ['oprowner', T.oid], ['oprkind', T.char], ['oprcanmerge', T.bool],
  ['oprcanhash', T.bool], ['oprleft', T.oid], ['oprright', T.oid], ['oprresult', T.oid], ['oprcom', T.oid], ['oprnegate', T.oid],
  ['oprcode', T.regproc], ['oprrest', T.regproc], ['oprjoin', T.regproc],
]);
export const pgAuthMembers = e([['oid', T.oid], ['roleid', T.oid], ['member', T.oid], ['grantor', T.oid], ['admin_option', T.bool]]);
export const pgForeignServer = e([['oid', T.oid], ['srvname', T.name], ['srvowner', T.oid], ['srvfdw', T.oid], ['srvtype', T.text], ['srvversion', T.text], ['srvacl', T.aclArr], ['srvoptions', T.textArr]]);
export const pgForeignDataWrapper = e([['oid', T.oid], ['fdwname', T.name], ['fdwowner', T.oid], ['fdwhandler', T.oid], ['fdwvalidator', T.oid], ['fdwacl', T.aclArr], ['fdwoptions', T.textArr]]);
export const pgUserMapping = e([['oid', T.oid], ['umuser', T.oid], ['umserver', T.oid], ['umoptions', T.textArr]]);
export const pgTsConfig = e([['oid', T.oid], ['cfgname', T.name], ['cfgnamespace', T.oid], ['cfgowner', T.oid], ['cfgparser', T.oid]]);
export const pgTsDict = e([['oid', T.oid], ['dictname', T.name], ['dictnamespace', T.oid], ['dictowner', T.oid], ['dicttemplate', T.oid], ['dictinitoption', T.text]]);
export const pgTsParser = e([['oid', T.oid], ['prsname', T.name], ['prsnamespace', T.oid], ['prsstart', T.regproc], ['prstoken', T.regproc], ['prsend', T.regproc], ['prsheadline', T.regproc], ['prslextype', T.regproc]]);
export const pgTsTemplate = e([['oid', T.oid], ['tmplname', T.name], ['tmplnamespace', T.oid], ['tmplinit', T.regproc], ['tmpllexize', T.regproc]]);
export const pgLargeobjectMetadata = e([['oid', T.oid], ['lomowner', T.oid], ['lomacl', T.aclArr]]);
export const pgConversion = e([['oid', T.oid], ['conname', T.name], ['connamespace', T.oid], ['conowner', T.oid], ['conforencoding', T.int4], ['contoencoding', T.int4], ['conproc', T.regproc], ['condefault', T.bool]]);
export const pgDbRoleSetting = e([['setdatabase', T.oid], ['setrole', T.oid], ['setconfig', T.textArr]]);
export const pgDefaultAcl = e([['oid', T.oid], ['defaclrole', T.oid], ['defaclnamespace', T.oid], ['defaclobjtype', T.char], ['defaclacl', T.aclArr]]);
export const pgInitPrivs = e([['objoid', T.oid], ['classoid', T.oid], ['objsubid', T.int4], ['privtype', T.char], ['initprivs', T.aclArr]]);
export const pgSeclabel = e([['objoid', T.oid], ['classoid', T.oid], ['objsubid', T.int4], ['provider', T.text], ['label', T.text]]);
export const pgAggregate = e([['aggfnoid', T.regproc], ['aggkind', T.char], ['aggnumdirectargs', T.int2], ['aggtransfn', T.regproc], ['aggfinalfn', T.regproc], ['aggtranstype', T.oid], ['agginitval', T.text]]);
export const pgOpfamily = e([['oid', T.oid], ['opfmethod', T.oid], ['opfname', T.name], ['opfnamespace', T.oid], ['opfowner', T.oid]]);
export const pgAmop = e([['oid', T.oid], ['amopfamily', T.oid], ['amoplefttype', T.oid], ['amoprighttype', T.oid], ['amopstrategy', T.int2], ['amoppurpose', T.char], ['amopopr', T.oid], ['amopmethod', T.oid], ['amopsortfamily', T.oid]]);
export const pgAmproc = e([['oid', T.oid], ['amprocfamily', T.oid], ['amproclefttype', T.oid], ['amprocrighttype', T.oid], ['amprocnum', T.int2], ['amproc', T.regproc]]);
export const pgStatistic = e([['starelid', T.oid], ['staattnum', T.int2], ['stainherit', T.bool], ['stanullfrac', T.float4], ['stawidth', T.int4], ['stadistinct', T.float4]]);
export const pgStats = e([
  ['schemaname', T.name], ['tablename', T.name], ['attname', T.name], ['inherited', T.bool], ['null_frac', T.float4], ['avg_width', T.int4],
  ['n_distinct', T.float4], ['most_common_vals', T.textArr], ['most_common_freqs', T.float4Arr], ['histogram_bounds', T.textArr], ['correlation', T.float4],
]);
export const pgSubscription = e([['oid', T.oid], ['subdbid', T.oid], ['subname', T.name], ['subowner', T.oid], ['subenabled', T.bool], ['subconninfo', T.text], ['subslotname', T.name], ['subpublications', T.textArr]]);
export const pgReplicationSlots = e([['slot_name', T.name], ['plugin', T.name], ['slot_type', T.text], ['datoid', T.oid], ['database', T.name], ['temporary', T.bool], ['active', T.bool], ['active_pid', T.int4]]);
export const pgStatReplication = e([['pid', T.int4], ['usesysid', T.oid], ['usename', T.name], ['application_name', T.text], ['client_addr', T.text], ['state', T.text], ['sync_state', T.text]]);
export const pgPreparedXacts = e([['transaction', T.xid], ['gid', T.text], ['prepared', T.tstz], ['owner', T.name], ['database', T.name]]);
export const pgTransform = e([['oid', T.oid], ['trftype', T.oid], ['trflang', T.oid], ['trffromsql', T.regproc], ['trftosql', T.regproc]]);

export const pgAvailableExtensions = relation(
  [['name', T.name], ['default_version', T.text], ['installed_version', T.text], ['comment', T.text]],
  (m) => [
    ['plpgsql', '1.0', '1.0', 'PL/pgSQL procedural language'],
    ['vector', '0.8.0', m.ctx.extensions.includes('vector') ? '0.8.0' : null, 'vector data type and ivfflat and hnsw access methods'],
  ],
);

export const pgStatDatabase = relation(
  [
    ['datid', T.oid], ['datname', T.name], ['numbackends', T.int4], ['xact_commit', T.int8], ['xact_rollback', T.int8], ['blks_read', T.int8],
    ['blks_hit', T.int8], ['tup_returned', T.int8], ['tup_fetched', T.int8], ['tup_inserted', T.int8], ['tup_updated', T.int8],
    ['tup_deleted', T.int8], ['conflicts', T.int8], ['temp_files', T.int8], ['temp_bytes', T.int8], ['deadlocks', T.int8],
    ['stats_reset', T.tstz],
  ],
  (m) => [[DATABASE_OID, m.ctx.database, 1, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, null]],
);

/** The pg_catalog relations by name. */
export const PG_CATALOG_RELATIONS: Readonly<Record<string, CatalogRelationFn>> = {
  pg_namespace: pgNamespace, pg_class: pgClass, pg_attribute: pgAttribute, pg_attrdef: pgAttrdef, pg_type: pgType, pg_index: pgIndex,
  pg_constraint: pgConstraint, pg_am: pgAm, pg_opclass: pgOpclass, pg_proc: pgProc, pg_description: pgDescription,
  pg_shdescription: pgShdescription, pg_database: pgDatabase, pg_roles: pgRoles, pg_authid: pgAuthid, pg_user: pgUser,
  pg_settings: pgSettings, pg_extension: pgExtension, pg_enum: pgEnum, pg_sequence: pgSequence, pg_sequences: pgSequences,
  pg_inherits: pgInherits, pg_policy: pgPolicy, pg_policies: pgPolicies, pg_collation: pgCollation, pg_tables: pgTables,
  pg_views: pgViews, pg_matviews: pgMatviews, pg_indexes: pgIndexes, pg_stat_user_tables: pgStatUserTables,
  pg_stat_user_indexes: pgStatUserIndexes, pg_stat_activity: pgStatActivity, pg_locks: pgLocks, pg_publication: pgPublication,
  pg_publication_rel: pgPublicationRel, pg_publication_namespace: pgPublicationNamespace, pg_publication_tables: pgPublicationTables,
  pg_statistic_ext: pgStatisticExt, pg_tablespace: pgTablespace, pg_range: pgRange, pg_trigger: pgTrigger, pg_rewrite: pgRewrite,
  pg_depend: pgDepend, pg_foreign_table: pgForeignTable, pg_partitioned_table: pgPartitionedTable, pg_event_trigger: pgEventTrigger,
  pg_language: pgLanguage, pg_cast: pgCast, pg_operator: pgOperator, pg_auth_members: pgAuthMembers, pg_foreign_server: pgForeignServer,
  pg_foreign_data_wrapper: pgForeignDataWrapper, pg_user_mapping: pgUserMapping, pg_ts_config: pgTsConfig, pg_ts_dict: pgTsDict,
  pg_ts_parser: pgTsParser, pg_ts_template: pgTsTemplate, pg_largeobject_metadata: pgLargeobjectMetadata, pg_conversion: pgConversion,
  pg_db_role_setting: pgDbRoleSetting, pg_default_acl: pgDefaultAcl, pg_init_privs: pgInitPrivs, pg_seclabel: pgSeclabel,
  pg_aggregate: pgAggregate, pg_opfamily: pgOpfamily, pg_amop: pgAmop, pg_amproc: pgAmproc, pg_statistic: pgStatistic, pg_stats: pgStats,
  pg_subscription: pgSubscription, pg_replication_slots: pgReplicationSlots, pg_stat_replication: pgStatReplication,
  pg_prepared_xacts: pgPreparedXacts, pg_transform: pgTransform, pg_available_extensions: pgAvailableExtensions,
  pg_stat_database: pgStatDatabase,
};

export { columnTypeText };
