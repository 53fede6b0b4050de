/**
 * catalog/pg-catalog: one statement's picture of the catalog as PostgreSQL's catalogs see
 * it — namespaces, relations (tables, their PRIMARY KEY/UNIQUE indexes and vector index,
 * serial sequences), columns, defaults and constraints, each with its OID (oids.ts). Built
 * lazily from Catalog when a pg_catalog relation is read; every view and lookup reads it.
 */
import { Oid } from '../../types/index.ts';
import type { Catalog } from '../catalog.ts';
import { ENGINE_FLAT } from '../file-state.ts';
import type { IndexDef } from '../indexes.ts';
import type { ColumnDef, ConstraintDef, TableDef } from '../table-def.ts';
import type { ViewDef } from '../views.ts';
import { deparseExpr, isNullConstant, quoteIdent } from './deparse.ts';
import { constraintOid, indexOid, namespaceOid, sequenceOid, sqlIndexOid } from './oids.ts';
import { childIndexName, partitionRels, type PartitionRel } from './partitions-model.ts';

/** What the session tells the catalog views about itself. */
export interface SystemViewContext {
  /** The bootstrap superuser's name as this session shows it (owner of the built-in objects). */
  readonly user: string;
  /** The session user (pg_stat_activity); the bootstrap superuser when absent. */
  readonly sessionRole?: { readonly oid: number; readonly name: string };
  readonly database: string;
  /** search_path resolved to schema names, "$user" already substituted. */
  readonly searchPath: readonly string[];
  readonly backendPid: number;
  readonly settings: readonly { readonly name: string; readonly setting: string; readonly description: string }[];
  /** The executor's function catalog, in a stable order (pg_proc). */
  readonly functions: readonly CatalogFunction[];
  /** Names of the extensions created (plpgsql is always there). */
  readonly extensions: readonly string[];
  /** Names of the system views, qualified (pg_catalog.pg_class, ...), with their column lists. */
  readonly systemRelations?: readonly { name: string; columns: readonly { name: string; typeOid: number }[] }[];
  /** The statement's model, shared by every catalog relation and lookup it reads (built once per statement). */
  readonly model?: () => PgCatalogModel;
  /** Committed live rows of a table, growing segments included (pg_stat_user_tables.n_live_tup); undefined: not attached. */
  readonly liveRows?: (tableId: number) => number | undefined;
}

/** A function as pg_proc shows it. */
export interface CatalogFunction {
  readonly name: string;
  readonly argTypes: readonly number[];
  readonly returnType: number;
  readonly returnsSet: boolean;
  readonly strict: boolean;
  readonly volatility: 'immutable' | 'stable' | 'volatile';
  readonly kind: 'f' | 'a';
}

/** The context used when the session gives none (planning, tests). */
export const DEFAULT_VIEW_CONTEXT: SystemViewContext = {
  user: 'postgres', database: 'postgres', searchPath: ['public'], backendPid: 0, settings: [], functions: [], extensions: [],
};

export interface RelNamespace {
  readonly oid: number;
  readonly name: string;
}

export interface RelIndex {
  readonly oid: number;
  readonly name: string;
  readonly table: TableDef;
  readonly attnums: readonly number[];
  readonly unique: boolean;
  readonly primary: boolean;
  /** Access method name (btree, hnsw, ivfflat, ...). */
  readonly am: string;
  /** The constraint this index implements, if any. */
  readonly constraintOid: number;
  /** Per column: its operator class when not the default. */
  readonly opclasses?: readonly (string | null)[];
  /** Per column: DESC (with PostgreSQL's default NULLS FIRST for it). */
  readonly descending?: readonly boolean[];
  readonly options?: Record<string, unknown>;
}

export interface RelConstraint {
  readonly oid: number;
  readonly def: ConstraintDef;
  readonly table: TableDef;
  readonly contype: 'p' | 'u' | 'c' | 'n';
  readonly indexOid: number;
}

export interface RelSequence {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  readonly table: TableDef;
  readonly column: ColumnDef;
}

/** Catalog objects with OIDs; arrays in OID order within each table. */
export class PgCatalogModel {
  readonly tables: TableDef[];
  readonly namespaces: RelNamespace[];
  readonly indexes: RelIndex[] = [];
  readonly constraints: RelConstraint[] = [];
  readonly sequences: RelSequence[] = [];
  /** Plain views (CREATE VIEW): pg_class relkind 'v', OID = view id. */
  readonly views: ViewDef[];
  private readonly tablesById = new Map<number, TableDef>();
  /** Named partitions shown as tables (partitions-model.ts), by their OID. */
  readonly partitions = new Map<number, PartitionRel>();
  /** A named partition's copy of a parent index → the parent's index (pg_inherits). */
  readonly indexParents = new Map<number, number>();

  constructor(readonly catalog: Catalog, readonly ctx: SystemViewContext) {
    this.tables = catalog.listTables();
    this.views = typeof catalog.listViews === 'function' ? catalog.listViews() : [];
    for (const r of partitionRels(catalog, this.tables)) {
      this.partitions.set(r.table.tableId, r);
      this.tables.push(r.table);
    }
    const sqlIndexesOf = new Map<number, IndexDef[]>();
    for (const d of typeof catalog.listIndexes === 'function' ? catalog.listIndexes() : []) {
      sqlIndexesOf.set(d.tableId, [...(sqlIndexesOf.get(d.tableId) ?? []), d]);
    }
    const names = ['pg_catalog', 'public', 'information_schema', ...catalog.listSchemas().filter((s) => s !== 'public')];
    this.namespaces = [...new Set(names)].map((name) => ({ oid: namespaceOid(name), name }));
    for (const t of this.tables) {
      this.tablesById.set(t.tableId, t);
      let n = 0;
      t.constraints.forEach((c, i) => {
        // A unique index's uniqueness is listed through its index (below), not as a constraint.
        if (c.indexOnly) return;
        const contype = c.kind === 'primary' ? 'p' : c.kind === 'unique' ? 'u' : c.kind === 'check' ? 'c' : 'n';
        const hasIndex = contype === 'p' || contype === 'u';
        const idx = hasIndex ? indexOid(t.tableId, n++) : 0;
        const oid = constraintOid(t.tableId, i);
        if (contype !== 'n') this.constraints.push({ oid, def: c, table: t, contype, indexOid: idx });
        if (hasIndex) {
          this.indexes.push({ oid: idx, name: c.name, table: t, attnums: c.attnums, unique: true, primary: contype === 'p', am: 'btree', constraintOid: oid });
        }
      });
      const rel = this.partitions.get(t.tableId);
      if (rel) {
        // A partition's copies of the parent's key indexes: same position, so the same n.
        for (let k = 0; k < n; k++) this.indexParents.set(indexOid(t.tableId, k), indexOid(rel.parent.tableId, k));
      }
      const sqlIndexes = sqlIndexesOf.get(rel ? rel.parent.tableId : t.tableId) ?? [];
      // Relation names a partition's index copy must not take (ChooseRelationName).
      const names = !rel ? new Set<string>() : new Set([...this.indexes.filter((i) => i.table.schema === t.schema).map((i) => i.name), ...this.tables.filter((x) => x.schema === t.schema).map((x) => x.name),
        ...[...sqlIndexesOf.values()].flat().filter((d) => d.schema === t.schema).map((d) => d.name)]);
      for (const [k, d] of sqlIndexes.entries()) {
        const oid = rel ? indexOid(t.tableId, 500 + k) : sqlIndexOid(d.indexId);
        if (rel) this.indexParents.set(oid, sqlIndexOid(d.indexId));
        const name = rel ? childIndexName(t.name, d.columns.map((c) => t.columns.find((x) => x.attnum === c.attnum)?.name ?? 'expr'), names) : d.name;
        this.indexes.push({
          oid, name, table: t, attnums: d.columns.map((c) => c.attnum), unique: d.options.unique === 'true',
          primary: false, am: d.method, constraintOid: 0, opclasses: d.columns.map((c) => c.opclass),
          descending: d.columns.map((c) => c.descending === true),
          options: Object.fromEntries(Object.entries(d.options).filter(([k]) => k !== 'unique')),
        });
      }
      if (sqlIndexes.length === 0 && t.engineType !== undefined && t.engineType !== ENGINE_FLAT) this.indexes.push(vectorIndex(t, indexOid(t.tableId, n++)));
      if (rel && sqlIndexes.length === 0 && rel.parent.engineType !== undefined && rel.parent.engineType !== ENGINE_FLAT) {
        const v = vectorIndex(rel.parent, indexOid(t.tableId, n));
        this.indexParents.set(v.oid, indexOid(rel.parent.tableId, n));
        this.indexes.push({ ...v, table: t, name: childIndexName(t.name, v.attnums.map((a) => t.columns.find((x) => x.attnum === a)?.name ?? 'expr'), names) });
      }
      if (rel) continue; // the parent's serial sequences are listed once, with the parent
      for (const c of t.columns) {
        if (c.sequence && !c.dropped) this.sequences.push({ oid: sequenceOid(c.sequence), name: c.sequence, schema: t.schema, table: t, column: c });
      }
    }
  }

  /** Lazily built instances per catalog and statement would be kept by the caller; this is cheap for hundreds of tables. */
  static of(catalog: Catalog, ctx?: SystemViewContext): PgCatalogModel {
    return new PgCatalogModel(catalog, ctx ?? DEFAULT_VIEW_CONTEXT);
  }

  private rowCounts: Map<number, number> | null = null;

  /** Live rows of a table (pg_class.reltuples, pg_stat_user_tables), from one catalog query for all tables. */
  rowCount(tableId: number): number {
    this.rowCounts ??= new Map(this.catalog.tableSummaries().map((s) => [s.tableId, s.rowCount]));
    return this.rowCounts.get(tableId) ?? 0;
  }

  /** pg_stat_user_tables.n_live_tup: committed live rows from storage where the session can tell, else rowCount. */
  liveTuples(tableId: number): number {
    return this.ctx.liveRows?.(tableId) ?? this.rowCount(tableId);
  }

  table(oid: number): TableDef | undefined {
    return this.tablesById.get(oid);
  }

  /** True when an unqualified name of this schema would find it first (pg_table_is_visible, simplified to the schema being on the path). */
  visible(schema: string): boolean {
    return schema === 'pg_catalog' || this.ctx.searchPath.includes(schema);
  }

  /** pg_get_expr of a column default. */
  defaultText(t: TableDef, c: ColumnDef): string | null {
    if (!hasDefault(c)) return null;
    if (c.sequence !== null) {
      // regclass output of the sequence: qualified when its schema is not on search_path.
      const name = this.visible(t.schema) ? quoteIdent(c.sequence) : `${quoteIdent(t.schema)}.${quoteIdent(c.sequence)}`;
      return `nextval('${name.replace(/'/g, "''")}'::regclass)`;
    }
    return deparseExpr(c.defaultExpr, columnTypes(t), { oid: c.typeOid, typmod: c.typmod });
  }

  /** pg_get_constraintdef. */
  constraintDef(k: RelConstraint, pretty = false): string {
    const cols = k.def.attnums.map((a) => quoteIdent(columnName(k.table, a))).join(', ');
    switch (k.contype) {
      case 'p':
        return `PRIMARY KEY (${cols})`;
      case 'u':
        return `UNIQUE (${cols})`;
      case 'c':
        return `CHECK (${k.def.expr ? deparseExpr(k.def.expr, columnTypes(k.table), undefined, pretty) : 'true'})`;
      default:
        return `NOT NULL ${cols}`;
    }
  }

  /** An operator class as pg_get_indexdef names it: pgvector's qualified with public when search_path misses it (pg_dump). */
  private opclassName(name: string): string {
    const pgvector = this.ctx.extensions.includes('vector') && /^(vector|halfvec|sparsevec)_/.test(name);
    return pgvector && !this.visible('public') ? `public.${name}` : name;
  }

  /** pg_get_indexdef: `CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)`. */
  indexDef(i: RelIndex, column = 0, pretty = false): string {
    const cols = i.attnums.map((a, k) =>
      quoteIdent(columnName(i.table, a)) + (i.opclasses?.[k] ? ` ${this.opclassName(i.opclasses[k]!)}` : '') + (i.descending?.[k] ? ' DESC' : ''));
    if (column > 0) return cols[column - 1]?.replace(/ .*$/, '') ?? '';
    const opts = i.options && Object.keys(i.options).length > 0
      ? ` WITH (${Object.entries(i.options).map(([k, v]) => `${k}='${String(v)}'`).join(', ')})` : '';
    // Pretty printing names the table unqualified when search_path finds it (generate_relation_name).
    const table = pretty && this.visible(i.table.schema) ? quoteIdent(i.table.name) : `${quoteIdent(i.table.schema)}.${quoteIdent(i.table.name)}`;
    return `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(i.name)} ON ${i.table.partitionKey ? 'ONLY ' : ''}${table} USING ${i.am} (${cols.join(', ')})${opts}`;
  }

  private byName: Map<string, number> | null = null;
  private byOid: Map<number, { schema: string; name: string }> | null = null;

  private buildRelationMaps(): void {
    this.byName = new Map();
    this.byOid = new Map();
    const add = (oid: number, schema: string, name: string): void => {
      const key = `${schema}\u0000${name}`;
      if (!this.byName!.has(key)) this.byName!.set(key, oid);
      this.byOid!.set(oid, { schema, name });
    };
    for (const t of this.tables) add(t.tableId, t.schema, t.name);
    for (const i of this.indexes) add(i.oid, i.table.schema, i.name);
    for (const s of this.sequences) add(s.oid, s.schema, s.name);
    for (const v of this.views) add(v.viewId, v.schema, v.name);
  }

  /** The view with this OID, or undefined. */
  view(oid: number): ViewDef | undefined {
    return this.views.find((v) => v.viewId === oid);
  }

  /** The OID of a relation (table, index, sequence) by schema and name. */
  relationOid(schema: string, name: string): number | undefined {
    if (!this.byName) this.buildRelationMaps();
    return this.byName!.get(`${schema}\u0000${name}`);
  }

  /** Schema and name of a relation OID (tables, indexes, sequences). */
  relationById(oid: number): { schema: string; name: string } | undefined {
    if (!this.byOid) this.buildRelationMaps();
    return this.byOid!.get(oid);
  }

  namespaceOfOid(oid: number): string | undefined {
    return this.namespaces.find((n) => n.oid === oid)?.name;
  }
}

/** Column names a stored expression mentions (libpg-query JSON ColumnRef nodes), in order of appearance. */
export function exprColumns(raw: string): string[] {
  const found = new Set<string>();
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n && typeof n === 'object') {
      const o = n as Record<string, any>;
      if (o.ColumnRef) {
        const f = o.ColumnRef.fields as { String?: { sval: string } }[];
        const last = f[f.length - 1]?.String?.sval;
        if (last) found.add(last);
      }
      for (const v of Object.values(o)) visit(v);
    }
  };
  visit(JSON.parse(raw));
  return [...found];
}

/** conkey of a constraint: its columns, or for a CHECK the columns it mentions in attnum order. */
export function constraintAttnums(k: RelConstraint): number[] {
  if (k.contype !== 'c') return k.def.attnums;
  if (!k.def.expr) return [];
  const names = new Set(exprColumns(k.def.expr));
  return k.table.columns.filter((c) => !c.dropped && names.has(c.name)).map((c) => c.attnum);
}

/** pg_attribute.atthasdef: a default other than NULL, and not an identity column's. */
export function hasDefault(c: ColumnDef): boolean {
  return c.defaultExpr !== null && c.identity === null && !isNullConstant(c.defaultExpr);
}

/** The column types of a table, for deparsing its expressions. */
export function columnTypes(t: TableDef): (name: string) => { oid: number; typmod: number } | undefined {
  return (name) => {
    const c = t.columns.find((x) => !x.dropped && x.name === name);
    return c ? { oid: c.typeOid, typmod: c.typmod } : undefined;
  };
}

function columnName(t: TableDef, attnum: number): string {
  return t.columns.find((c) => c.attnum === attnum)?.name ?? `?${attnum}?`;
}

const VECTOR_OPCLASS: Record<number, Record<number, string>> = {
  [Oid.vector]: { 1: 'vector_l2_ops', 2: 'vector_ip_ops', 3: 'vector_cosine_ops', 4: 'vector_l1_ops' },
  [Oid.halfvec]: { 1: 'halfvec_l2_ops', 2: 'halfvec_ip_ops', 3: 'halfvec_cosine_ops', 4: 'halfvec_l1_ops' },
  [Oid.sparsevec]: { 1: 'sparsevec_l2_ops', 2: 'sparsevec_ip_ops', 3: 'sparsevec_cosine_ops', 4: 'sparsevec_l1_ops' },
};

/** The vector index recorded on a table (engine type and params) as a relation. */
function vectorIndex(t: TableDef, oid: number): RelIndex {
  const params = (t.indexParams ?? {}) as Record<string, unknown>;
  const col = t.columns.find((c) => !c.dropped && (c.typeOid === Oid.vector || c.typeOid === Oid.halfvec || c.typeOid === Oid.sparsevec));
  const attnum = typeof params.attnum === 'number' ? params.attnum : (col?.attnum ?? 0);
  const colDef = t.columns.find((c) => c.attnum === attnum);
  const am = params.method === 'ivfflat' || String(params.am ?? '').toLowerCase() === 'ivfflat' ? 'ivfflat' : 'hnsw';
  const name = typeof params.name === 'string' ? params.name : `${t.name}_${colDef?.name ?? 'embedding'}_idx`;
  const opclass = typeof params.opclass === 'string' ? params.opclass : VECTOR_OPCLASS[colDef?.typeOid ?? Oid.vector]?.[t.metricType ?? 1];
  const options: Record<string, unknown> = {};
  for (const k of ['m', 'ef_construction', 'lists']) if (params[k] !== undefined) options[k] = params[k];
  return { oid, name, table: t, attnums: [attnum], unique: false, primary: false, am, constraintOid: 0, opclasses: [opclass ?? null], options };
}
