/**
 * Vector top-k planning (pgvector's `ORDER BY col <op> $1 LIMIT k`): recognises a distance
 * ordering over a single table scan and replaces filter → sort → limit with a top-k node that
 * searches each segment (HNSW where an index serves the operator, exact otherwise).
 * Returns null when the query is not of that shape; planSelect then sorts as usual.
 */
import type { IndexDef } from '../catalog/index.ts';
import type { BoundExpr, Plan, SortKey, TopKIndex, VectorTopKPlan } from '../executor/index.ts';
import { Oid } from '../types/index.ts';
import { indexOption, opclassInfo } from './plan-index.ts';
import { splitConjuncts } from './bound-utils.ts';
import { pinTenants } from './plan-tenants.ts';
import type { PlanEnv } from './relations.ts';

export interface OrderedLimitShape {
  /** The FROM input: a seq-scan for a single table (other shapes are not candidates). */
  readonly input: Plan;
  /** The bound WHERE predicate over the input's columns, or null. */
  readonly predicate: BoundExpr | null;
  readonly keys: readonly SortKey[];
  readonly limit: BoundExpr | null;
  readonly offset: BoundExpr | null;
  readonly env: PlanEnv;
}

const DISTANCE_OPERATORS = new Set(['<->', '<#>', '<=>', '<+>', '<~>', '<%>']);
const VECTOR_TYPES = new Set<number>([Oid.vector, Oid.halfvec, Oid.sparsevec, Oid.bit]);

/** True when the expression reads no column (a constant or parameters: one query vector per execution). */
function columnFree(e: unknown): boolean {
  if (Array.isArray(e)) return e.every(columnFree);
  if (e === null || typeof e !== 'object') return true;
  const o = e as Record<string, unknown>;
  if (o.kind === 'column' || o.kind === 'outer' || o.kind === 'sublink' || o.kind === 'subquery') return false;
  if (o.kind === 'call' && (o.fn as { volatility?: string } | undefined)?.volatility === 'volatile') return false;
  return Object.entries(o).every(([k, v]) => k === 'fn' || typeof v !== 'object' || columnFree(v));
}

/** The catalog's index list, when the planner's catalog reader offers it (the server's Catalog does). */
function indexesOf(env: PlanEnv, tableId: number): readonly IndexDef[] {
  const reader = env.catalog as { listIndexes?: (tableId: number) => IndexDef[] };
  return typeof reader.listIndexes === 'function' ? reader.listIndexes(tableId) : [];
}

/** File states of sealed data files (catalog/file-state.ts: RAW, TO_INDEX, BACKUP). */
const SEALED_DATA_STATES = [1, 2, 7];

/**
 * EXPLAIN's per-segment line, computed when called (never at plan time): sealed segments
 * searched through a graph of the chosen index, those scanned exactly, and the growing segment.
 */
function segmentsNote(env: PlanEnv, tableId: number, index: TopKIndex | null): (() => string) | null {
  const reader = env.catalog as {
    files?: (tableId: number, states?: readonly number[]) => { segmentId: number }[];
    indexFiles?: (indexId: number) => { segmentId: number }[];
  };
  if (typeof reader.files !== 'function' || typeof reader.indexFiles !== 'function') return null;
  return () => {
    const sealed = new Set(reader.files!(tableId, SEALED_DATA_STATES).map((f) => f.segmentId));
    const graphs = index === null || index.graphMetric === null ? new Set<number>() : new Set(reader.indexFiles!(index.indexId).map((f) => f.segmentId));
    const byGraph = [...sealed].filter((s) => graphs.has(s)).length;
    return `Segments: ${byGraph} by graph, ${sealed.size - byGraph} exact; growing rows exact`;
  };
}

/** The ANN index serving `operator` on `attnum` (hnsw preferred over ivfflat, newest first). */
function chooseIndex(env: PlanEnv, tableId: number, attnum: number, operator: string): TopKIndex | null {
  const usable = indexesOf(env, tableId)
    .filter((ix) => ix.columns.length === 1 && ix.columns[0]!.attnum === attnum && opclassInfo(ix.method, ix.columns[0]!.opclass)?.operator === operator)
    .sort((a, b) => (a.method === b.method ? b.indexId - a.indexId : a.method === 'hnsw' ? -1 : 1));
  const ix = usable[0];
  if (ix === undefined) return null;
  const opclass = ix.columns[0]!.opclass!;
  const m = /^(vector|halfvec)_(l2|ip|cosine)_ops$/.exec(opclass);
  return {
    indexId: ix.indexId, name: ix.name, method: ix.method, opclass,
    graphMetric: m === null ? null : (m[2] as 'l2' | 'ip' | 'cosine'),
    m: ix.method === 'hnsw' ? indexOption('hnsw', ix.options, 'm') : 16,
    efConstruction: ix.method === 'hnsw' ? indexOption('hnsw', ix.options, 'ef_construction') : 64,
  };
}

/**
 * A plan producing the input's rows (same columns as `input`) filtered by `predicate`, in
 * `keys` order, limited — or null to fall back to filter/sort/limit.
 */
export function planVectorTopK(shape: OrderedLimitShape): Plan | null {
  const { keys, limit } = shape;
  // Filters over the scan (row-level security quals, a named partition's key) join the WHERE.
  let input = shape.input;
  const conds: BoundExpr[] = [];
  while (input.kind === 'filter') {
    conds.push(...splitConjuncts(input.predicate));
    input = input.input;
  }
  if (shape.predicate !== null) conds.push(...splitConjuncts(shape.predicate));
  if (input.kind !== 'seq-scan' || input.withRowId || limit === null || keys.length === 0) return null;
  const first = keys[0]!;
  if (first.descending || first.nullsFirst) return null;
  const d = first.expr;
  if (d.kind !== 'call' || !DISTANCE_OPERATORS.has(d.fn.name) || d.args.length !== 2) return null;
  const [col, query] = d.args as [BoundExpr, BoundExpr];
  if (col.kind !== 'column' || col.index >= input.attnums.length || !VECTOR_TYPES.has(col.type)) return null;
  if (!columnFree(query) || !columnFree(limit) || !columnFree(shape.offset)) return null;
  const attnum = input.attnums[col.index]!;
  // A partitioned table: search only the tenants the scan is pinned to (a policy) or a conjunct
  // names; an exact pin's own conjunct need not be evaluated again.
  const pin = input.tenants ?? pinTenants(input, conds)?.pin;
  const rest = pin !== undefined && pin.exact ? conds.filter((c) => c !== pin.source) : conds;
  const predicate = rest.length === 0 ? null : rest.length === 1 ? rest[0]! : { kind: 'and' as const, args: rest, type: Oid.bool, typmod: -1 };
  const plan: VectorTopKPlan = {
    kind: 'vector-topk',
    tableId: input.tableId,
    table: input.table,
    attnums: input.attnums,
    missing: input.missing,
    column: col.index,
    attnum,
    typeOid: col.type,
    operator: d.fn.name,
    distance: d,
    query,
    keys,
    predicate,
    ...(pin === undefined ? {} : { tenants: pin }),
    limit,
    offset: shape.offset,
    index: chooseIndex(shape.env, input.tableId, attnum, d.fn.name),
  };
  const note = segmentsNote(shape.env, input.tableId, plan.index);
  return note === null ? plan : { ...plan, segmentsNote: note };
}
