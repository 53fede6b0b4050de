/**
 * catalog/pg-catalog: the pg_catalog relations about the server rather than the schema —
 * databases, roles, settings, extensions, descriptions, statistics and activity views,
 * dependencies — plus the catalogs Tessera has no objects for (empty, with PostgreSQL 15's
 * columns, so that clients' joins over them run). Registered with the others in
 * pg-catalog-views.ts.
 */
import { Oid, PgArray } from '../../types/index.ts';
import { DATABASE_OID, ExtensionOid, NamespaceOid, SUPERUSER_OID, attrdefOid, rewriteOid } from './oids.ts';
import { extensionMemberDepends } from './extension-members.ts';
import type { PgCatalogModel } from './model.ts';
import { viewDefinition } from './view-deparse.ts';
import { roleName } from './pg-catalog-security.ts';
import { T, type CatalogRelationFn, emptyRelation, relation, vector0 } from './view-def.ts';
import { pgAuthid, pgAuthMembers, pgPolicies, pgPolicy, pgRoles, pgTables, pgUser } from './pg-catalog-security.ts';

const PG_CLASS_OID = 1259;
const PG_REWRITE_OID = 2618;
const PG_CONSTRAINT_OID = 2606;
const PG_ATTRDEF_OID = 2604;
const DEFAULT_COLLATION = 100;
const C_COLLATION = 950;

/** Descriptions PostgreSQL ships for built-in objects (must match BUILTIN_DESCRIPTIONS in executor/functions-catalog.ts), and COMMENT ON tables and columns. */
export const pgDescription = relation([['objoid', T.oid], ['classoid', T.oid], ['objsubid', T.int4], ['description', T.text]], (m) => [
  [NamespaceOid.public, 2615, 0, 'standard public schema'],
  [NamespaceOid.pg_catalog, 2615, 0, 'system catalog schema'],
  [ExtensionOid.plpgsql, 3079, 0, 'PL/pgSQL procedural language'],
  ...(m.ctx.extensions.includes('vector') ? [[ExtensionOid.vector, 3079, 0, 'vector data type and ivfflat and hnsw access methods']] : []),
  // COMMENT ON TABLE / COLUMN of live tables (pg_class = 1259).
  ...m.catalog
    .comments()
    .filter((c) => m.table(c.tableId) !== undefined || m.view(c.tableId) !== undefined)
    .map((c) => [c.tableId, 1259, c.attnum, c.text]),
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

/** Named partitions under their partitioned table, and their index copies under the parent's indexes. */
export const pgInherits = relation([['inhrelid', T.oid], ['inhparent', T.oid], ['inhseqno', T.int4], ['inhdetachpending', T.bool]], (m) => {
  const rows: unknown[][] = [];
  for (const r of m.partitions.values()) {
    rows.push([r.table.tableId, r.parent.tableId, 1, false]);
    for (const i of m.indexes) if (i.table === r.table && m.indexParents.has(i.oid)) rows.push([i.oid, m.indexParents.get(i.oid), 1, false]);
  }
  return rows;
});

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

export const pgViews = relation([['schemaname', T.name], ['viewname', T.name], ['viewowner', T.name], ['definition', T.text]],
  (m) => m.views.map((v) => [v.schema, v.name, roleName(m, m.catalog.security.tableSecurity(v.viewId).ownerOid), viewDefinition(m, v)]));

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
    const live = BigInt(t.partitionKey ? m.rowCount(t.tableId) : m.liveTuples(t.tableId));
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
  (m) => [[DATABASE_OID, m.ctx.database, m.ctx.backendPid, null, m.ctx.sessionRole?.oid ?? SUPERUSER_OID, m.ctx.sessionRole?.name ?? m.ctx.user,
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
  ['tgdeferrable', T.bool], ['tginitdeferred', T.bool], ['tgnargs', T.int2], ['tgattr', T.int2vector], ['tgargs', Oid.bytea],
  ['tgqual', T.node], ['tgoldtable', T.name], ['tgnewtable', T.name],
]);

/** A view's _RETURN rule: ev_type '1' (SELECT), INSTEAD; its OID from the view's per-table range (oids.ts rewriteOid). */
export const pgRewrite = relation([
  ['oid', T.oid], ['rulename', T.name], ['ev_class', T.oid], ['ev_type', T.char], ['ev_enabled', T.char], ['is_instead', T.bool],
  ['ev_qual', T.node], ['ev_action', T.node],
], (m) => m.views.map((v) => [rewriteOid(v.viewId), '_RETURN', v.viewId, '1', 'O', true, '<>', `(${v.query})`]));

/** pg_depend: a serial sequence is owned by its column ('a'), an identity sequence internal to it ('i'); indexes depend on their constraint ('i'). */
export const pgDepend = relation([
  ['classid', T.oid], ['objid', T.oid], ['objsubid', T.int4], ['refclassid', T.oid], ['refobjid', T.oid], ['refobjsubid', T.int4],
  ['deptype', T.char],
], (m) => [
  ...m.sequences.map((s) => [PG_CLASS_OID, s.oid, 0, PG_CLASS_OID, s.table.tableId, s.column.attnum, s.column.identity !== null ? 'i' : 'a']),
  // A view's rule is internal to the view and depends normally on each relation the view reads (pg_dump orders by these).
  ...m.views.flatMap((v) => [
    [PG_REWRITE_OID, rewriteOid(v.viewId), 0, PG_CLASS_OID, v.viewId, 0, 'i'],
    ...v.dependsOn.map((d) => [PG_REWRITE_OID, rewriteOid(v.viewId), 0, PG_CLASS_OID, d, 0, 'n']),
  ]),
  // A serial column's default (nextval of its sequence) depends on the sequence, as in PostgreSQL:
  // pg_dump then sets the default after CREATE SEQUENCE instead of inside CREATE TABLE.
  ...m.sequences.filter((s) => s.column.identity === null).flatMap((s) => [
    [PG_ATTRDEF_OID, attrdefOid(s.table.tableId, s.column.attnum), 0, PG_CLASS_OID, s.table.tableId, s.column.attnum, 'a'],
    [PG_ATTRDEF_OID, attrdefOid(s.table.tableId, s.column.attnum), 0, PG_CLASS_OID, s.oid, 0, 'n'],
  ]),
  ...m.indexes.filter((i) => i.constraintOid !== 0).map((i) => [PG_CLASS_OID, i.oid, 0, PG_CONSTRAINT_OID, i.constraintOid, 0, 'i']),
  // A partition's copy of a parent index: a partition dependency on both (PostgreSQL's 'P' and 'S').
  ...[...m.partitions.values()].flatMap((r) => m.indexes.filter((i) => i.table === r.table && m.indexParents.has(i.oid)).flatMap((i) => [
    [PG_CLASS_OID, i.oid, 0, PG_CLASS_OID, m.indexParents.get(i.oid), 0, 'P'],
    [PG_CLASS_OID, i.oid, 0, PG_CLASS_OID, r.table.tableId, 0, 'S'],
    ...partitionConstraintDepends(m, i.constraintOid, m.indexParents.get(i.oid)!, r.table.tableId),
  ])),
  ...extensionMemberDepends(m),
]);

/** The constraint behind a partition's copy of a key index depends on the parent's constraint ('P') and the partition ('S'). */
function partitionConstraintDepends(m: PgCatalogModel, constraintOid: number, parentIndexOid: number, partitionOid: number): unknown[][] {
  const parent = m.indexes.find((x) => x.oid === parentIndexOid);
  if (constraintOid === 0 || !parent || parent.constraintOid === 0) return [];
  return [
    [PG_CONSTRAINT_OID, constraintOid, 0, PG_CONSTRAINT_OID, parent.constraintOid, 0, 'P'],
    [PG_CONSTRAINT_OID, constraintOid, 0, PG_CLASS_OID, partitionOid, 0, 'S'],
  ];
}

export const pgForeignTable = emptyRelation([['ftrelid', T.oid], ['ftserver', T.oid], ['ftoptions', T.textArr]]);
/** btree operator classes of the partition key types (partclass), as PostgreSQL 15 numbers them. */
const KEY_OPCLASS: Readonly<Record<number, number>> = { [Oid.text]: 3126, [Oid.varchar]: 3126, [Oid.int4]: 1978, [Oid.int8]: 3124, [Oid.int2]: 1979, [Oid.uuid]: 10065 };

/** LIST-partitioned tables (docs/tenants.md): one key column each. */
export const pgPartitionedTable = relation([
  ['partrelid', T.oid], ['partstrat', T.char], ['partnatts', T.int2], ['partdefid', T.oid], ['partattrs', T.int2vector],
  ['partclass', T.oidvector], ['partcollation', T.oidvector], ['partexprs', T.node],
], (m) => m.tables.flatMap((t) => {
  const key = t.partitionKey ? t.columns.find((c) => c.attnum === t.partitionKey!.attnum) : undefined;
  if (!key) return [];
  const collation = key.typeOid === Oid.text || key.typeOid === Oid.varchar ? 100 : 0;
  return [[t.tableId, 'l', 1, 0, vector0([key.attnum]), vector0([KEY_OPCLASS[key.typeOid] ?? 0]), vector0([collation]), null]];
}));
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
/** GRANT ... ON PARAMETER (PostgreSQL 15) is not supported: no parameter has an ACL (pg_dumpall reads it). */
export const pgParameterAcl = e([['oid', T.oid], ['parname', T.text], ['paracl', T.aclArr]]);
export const pgShseclabel = e([['objoid', T.oid], ['classoid', T.oid], ['provider', T.text], ['label', T.text]]);
/** pg_seclabels (the view over pg_seclabel and pg_shseclabel): no security label providers, so empty. */
export const pgSeclabels = e([['objoid', T.oid], ['classoid', T.oid], ['objsubid', T.int4], ['objtype', T.text], ['objnamespace', T.oid], ['objname', T.text], ['provider', T.text], ['label', T.text]]);
export const pgAggregate = e([['aggfnoid', T.regproc], ['aggkind', T.char], ['aggnumdirectargs', T.int2], ['aggtransfn', T.regproc], ['aggfinalfn', T.regproc], ['aggtranstype', T.oid], ['agginitval', T.text]]);
export const pgOpfamily = e([['oid', T.oid], ['opfmethod', T.oid], ['opfname', T.name], ['opfnamespace', T.oid], ['opfowner', T.oid]]);
export const pgAmop = e([['oid', T.oid], ['amopfamily', T.oid], ['amoplefttype', T.oid], ['amoprighttype', T.oid], ['amopstrategy', T.int2], ['amoppurpose', T.char], ['amopopr', T.oid], ['amopmethod', T.oid], ['amopsortfamily', T.oid]]);
export const pgAmproc = e([['oid', T.oid], ['amprocfamily', T.oid], ['amproclefttype', T.oid], ['amprocrighttype', T.oid], ['amprocnum', T.int2], ['amproc', T.regproc]]);
export const pgStatistic = e([['starelid', T.oid], ['staattnum', T.int2], ['stainherit', T.bool], ['stanullfrac', T.float4], ['stawidth', T.int4], ['stadistinct', T.float4]]);
export const pgStats = e([
  ['schemaname', T.name], ['tablename', T.name], ['attname', T.name], ['inherited', T.bool], ['null_frac', T.float4],
  ['avg_width', T.int4], ['n_distinct', T.float4], ['most_common_vals', T.textArr], ['most_common_freqs', T.float4Arr],
  ['histogram_bounds', T.textArr], ['correlation', T.float4], ['most_common_elems', T.textArr],
  ['most_common_elem_freqs', T.float4Arr], ['elem_count_histogram', T.float4Arr],
]);
export const pgSubscription = e([['oid', T.oid], ['subdbid', T.oid], ['subname', T.name], ['subowner', T.oid], ['subenabled', T.bool], ['subconninfo', T.text], ['subslotname', T.name], ['subpublications', T.textArr],
  ['subbinary', T.bool], ['substream', T.bool], ['subtwophasestate', T.char], ['subdisableonerr', T.bool], ['subsynccommit', T.text]]);
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

const STAT_DATABASE_COLUMNS = [
  ['datid', T.oid], ['datname', T.name], ['numbackends', T.int4], ['xact_commit', T.int8], ['xact_rollback', T.int8],
  ['blks_read', T.int8], ['blks_hit', T.int8], ['tup_returned', T.int8], ['tup_fetched', T.int8], ['tup_inserted', T.int8],
  ['tup_updated', T.int8], ['tup_deleted', T.int8], ['conflicts', T.int8], ['temp_files', T.int8], ['temp_bytes', T.int8],
  ['deadlocks', T.int8], ['checksum_failures', T.int8], ['checksum_last_failure', T.tstz], ['blk_read_time', T.float8],
  ['blk_write_time', T.float8], ['session_time', T.float8], ['active_time', T.float8], ['idle_in_transaction_time', T.float8],
  ['sessions', T.int8], ['sessions_abandoned', T.int8], ['sessions_fatal', T.int8], ['sessions_killed', T.int8],
  ['stats_reset', T.tstz],
] as const;

export const pgStatDatabase = relation(STAT_DATABASE_COLUMNS, (m) => [
  STAT_DATABASE_COLUMNS.map(([name, type]) => (name === 'datid' ? DATABASE_OID : name === 'datname' ? m.ctx.database : name === 'numbackends' ? 1
    : type === T.int8 ? 0n : type === T.float8 ? 0 : null)),
]);

/** The relations of this file by name. */
export const PG_SERVER_RELATIONS: Readonly<Record<string, CatalogRelationFn>> = {
  pg_description: pgDescription, pg_shdescription: pgShdescription, pg_database: pgDatabase, pg_roles: pgRoles, pg_authid: pgAuthid,
  pg_user: pgUser, pg_settings: pgSettings, pg_extension: pgExtension, pg_enum: pgEnum, pg_sequence: pgSequence,
  pg_sequences: pgSequences, pg_inherits: pgInherits, pg_policy: pgPolicy, pg_policies: pgPolicies, pg_collation: pgCollation,
  pg_tables: pgTables, pg_views: pgViews, pg_matviews: pgMatviews, pg_indexes: pgIndexes, pg_stat_user_tables: pgStatUserTables,
  pg_stat_user_indexes: pgStatUserIndexes, pg_stat_activity: pgStatActivity, pg_locks: pgLocks, pg_publication: pgPublication,
  pg_publication_rel: pgPublicationRel, pg_publication_namespace: pgPublicationNamespace, pg_publication_tables: pgPublicationTables,
  pg_statistic_ext: pgStatisticExt, pg_tablespace: pgTablespace, pg_range: pgRange, pg_trigger: pgTrigger, pg_rewrite: pgRewrite,
  pg_depend: pgDepend, pg_foreign_table: pgForeignTable, pg_partitioned_table: pgPartitionedTable, pg_event_trigger: pgEventTrigger,
  pg_language: pgLanguage, pg_cast: pgCast, pg_operator: pgOperator, pg_auth_members: pgAuthMembers,
  pg_foreign_server: pgForeignServer, pg_foreign_data_wrapper: pgForeignDataWrapper, pg_user_mapping: pgUserMapping,
  pg_ts_config: pgTsConfig, pg_ts_dict: pgTsDict, pg_ts_parser: pgTsParser, pg_ts_template: pgTsTemplate,
  pg_largeobject_metadata: pgLargeobjectMetadata, pg_conversion: pgConversion, pg_db_role_setting: pgDbRoleSetting,
  pg_default_acl: pgDefaultAcl, pg_init_privs: pgInitPrivs, pg_seclabel: pgSeclabel, pg_seclabels: pgSeclabels, pg_shseclabel: pgShseclabel, pg_parameter_acl: pgParameterAcl, pg_aggregate: pgAggregate,
  pg_opfamily: pgOpfamily, pg_amop: pgAmop, pg_amproc: pgAmproc, pg_statistic: pgStatistic, pg_stats: pgStats,
  pg_subscription: pgSubscription, pg_replication_slots: pgReplicationSlots, pg_stat_replication: pgStatReplication,
  pg_prepared_xacts: pgPreparedXacts, pg_transform: pgTransform, pg_available_extensions: pgAvailableExtensions,
  pg_stat_database: pgStatDatabase,
};
