/**
 * catalog/pg-catalog: LIST-partitioned tables and their named partitions as PostgreSQL 15's
 * catalogs show them (docs/tenants.md, "SQL surface"). A named partition appears as a table
 * of its own (relkind 'r', relispartition, relpartbound) with its parent's columns,
 * constraints and indexes under the names PostgreSQL gives a partition's copies; the texts of
 * pg_get_partkeydef, pg_get_expr(relpartbound) and pg_get_partition_constraintdef are built
 * here. Used by model.ts.
 */
import { Oid, typeByOid } from '../../types/index.ts';
import type { Catalog } from '../catalog.ts';
import { ENGINE_FLAT } from '../file-state.ts';
import type { PartitionDef } from '../partitions.ts';
import type { ColumnDef, TableDef } from '../table-def.ts';
import { quoteIdent } from './deparse.ts';

/** A named partition as a relation: the TableDef it is shown as (OID = partition id) and its parent. */
export interface PartitionRel {
  readonly partition: PartitionDef;
  readonly parent: TableDef;
  /** The partition shown as a table: the parent's columns and constraints, the partition's id and name. */
  readonly table: TableDef;
  readonly key: ColumnDef;
}

/** PostgreSQL's NAMEDATALEN - 1. */
const MAX_NAME_BYTES = 63;

/**
 * ChooseRelationName: `<name1>_<name2>_<label>` truncated to 63 bytes (the longer part first),
 * with a number added until no relation in `taken` has it.
 */
export function chooseRelationName(name1: string, name2: string, label: string, taken: ReadonlySet<string>): string {
  for (let n = 0; ; n++) {
    const suffix = n === 0 ? label : `${label}${n}`;
    let a = name1;
    let b = name2;
    const over = (): number => Buffer.byteLength(a) + (b ? Buffer.byteLength(b) + 1 : 0) + Buffer.byteLength(suffix) + 1 - MAX_NAME_BYTES;
    while (over() > 0) {
      if (Buffer.byteLength(a) > Buffer.byteLength(b)) a = a.slice(0, -1);
      else b = b.slice(0, -1);
    }
    const name = b ? `${a}_${b}_${suffix}` : `${a}_${suffix}`;
    if (!taken.has(name)) return name;
  }
}

/** The named partitions of the catalog as relations, in partition id (OID) order; ones whose parent is gone are skipped. */
export function partitionRels(catalog: Catalog, tables: readonly TableDef[]): PartitionRel[] {
  if (typeof catalog.listPartitions !== 'function') return [];
  const byId = new Map(tables.map((t) => [t.tableId, t]));
  // Relation names per schema, which a partition's copy of a key index must not take.
  const taken = new Map<string, Set<string>>();
  const take = (schema: string, name: string): void => {
    let set = taken.get(schema);
    if (!set) taken.set(schema, (set = new Set()));
    set.add(name);
  };
  for (const t of tables) {
    take(t.schema, t.name);
    for (const k of t.constraints) if (k.kind === 'primary' || k.kind === 'unique') take(t.schema, k.name);
    for (const c of t.columns) if (c.sequence) take(t.schema, c.sequence);
  }
  for (const i of typeof catalog.listIndexes === 'function' ? catalog.listIndexes() : []) take(i.schema, i.name);
  const all = catalog.listPartitions();
  for (const p of all) take(p.schema, p.name);
  const out: PartitionRel[] = [];
  for (const p of all) {
    const parent = byId.get(p.tableId);
    const key = parent?.partitionKey ? parent.columns.find((c) => c.attnum === parent.partitionKey!.attnum && !c.dropped) : undefined;
    if (!parent || !key) continue;
    if (!taken.has(p.schema)) taken.set(p.schema, new Set());
    const names = taken.get(p.schema)!;
    // A partition's copies of the parent's key constraints are named after the partition, as PostgreSQL names them.
    const constraints = parent.constraints.map((k) => {
      if (k.kind !== 'primary' && k.kind !== 'unique') return k;
      const cols = k.attnums.map((a) => parent.columns.find((c) => c.attnum === a)?.name ?? '').join('_');
      const name = k.kind === 'primary' ? chooseRelationName(p.name, '', 'pkey', names) : chooseRelationName(p.name, cols, 'key', names);
      names.add(name);
      return { ...k, name };
    });
    const table: TableDef = {
      ...parent, tableId: p.partitionId, schema: p.schema, name: p.name, constraints, partitionKey: null, engineType: ENGINE_FLAT, indexParams: {},
    };
    out.push({ partition: p, parent, table, key });
  }
  return out;
}

/** The name of a partition's copy of a parent index over `columns` (ChooseIndexName: `<partition>_<cols>_idx`). */
export function childIndexName(partition: string, columns: readonly string[], taken: Set<string>): string {
  const name = chooseRelationName(partition, columns.join('_'), 'idx', taken);
  taken.add(name);
  return name;
}

/** pg_get_partkeydef: `LIST (tenant_id)`. */
export function partKeyDef(t: TableDef): string | null {
  if (!t.partitionKey) return null;
  const col = t.columns.find((c) => c.attnum === t.partitionKey!.attnum);
  return col ? `LIST (${quoteIdent(col.name)})` : null;
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** A key value as get_const_expr prints it without a type label: integers bare unless negative, the rest quoted. */
function boundLiteral(value: string, typeOid: number): string {
  return typeOid === Oid.int4 && !value.startsWith('-') ? value : quote(value);
}

/** pg_get_expr(relpartbound): `FOR VALUES IN ('a', 'b')`. */
export function partitionBoundText(rel: PartitionRel): string {
  return `FOR VALUES IN (${rel.partition.values.map((v) => boundLiteral(v, rel.key.typeOid)).join(', ')})`;
}

/** A key value as get_const_expr prints it with its type label (`'a'::text`, `5`, `'5'::bigint`). */
function labelledLiteral(value: string, key: ColumnDef): string {
  if (key.typeOid === Oid.int4 && !value.startsWith('-')) return value;
  const type = key.typeOid === Oid.int4 ? 'integer' : key.typeOid === Oid.int2 ? 'smallint' : key.typeOid === Oid.int8 ? 'bigint'
    : key.typeOid === Oid.varchar ? `character varying${key.typmod >= 4 ? `(${key.typmod - 4})` : ''}` : (typeByOid(key.typeOid)?.name ?? 'text');
  return `${quote(value)}::${type}`;
}

/** pg_get_partition_constraintdef: `((k IS NOT NULL) AND (k = 'a'::text))`, `= ANY (ARRAY[...])` for several values. */
export function partitionConstraintText(rel: PartitionRel): string {
  const col = quoteIdent(rel.key.name);
  // varchar compares as text: PostgreSQL shows the column cast.
  const left = rel.key.typeOid === Oid.varchar ? `(${col})::text` : col;
  const values = rel.partition.values.map((v) => labelledLiteral(v, rel.key));
  const test = values.length === 1 ? `${left} = ${values[0]}` : `${left} = ANY (ARRAY[${values.join(', ')}])`;
  return `((${col} IS NOT NULL) AND (${test}))`;
}
