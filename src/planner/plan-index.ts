/**
 * planner/: binds CREATE INDEX — access method, operator classes (pgvector 0.8's, with its
 * error messages), WITH options and PostgreSQL's default index name — into the catalog's
 * NewIndexDef. The session records it and the ann/ layer builds the per-segment graphs.
 */
import type { IndexColumnDef, NewIndexDef, TableDef } from '../catalog/index.ts';
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import type { Statement } from '../sql/index.ts';
import { Oid, typeByOid } from '../types/index.ts';
import { liveColumns, resolveTable, type PlanEnv } from './relations.ts';

/** A distance an operator class orders by, named by its pgvector operator. */
export type VectorMetric = 'l2' | 'ip' | 'cosine' | 'l1' | 'hamming' | 'jaccard';

/** What an operator class means: the column type it accepts, its distance and operator. */
export interface OpclassInfo {
  readonly typeOid: number;
  readonly metric: VectorMetric;
  readonly operator: string;
}

const OPERATOR: Record<VectorMetric, string> = { l2: '<->', ip: '<#>', cosine: '<=>', l1: '<+>', hamming: '<~>', jaccard: '<%>' };

function opclasses(prefix: string, typeOid: number, metrics: readonly VectorMetric[]): [string, OpclassInfo][] {
  return metrics.map((m) => [`${prefix}_${m}_ops`, { typeOid, metric: m, operator: OPERATOR[m] }]);
}

/** pgvector 0.8's operator classes per access method. */
const OPCLASSES: Record<string, ReadonlyMap<string, OpclassInfo>> = {
  hnsw: new Map([
    ...opclasses('vector', Oid.vector, ['l2', 'ip', 'cosine', 'l1']),
    ...opclasses('halfvec', Oid.halfvec, ['l2', 'ip', 'cosine', 'l1']),
    ...opclasses('sparsevec', Oid.sparsevec, ['l2', 'ip', 'cosine', 'l1']),
    ...opclasses('bit', Oid.bit, ['hamming', 'jaccard']),
  ]),
  ivfflat: new Map([
    ...opclasses('vector', Oid.vector, ['l2', 'ip', 'cosine']),
    ...opclasses('halfvec', Oid.halfvec, ['l2', 'ip', 'cosine']),
    ...opclasses('bit', Oid.bit, ['hamming']),
  ]),
};

/** Default operator classes (pgvector declares one for ivfflat on vector only). */
const DEFAULT_OPCLASS: Record<string, Partial<Record<number, string>>> = { ivfflat: { [Oid.vector]: 'vector_l2_ops' } };

/** Access methods Tessera accepts: ANN methods get graphs; the others are recorded only. */
const RECORDED_METHODS = ['btree', 'hash', 'gin', 'gist', 'brin', 'spgist'];

/** The operator class info of an ANN index column, or undefined for btree & co. */
export function opclassInfo(method: string, opclass: string | null): OpclassInfo | undefined {
  return opclass === null ? undefined : OPCLASSES[method]?.get(opclass);
}

interface IntOption {
  readonly min: number;
  readonly max: number;
  readonly defaultValue: number;
}

const OPTIONS: Record<string, Record<string, IntOption>> = {
  hnsw: { m: { min: 2, max: 100, defaultValue: 16 }, ef_construction: { min: 4, max: 1000, defaultValue: 64 } },
  ivfflat: { lists: { min: 1, max: 32768, defaultValue: 100 } },
  btree: { fillfactor: { min: 10, max: 100, defaultValue: 90 } },
};

function bindOptions(method: string, given: Readonly<Record<string, string>>): Record<string, string> {
  const known = OPTIONS[method] ?? {};
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(given)) {
    const def = known[name];
    if (def === undefined) throw new DbError(SqlState.InvalidParameterValue, `unrecognized parameter "${name}"`);
    const s = text.trim();
    if (!/^[+-]?\d+$/.test(s)) throw new DbError(SqlState.InvalidParameterValue, `invalid value for integer option "${name}": ${text}`);
    const n = Number(s);
    if (n < def.min || n > def.max) {
      throw new DbError(SqlState.InvalidParameterValue, `value ${s} out of bounds for option "${name}"`, {
        detail: `Valid values are between "${def.min}" and "${def.max}".`,
      });
    }
    out[name] = String(n);
  }
  return out;
}

/** An integer WITH option of an index, or its default. */
export function indexOption(method: string, options: Readonly<Record<string, string>>, name: string): number {
  const v = options[name];
  return v !== undefined ? Number(v) : (OPTIONS[method]?.[name]?.defaultValue ?? 0);
}

const NAMEDATALEN = 64;

/** PostgreSQL's makeObjectName: name1_name2_label, shortening the longer part until it fits 63 bytes. */
function makeObjectName(name1: string, name2: string, label: string): string {
  const avail = NAMEDATALEN - 1 - (label.length + 1) - (name2.length > 0 ? 1 : 0);
  let n1 = name1.length;
  let n2 = name2.length;
  while (n1 + n2 > avail) {
    if (n1 > n2) n1--;
    else n2--;
  }
  return [name1.slice(0, n1), ...(name2.length > 0 ? [name2.slice(0, n2)] : []), label].join('_');
}

/** PostgreSQL's ChooseRelationName for an index: t_col_idx, then t_col_idx1, t_col_idx2, ... */
export function defaultIndexName(table: string, columns: readonly string[], taken: (name: string) => boolean): string {
  const addition = columns.join('_');
  for (let pass = 0; ; pass++) {
    const name = makeObjectName(table, addition, pass === 0 ? 'idx' : `idx${pass}`);
    if (!taken(name)) return name;
  }
}

export interface BoundCreateIndex {
  readonly table: TableDef;
  /** null when the name was not given and must be chosen by the session (needs the catalog). */
  readonly def: NewIndexDef;
}

/** Binds CREATE INDEX; `nameTaken` answers whether a relation name is used in the table's schema. */
export function bindCreateIndex(stmt: Statement & { kind: 'create_index' }, env: PlanEnv, nameTaken: (schema: string, name: string) => boolean): BoundCreateIndex {
  const method = stmt.method;
  const ann = method in OPCLASSES;
  if (!ann && !RECORDED_METHODS.includes(method)) throw new DbError(SqlState.UndefinedObject, `access method "${method}" does not exist`);
  if (stmt.unique && method !== 'btree') throw notSupported(`access method "${method}" does not support unique indexes`);
  if (ann && stmt.elements.length > 1) throw notSupported(`access method "${method}" does not support multicolumn indexes`);
  const table = resolveTable(env, stmt.table);
  // A unique btree index is enforced by the key index like a UNIQUE constraint (session/ddl-index.ts).
  const options = stmt.unique ? { ...bindOptions(method, stmt.options), unique: 'true' } : bindOptions(method, stmt.options);
  const columns: IndexColumnDef[] = stmt.elements.map((e) => {
    const col = liveColumns(table).find((c) => c.name === e.column);
    if (col === undefined) throw new DbError(SqlState.UndefinedColumn, `column "${e.column}" does not exist`);
    if (!ann) return { attnum: col.attnum, opclass: e.opclass, descending: e.descending };
    const typeName = typeByOid(col.typeOid)?.name ?? String(col.typeOid);
    const opclass = e.opclass ?? DEFAULT_OPCLASS[method]?.[col.typeOid];
    if (opclass === undefined) {
      throw new DbError(SqlState.UndefinedObject, `data type ${typeName} has no default operator class for access method "${method}"`, {
        hint: 'You must specify an operator class for the index or define a default operator class for the data type.',
      });
    }
    const info = OPCLASSES[method]!.get(opclass);
    if (info === undefined) throw new DbError(SqlState.UndefinedObject, `operator class "${opclass}" does not exist for access method "${method}"`);
    if (info.typeOid !== col.typeOid) throw new DbError(SqlState.DatatypeMismatch, `operator class "${opclass}" does not accept data type ${typeName}`);
    return { attnum: col.attnum, opclass, descending: e.descending };
  });
  if (ann) {
    const col = table.columns.find((c) => c.attnum === columns[0]!.attnum)!;
    if ((col.typeOid === Oid.vector || col.typeOid === Oid.halfvec) && col.typmod < 0) {
      throw new DbError(SqlState.InvalidParameterValue, 'column does not have dimensions');
    }
    if (method === 'hnsw' && indexOption('hnsw', options, 'ef_construction') < 2 * indexOption('hnsw', options, 'm')) {
      throw new DbError(SqlState.InvalidParameterValue, 'ef_construction must be greater than or equal to 2 * m');
    }
  }
  const name = stmt.name ?? defaultIndexName(table.name, stmt.elements.map((e) => e.column), (n) => nameTaken(table.schema, n) || table.constraints.some((k) => k.name === n));
  return { table, def: { schema: table.schema, name, tableId: table.tableId, method, columns, options } };
}
