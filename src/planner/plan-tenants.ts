/**
 * planner/: tenant pinning for partitioned tables (docs/tenants.md). A WHERE conjunct that
 * names the partition key's values — `key = v`, `key IN (...)`, `key = ANY(array)`, with `v`
 * evaluable once per execution (constants, parameters, stable calls like
 * current_setting('app.tenant_id') or current_user, as row-level security policies write) —
 * restricts a scan or vector top-k to those tenants' rows. The restriction is exact (rows
 * whose canonical key is one of the values), so a top-k may drop the conjunct it consumed.
 */
import type { BoundExpr, Plan, TenantPin } from '../executor/index.ts';
import { Oid } from '../types/index.ts';

const INTEGER_TYPES: ReadonlySet<number> = new Set([Oid.int2, Oid.int4, Oid.int8]);
const TEXT_TYPES: ReadonlySet<number> = new Set([Oid.text, Oid.varchar, Oid.name]);

/** Whether values of the two types have the same canonical key (storage/tenants.ts tenantKey). */
function sameKeyFamily(a: number, b: number): boolean {
  return a === b || (INTEGER_TYPES.has(a) && INTEGER_TYPES.has(b)) || (TEXT_TYPES.has(a) && TEXT_TYPES.has(b));
}

/** No column, subquery or volatile call: one value per execution. */
export function runtimeValue(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'const':
    case 'param':
      return true;
    case 'cast':
      return runtimeValue(e.arg);
    case 'call':
      return e.fn.volatility !== 'volatile' && e.args.every(runtimeValue);
    default:
      return false;
  }
}

/** The scan column a side reads: a bare column, or one cast between text-like types (`tenant_id = current_user`). */
function keyColumn(e: BoundExpr, keyIndex: number): boolean {
  if (e.kind === 'column') return e.index === keyIndex;
  return e.kind === 'cast' && TEXT_TYPES.has(e.type) && TEXT_TYPES.has(e.arg.type) && keyColumn(e.arg, keyIndex);
}

function columnType(e: BoundExpr): number {
  return e.kind === 'cast' ? columnType(e.arg) : e.type;
}

/** What a conjunct pins: the values, and whether the restriction alone decides it (a bare key column). */
interface PinOf {
  values: BoundExpr[];
  spread: boolean;
  exact: boolean;
}

/** The values one conjunct allows for the key column, or null. */
function pinOf(e: BoundExpr, keyIndex: number): PinOf | null {
  if (e.kind === 'call' && e.fn.name === '=' && e.args.length === 2) {
    const [l, r] = e.args as [BoundExpr, BoundExpr];
    for (const [c, v] of [[l, r], [r, l]] as const) {
      // (A cast to name truncates at 63 bytes: only a bare column compares exactly as the keys do.)
      if (keyColumn(c, keyIndex) && runtimeValue(v) && sameKeyFamily(columnType(c), v.type)) return { values: [v], spread: false, exact: c.kind === 'column' };
    }
    return null;
  }
  if (e.kind === 'array_op' && e.quantifier === 'any' && keyColumn(e.left, keyIndex) && runtimeValue(e.right)) {
    const t = e.test;
    if (t.kind !== 'call' || t.fn.name !== '=' || t.args.length !== 2) return null;
    const [a, b] = t.args as [BoundExpr, BoundExpr];
    if (a.kind !== 'column' || a.index !== 0 || b.kind !== 'column' || b.index !== 1 || !sameKeyFamily(columnType(e.left), b.type)) return null;
    return { values: [e.right], spread: true, exact: e.left.kind === 'column' };
  }
  if (e.kind === 'or') {
    const values: BoundExpr[] = [];
    let exact = true;
    for (const arm of e.args) {
      const sub = pinOf(arm, keyIndex);
      if (sub === null || sub.spread) return null;
      values.push(...sub.values);
      exact &&= sub.exact;
    }
    return { values, spread: false, exact };
  }
  return null;
}

/**
 * The tenant pin among `conds` (bound over the scan's output columns) for a partitioned
 * table's seq-scan, and the conjuncts left without it; `exact`: the restriction decides the
 * consumed conjunct by itself (it need not be evaluated again). Null when none pins the key.
 */
export function pinTenants(scan: Plan, conds: readonly BoundExpr[]): { pin: TenantPin; rest: BoundExpr[]; exact: boolean } | null {
  if (scan.kind !== 'seq-scan' || scan.partitionKey === undefined) return null;
  const keyIndex = scan.attnums.indexOf(scan.partitionKey);
  if (keyIndex < 0) return null;
  for (const [i, c] of conds.entries()) {
    const p = pinOf(c, keyIndex);
    if (p !== null) return { pin: { attnum: scan.partitionKey, values: p.values, spread: p.spread, source: c, exact: p.exact }, rest: conds.filter((_x, j) => j !== i), exact: p.exact };
  }
  return null;
}

/**
 * Whether an aggregate is `count(*)` over a tenant-pinned scan whose filters test nothing but
 * the pin's own exact conjunct — then the tenant directory answers it. Checked when the
 * aggregate is planned (before column pruning rewrites the expressions).
 */
export function countsOnlyTenants(plan: Plan & { kind: 'aggregate' }): boolean {
  const a = plan.aggregates[0];
  if (plan.groupBy.length > 0 || plan.aggregates.length !== 1 || a!.fn.name !== 'count' || a!.args.length > 0 || a!.distinct || a!.filter) return false;
  const conds: BoundExpr[] = [];
  let node = plan.input;
  while (node.kind === 'filter') {
    conds.push(...(node.predicate.kind === 'and' ? node.predicate.args : [node.predicate]));
    node = node.input;
  }
  if (node.kind !== 'seq-scan' || !node.tenants?.exact) return false;
  const source = node.tenants.source;
  return conds.every((c) => c === source);
}
