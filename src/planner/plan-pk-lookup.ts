/**
 * planner/: primary-key point lookups (issue 6). planPkLookup() looks at a WHERE predicate
 * bound over a table scan and, when it pins every column of a PRIMARY KEY / UNIQUE
 * constraint to constants or parameters (`pk = $1`, `pk IN (1, 2)`, `pk = ANY($1)`,
 * `a = 'x' AND b = 2`),
 * returns a `pk-lookup` plan to use instead of the scan; failing that, a range lookup when
 * it bounds a constraint's first column on both sides (`BETWEEN`; planPkRange). The caller
 * keeps its filter with the whole predicate above the lookup, so the lookup only has to
 * return a superset.
 */
import type { TableDef } from '../catalog/index.ts';
import type { BoundExpr, Plan } from '../executor/index.ts';

/** Most keys one lookup may expand to (the product of the IN lists); beyond it, scan. */
export const MAX_LOOKUP_KEYS = 10_000;

const INTEGER_TYPES = new Set([20, 21, 23]);
const TEXT_TYPES = new Set([25, 1043]);

/** Whether a value of type `valueType` is encoded like a key column of type `columnType` (kv/key-encoding.ts). */
function sameKeyEncoding(columnType: number, valueType: number): boolean {
  if (columnType === valueType) return true;
  if (INTEGER_TYPES.has(columnType) && INTEGER_TYPES.has(valueType)) return true;
  return TEXT_TYPES.has(columnType) && TEXT_TYPES.has(valueType);
}

/** A constant or parameter, possibly under casts: evaluable once per execution. */
function isRuntimeConstant(e: BoundExpr): boolean {
  if (e.kind === 'const' || e.kind === 'param') return true;
  return e.kind === 'cast' && isRuntimeConstant(e.arg);
}

/** `column = value` (either side): the scan column index and the value; null otherwise. */
function equality(e: BoundExpr): { column: number; columnType: number; value: BoundExpr } | null {
  if (e.kind !== 'call' || e.fn.name !== '=' || e.args.length !== 2) return null;
  const [l, r] = e.args as [BoundExpr, BoundExpr];
  const pick = (c: BoundExpr, v: BoundExpr): { column: number; columnType: number; value: BoundExpr } | null =>
    c.kind === 'column' && isRuntimeConstant(v) && sameKeyEncoding(c.type, v.type) ? { column: c.index, columnType: c.type, value: v } : null;
  return pick(l, r) ?? pick(r, l);
}

/**
 * `column = ANY (array)` with a constant or parameter array whose elements compare with `=`
 * directly (the test is bound over [column, element]).
 */
function anyArray(e: BoundExpr): { column: number; value: BoundExpr } | null {
  if (e.kind !== 'array_op' || e.quantifier !== 'any' || e.left.kind !== 'column' || !isRuntimeConstant(e.right)) return null;
  const t = e.test;
  if (t.kind !== 'call' || t.fn.name !== '=' || t.args.length !== 2) return null;
  const [a, b] = t.args as [BoundExpr, BoundExpr];
  if (a.kind !== 'column' || a.index !== 0 || b.kind !== 'column' || b.index !== 1 || !sameKeyEncoding(e.left.type, b.type)) return null;
  return { column: e.left.index, value: e.right };
}

/** The values a conjunct allows for one column: `c = v` or `c = v1 OR c = v2 ...` (what IN binds to). */
function columnValues(e: BoundExpr): { column: number; values: BoundExpr[]; spread?: boolean } | null {
  const eq = equality(e);
  if (eq !== null) return { column: eq.column, values: [eq.value] };
  const any = anyArray(e);
  if (any !== null) return { column: any.column, values: [any.value], spread: true };
  if (e.kind !== 'or') return null;
  let column = -1;
  const values: BoundExpr[] = [];
  for (const arm of e.args) {
    const sub = columnValues(arm);
    if (sub === null || sub.spread || (column >= 0 && sub.column !== column)) return null;
    column = sub.column;
    values.push(...sub.values);
  }
  return column < 0 ? null : { column, values };
}

function conjuncts(e: BoundExpr): BoundExpr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/**
 * A `pk-lookup` replacing `scanPlan` (a seq-scan of `table`) when `predicate` (bound over
 * the scan's output columns) pins all columns of one of the table's PRIMARY KEY / UNIQUE
 * constraints; null when it does not, or for any other plan shape. Keep the filter.
 */
export function planPkLookup(table: TableDef, scanPlan: Plan, predicate: BoundExpr | null): Plan | null {
  if (predicate === null || scanPlan.kind !== 'seq-scan' || scanPlan.tableId !== table.tableId) return null;
  const pinned = new Map<number, BoundExpr[]>();
  const spread = new Set<number>();
  for (const c of conjuncts(predicate)) {
    const cv = columnValues(c);
    if (cv === null || cv.column >= scanPlan.attnums.length) continue;
    const attnum = scanPlan.attnums[cv.column]!;
    // Several conjuncts on one column: any one list is a superset of the answer; keep the
    // shortest, and a list of values over an array of unknown length.
    const had = pinned.get(attnum);
    if (had !== undefined && !spread.has(attnum) && (cv.spread || had.length <= cv.values.length)) continue;
    pinned.set(attnum, cv.values);
    if (cv.spread) spread.add(attnum);
    else spread.delete(attnum);
  }
  if (pinned.size === 0) return planPkRange(table, scanPlan, predicate, null);
  const keys = table.constraints.filter((k) => k.kind === 'primary' || k.kind === 'unique');
  // Prefer the primary key, then the constraint needing the fewest lookups.
  let best: { name: string; attnums: number[]; n: number } | null = null;
  for (const k of keys) {
    if (!k.attnums.every((a) => pinned.has(a))) continue;
    const n = k.attnums.reduce((p, a) => p * pinned.get(a)!.length, 1);
    if (n > MAX_LOOKUP_KEYS) continue;
    if (best === null || (k.kind === 'primary' && n <= best.n) || n < best.n) best = { name: k.name, attnums: k.attnums, n };
  }
  if (best === null) return planPkRange(table, scanPlan, predicate, null);
  return {
    kind: 'pk-lookup',
    tableId: table.tableId,
    table: scanPlan.table,
    constraint: best.name,
    keyAttnums: best.attnums,
    keys: best.attnums.map((a) => pinned.get(a)!),
    ...(best.attnums.some((a) => spread.has(a)) ? { spread: best.attnums.map((a) => spread.has(a)) } : {}),
    attnums: scanPlan.attnums,
    missing: scanPlan.missing,
    withRowId: scanPlan.withRowId,
  };
}

/** Types whose key encoding orders like SQL's comparison operators (text: C collation). */
const RANGE_TYPES = new Set([20, 21, 23, 25, 1043, 2950]);
const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** `column op value` with op one of < <= > >= (either side; flipped so the column is on the left). */
function comparison(e: BoundExpr): { column: number; op: string; value: BoundExpr } | null {
  if (e.kind !== 'call' || e.args.length !== 2 || !(e.fn.name in FLIP)) return null;
  const [l, r] = e.args as [BoundExpr, BoundExpr];
  if (l.kind === 'column' && isRuntimeConstant(r) && RANGE_TYPES.has(l.type) && sameKeyEncoding(l.type, r.type)) return { column: l.index, op: e.fn.name, value: r };
  if (r.kind === 'column' && isRuntimeConstant(l) && RANGE_TYPES.has(r.type) && sameKeyEncoding(r.type, l.type)) return { column: r.index, op: FLIP[e.fn.name]!, value: l };
  return null;
}

/**
 * A range `pk-lookup` when `predicate` bounds the first column of a PRIMARY KEY / UNIQUE
 * constraint with both bounds (`pk BETWEEN 10 AND 20`, `pk >= $1 AND pk < $2`), or with
 * any bounds (`pk > $1`, none) given a limit: rows come in ascending key order. With `limit` (a LIMIT's expression, offset included), the lookup stops early —
 * pass it only when `predicate` is nothing but such bounds and the query orders by that
 * column ascending (the sort above can then be dropped). `predicate` may be null only
 * together with a limit (`ORDER BY pk LIMIT n`). Keep the filter above in every case.
 */
export function planPkRange(table: TableDef, scanPlan: Plan, predicate: BoundExpr | null, limit: BoundExpr | null): Plan | null {
  if (scanPlan.kind !== 'seq-scan' || scanPlan.tableId !== table.tableId || (predicate === null && limit === null)) return null;
  const keys = table.constraints.filter((k) => k.kind === 'primary' || k.kind === 'unique').sort((a, b) => (a.kind === 'primary' ? -1 : b.kind === 'primary' ? 1 : 0));
  const bounds = (predicate === null ? [] : conjuncts(predicate)).map(comparison).filter((c) => c !== null);
  for (const k of keys) {
    const first = k.attnums[0]!;
    const col = scanPlan.attnums.indexOf(first);
    const colType = table.columns.find((c) => c.attnum === first)?.typeOid ?? 0;
    if (col < 0 || !RANGE_TYPES.has(colType)) continue;
    const mine = bounds.filter((b) => b.column === col);
    const lower = mine.find((b) => b.op === '>' || b.op === '>=') ?? null;
    const upper = mine.find((b) => b.op === '<' || b.op === '<=') ?? null;
    // Without a limit, only a closed range: an open one likely covers much of the table,
    // where a scan reads faster than row-by-row fetches.
    if (limit === null && (lower === null || upper === null)) continue;
    return {
      kind: 'pk-lookup',
      tableId: table.tableId,
      table: scanPlan.table,
      constraint: k.name,
      keyAttnums: k.attnums,
      keys: [],
      range: {
        lower: lower?.value ?? null,
        lowerInclusive: lower?.op === '>=',
        upper: upper?.value ?? null,
        upperInclusive: upper?.op === '<=',
        limit,
      },
      attnums: scanPlan.attnums,
      missing: scanPlan.missing,
      withRowId: scanPlan.withRowId,
    };
  }
  return null;
}
