/**
 * catalog/pg-catalog: name and definition lookups over the catalog model for the reg*
 * types (CatalogNames: regclass in/out through search_path) and the pg_catalog functions
 * (pg_get_constraintdef, pg_get_indexdef, pg_table_is_visible, ...). One instance per
 * session; the model is rebuilt after invalidate(), which the session calls at the end of
 * every statement.
 */
import { DbError, SqlState, type SqlStateCode } from '../../errors/index.ts';
import type { Catalog } from '../catalog.ts';
import { Oid, typeByOid } from '../../types/index.ts';
import { quoteIdent } from './deparse.ts';
import { ioProcs } from './io-procs.ts';
import { PgCatalogModel, type SystemViewContext } from './model.ts';
import { viewDefinition } from './view-deparse.ts';
import { DATABASE_OWNER_OID, SUPERUSER_OID, procOid, rewriteOid, systemViewOid } from './oids.ts';
import { partKeyDef, partitionConstraintText } from './partitions-model.ts';

/** 42602 invalid_name (not in errors/sqlstate.ts yet). */
const INVALID_NAME = '42602' as SqlStateCode;

/** 42725 ambiguous_function. */
const AMBIGUOUS_FUNCTION = '42725' as SqlStateCode;

/** Splits a possibly qualified, possibly quoted name as regclassin does ('"My T"', 's.t'). */
export function splitQualifiedName(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i <= s.length) {
    if (s[i] === '"') {
      let j = i + 1;
      let out = '';
      for (;;) {
        if (j >= s.length) throw new DbError(INVALID_NAME, 'invalid name syntax');
        if (s[j] === '"') {
          if (s[j + 1] === '"') {
            out += '"';
            j += 2;
            continue;
          }
          break;
        }
        out += s[j++];
      }
      parts.push(out);
      i = j + 1;
    } else {
      let j = i;
      while (j < s.length && s[j] !== '.') j++;
      const word = s.slice(i, j).trim();
      if (word === '' || /\s/.test(word)) throw new DbError(INVALID_NAME, 'invalid name syntax');
      parts.push(word.toLowerCase());
      i = j;
    }
    if (i >= s.length) break;
    if (s[i] !== '.') throw new DbError(INVALID_NAME, 'invalid name syntax');
    i++;
  }
  return parts;
}

const VECTOR_TYPES: ReadonlySet<number> = new Set([Oid.vector, Oid.halfvec, Oid.sparsevec]);

export class PgCatalogLookup {
  private model: PgCatalogModel | null = null;

  constructor(
    private readonly catalog: Catalog,
    private readonly context: () => SystemViewContext,
  ) {}

  /** Drops the cached model (after each statement, so DDL is seen). */
  invalidate(): void {
    this.model = null;
  }

  get m(): PgCatalogModel {
    this.model ??= PgCatalogModel.of(this.catalog, this.context());
    return this.model;
  }

  private systemRelation(schema: string, name: string): number | undefined {
    const q = `${schema}.${name}`;
    return this.m.ctx.systemRelations?.some((r) => r.name === q) ? systemViewOid(q) : undefined;
  }

  /** A COMMENT ON text of a table (attnum 0) or column, or null. */
  description(tableOid: number, attnum: number): string | null {
    return this.m.catalog.comments().find((c) => c.tableId === tableOid && c.attnum === attnum)?.text ?? null;
  }

  // ---- CatalogNames (types/pg-type.ts) ----

  relationOid(text: string): number {
    const parts = splitQualifiedName(text);
    if (parts.length > 3 || parts.length === 0) throw new DbError(SqlState.SyntaxError, `improper relation name (too many dotted names): ${text}`);
    if (parts.length === 3 && parts[0] !== this.m.ctx.database) {
      throw new DbError(SqlState.FeatureNotSupported, `cross-database references are not implemented: ${text}`);
    }
    const name = parts[parts.length - 1]!;
    if (parts.length >= 2) {
      const schema = parts[parts.length - 2]!;
      const oid = this.systemRelation(schema, name) ?? this.m.relationOid(schema, name);
      if (oid !== undefined) return oid;
      if (!this.m.namespaces.some((n) => n.name === schema)) throw new DbError(SqlState.InvalidSchemaName, `schema "${schema}" does not exist`);
      throw new DbError(SqlState.UndefinedTable, `relation "${parts.slice(-2).join('.')}" does not exist`);
    }
    for (const schema of this.effectivePath()) {
      const oid = this.systemRelation(schema, name) ?? this.m.relationOid(schema, name);
      if (oid !== undefined) return oid;
    }
    throw new DbError(SqlState.UndefinedTable, `relation "${name}" does not exist`);
  }

  relationName(oid: number): string | undefined {
    const sys = this.m.ctx.systemRelations?.find((r) => systemViewOid(r.name) === oid);
    if (sys) {
      const [schema, name] = sys.name.split('.') as [string, string];
      return schema === 'pg_catalog' ? quoteIdent(name) : `${quoteIdent(schema)}.${quoteIdent(name)}`;
    }
    const r = this.m.relationById(oid);
    if (!r) return undefined;
    return this.isVisibleName(r.schema, r.name) ? quoteIdent(r.name) : `${quoteIdent(r.schema)}.${quoteIdent(r.name)}`;
  }

  /** True when the unqualified name finds this schema's object first along search_path. */
  private isVisibleName(schema: string, name: string): boolean {
    for (const s of this.effectivePath()) {
      if (this.systemRelation(s, name) !== undefined || this.m.relationOid(s, name) !== undefined) return s === schema;
    }
    return false;
  }

  /** search_path as name lookup walks it: pg_catalog first unless the path places it. */
  private effectivePath(): readonly string[] {
    const path = this.m.ctx.searchPath;
    return path.includes('pg_catalog') ? path : ['pg_catalog', ...path];
  }

  procOid(text: string): number {
    const parts = splitQualifiedName(text.replace(/\(.*\)\s*$/, ''));
    const name = parts[parts.length - 1]!;
    const i = this.m.ctx.functions.findIndex((f) => f.name === name);
    if (i >= 0) {
      if (!text.includes('(') && this.m.ctx.functions.findIndex((f, k) => k > i && f.name === name) >= 0) {
        throw new DbError(AMBIGUOUS_FUNCTION, `more than one function named "${text}"`);
      }
      return procOid(i);
    }
    const io = ioProcs().oids.get(name);
    if (io !== undefined) return io;
    throw new DbError(SqlState.UndefinedFunction, `function "${text}" does not exist`);
  }

  procName(oid: number): string | undefined {
    const fns = this.m.ctx.functions;
    const i = oid - procOid(0);
    if (i >= 0 && i < fns.length) return fns[i]!.name;
    for (const [name, o] of ioProcs().oids) if (o === oid) return name;
    return undefined;
  }

  namespaceOid(text: string): number {
    const [name] = splitQualifiedName(text);
    const n = this.m.namespaces.find((x) => x.name === name);
    if (!n) throw new DbError(SqlState.InvalidSchemaName, `schema "${name}" does not exist`);
    return n.oid;
  }

  namespaceName(oid: number): string | undefined {
    const n = this.m.namespaceOfOid(oid);
    return n === undefined ? undefined : quoteIdent(n);
  }

  roleOid(text: string): number {
    const [name] = splitQualifiedName(text);
    if (name === this.m.ctx.user) return SUPERUSER_OID;
    if (name === 'pg_database_owner') return DATABASE_OWNER_OID;
    const role = this.m.catalog.security.getRole(name!);
    if (role) return role.oid;
    throw new DbError(SqlState.UndefinedObject, `role "${name}" does not exist`);
  }

  roleName(oid: number): string | undefined {
    if (oid === SUPERUSER_OID) return this.m.ctx.user;
    if (oid === DATABASE_OWNER_OID) return 'pg_database_owner';
    const role = this.m.catalog.security.getRoleByOid(oid);
    return role ? quoteIdent(role.name) : undefined;
  }

  // ---- what functions-catalog.ts asks (executor/context.ts PgCatalogAccess) ----

  constraintDef(oid: number, pretty = false): string | null {
    const k = this.m.constraints.find((c) => c.oid === oid);
    return k ? this.m.constraintDef(k, pretty) : null;
  }

  viewDef(oid: number, pretty = false): string | null {
    const v = this.m.view(oid);
    return v ? viewDefinition(this.m, v, pretty) : null;
  }

  ruleDef(oid: number, pretty = false): string | null {
    const v = this.m.views.find((x) => rewriteOid(x.viewId) === oid);
    if (!v) return null;
    // Pretty mode names the view as search_path finds it; otherwise always schema-qualified (ruleutils' PRETTYFLAG_SCHEMA).
    const qualified = pretty ? (this.relationName(v.viewId) ?? quoteIdent(v.name)) : `${quoteIdent(v.schema)}.${quoteIdent(v.name)}`;
    return `CREATE RULE "_RETURN" AS\n    ON SELECT TO ${qualified} DO INSTEAD ${viewDefinition(this.m, v, pretty)}`;
  }

  indexDef(oid: number, column: number, pretty = false): string | null {
    const i = this.m.indexes.find((x) => x.oid === oid);
    return i ? this.m.indexDef(i, column, pretty) : null;
  }

  /** pg_table_is_visible: relations in a schema on search_path that an unqualified name finds. */
  tableIsVisible(oid: number): boolean | null {
    const sys = this.m.ctx.systemRelations?.find((r) => systemViewOid(r.name) === oid);
    if (sys) return sys.name.startsWith('pg_catalog.') || this.m.ctx.searchPath.includes(sys.name.split('.')[0]!);
    const r = this.m.relationById(oid);
    return r ? this.isVisibleName(r.schema, r.name) : null;
  }

  /** pg_get_serial_sequence('t', 'col'): the qualified sequence name, or null. */
  serialSequence(table: string, column: string): string | null {
    const oid = this.relationOid(table);
    const t = this.m.table(oid);
    if (!t) return null;
    const c = t.columns.find((x) => !x.dropped && x.name === column);
    if (!c) throw new DbError(SqlState.UndefinedColumn, `column "${column}" of relation "${t.name}" does not exist`);
    // A named partition's column shares the parent's default, but the sequence is owned by the parent's column.
    if (this.m.partitions.has(oid)) return null;
    return c.sequence ? `${quoteIdent(t.schema)}.${quoteIdent(c.sequence)}` : null;
  }

  /** Approximate on-disk size of a relation (files not yet deleted), or null for an unknown OID. */
  relationSizeBytes(oid: number): bigint | null {
    const t = this.m.table(oid);
    if (t) return BigInt(this.catalog.tableSummaries().find((s) => s.tableId === oid)?.sizeBytes ?? 0);
    return this.m.relationById(oid) || this.m.ctx.systemRelations?.some((r) => systemViewOid(r.name) === oid) ? 0n : null;
  }

  /** Whether a schema exists (has_schema_privilege). */
  /**
   * The schema to name a type with when search_path does not find it (format_type): pgvector's
   * types (and their arrays) live in public once CREATE EXTENSION vector ran; pg_dump sets an
   * empty search_path and must read `public.vector(3)`. Null when the bare name finds it.
   */
  typeSchemaIfHidden(oid: number): string | null {
    if (!this.m.ctx.extensions.includes('vector')) return null;
    const elem = typeByOid(oid)?.elemOid ?? 0;
    if (!VECTOR_TYPES.has(oid) && !VECTOR_TYPES.has(elem)) return null;
    return this.m.ctx.searchPath.includes('public') ? null : 'public';
  }

  schemaExists(name: string): boolean {
    return this.m.namespaces.some((n) => n.name === name);
  }

  /** pg_get_function_arguments / result of a pg_proc OID. */
  functionSignature(oid: number): { args: readonly number[]; result: number; returnsSet: boolean } | null {
    const i = oid - procOid(0);
    const f = this.m.ctx.functions[i];
    return i >= 0 && f ? { args: f.argTypes, result: f.returnType, returnsSet: f.returnsSet } : null;
  }

  /** pg_get_partkeydef: `LIST (col)` for a partitioned table, else null. */
  partKeyDef(oid: number): string | null {
    const t = this.m.table(oid);
    return t ? partKeyDef(t) : null;
  }

  /** pg_partition_ancestors: the relation itself, then a named partition's parent; nothing for an unknown OID. */
  partitionAncestors(oid: number): number[] {
    const r = this.m.partitions.get(oid);
    if (r) return [oid, r.parent.tableId];
    return this.m.relationById(oid) ? [oid] : [];
  }

  /** pg_partition_tree: a partitioned table or index with its named partitions' (copies), or a partition alone; nothing otherwise. */
  partitionTree(oid: number): [number, number | null, boolean, number][] {
    const r = this.m.partitions.get(oid);
    if (r) return [[oid, r.parent.tableId, true, 0]];
    const childIndex = this.m.indexParents.get(oid);
    if (childIndex !== undefined) return [[oid, childIndex, true, 0]];
    const t = this.m.table(oid);
    if (t?.partitionKey) {
      return [[oid, null, false, 0], ...[...this.m.partitions.values()].filter((p) => p.parent === t).map((p): [number, number, boolean, number] => [p.table.tableId, oid, true, 1])];
    }
    const idx = this.m.indexes.find((i) => i.oid === oid);
    if (idx?.table.partitionKey) {
      return [[oid, null, false, 0], ...[...this.m.indexParents].filter(([, parent]) => parent === oid).map(([child]): [number, number, boolean, number] => [child, oid, true, 1])];
    }
    return [];
  }

  /** pg_get_partition_constraintdef of a named partition, else null. */
  partitionConstraintDef(oid: number): string | null {
    const r = this.m.partitions.get(oid);
    return r ? partitionConstraintText(r) : null;
  }
}
