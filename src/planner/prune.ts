/**
 * Column pruning: a table scan reads only the columns its query block uses. Applies to the
 * common shape — filters, sorts and limits over a scan, under the block's projection or
 * aggregation — and remaps those nodes' column references to the narrower rows. Blocks
 * whose expressions hold subqueries (which may read the row through outer references) keep
 * the full scan.
 */
import type { BoundExpr, Plan, SortKey } from '../executor/index.ts';
import { columnsUsed, mapColumns } from './bound-utils.ts';

type Region = Plan & { kind: 'filter' | 'sort' | 'limit' };

function exprsOf(p: Plan): BoundExpr[] | null {
  switch (p.kind) {
    case 'filter':
      return [p.predicate];
    case 'sort':
      return p.keys.map((k) => k.expr);
    case 'limit':
      return (p.withTies ?? []).map((k) => k.expr);
    case 'project':
      return [...p.exprs];
    case 'aggregate':
      return [
        ...p.groupBy,
        ...p.aggregates.flatMap((a) => [...a.args, ...(a.filter ? [a.filter] : []), ...(a.orderBy ?? []).map((k) => k.expr)]),
      ];
    default:
      return null;
  }
}

/** Rewrites a node's own expressions (not its input) with `f`. */
function remapNode(p: Plan, f: (e: BoundExpr) => BoundExpr): Plan {
  const keys = (ks: readonly SortKey[]): SortKey[] => ks.map((k) => ({ ...k, expr: f(k.expr) }));
  switch (p.kind) {
    case 'filter':
      return { ...p, predicate: f(p.predicate) };
    case 'sort':
      return { ...p, keys: keys(p.keys) };
    case 'limit':
      return p.withTies ? { ...p, withTies: keys(p.withTies) } : p;
    case 'project':
      return { ...p, exprs: p.exprs.map(f) };
    case 'aggregate':
      return {
        ...p,
        groupBy: p.groupBy.map(f),
        aggregates: p.aggregates.map((a) => ({ ...a, args: a.args.map(f), filter: a.filter ? f(a.filter) : a.filter, orderBy: a.orderBy ? keys(a.orderBy) : a.orderBy })),
      };
    default:
      return p;
  }
}

/** Prunes the scan under a block's lowest projection/aggregation, if the shape allows. */
export function pruneScanColumns(plan: Plan): Plan {
  if ((plan.kind === 'project' || plan.kind === 'aggregate') && isRegionChain(plan.input)) return pruneAt(plan);
  // Nodes above the lowest projection read its output, which pruning does not change.
  if (plan.kind === 'project' || plan.kind === 'limit' || plan.kind === 'sort' || plan.kind === 'filter' || plan.kind === 'distinct' || plan.kind === 'unique' || plan.kind === 'window') {
    return { ...plan, input: pruneScanColumns(plan.input) } as Plan;
  }
  return plan;
}

function pruneAt(shaper: Plan & { kind: 'project' | 'aggregate' }): Plan {
  const region: Region[] = [];
  let node: Plan = shaper.input;
  while (node.kind === 'filter' || node.kind === 'sort' || node.kind === 'limit') {
    region.push(node);
    node = node.input;
  }
  if (node.kind !== 'seq-scan' || node.withRowId) return shaper;
  const scan = node;
  const used = new Set<number>();
  for (const p of [shaper, ...region]) {
    for (const e of exprsOf(p)!) {
      const cols = columnsUsed(e);
      if (cols === null) return shaper;
      for (const c of cols) used.add(c);
    }
  }
  if (used.size === scan.attnums.length) return shaper;
  const keep = [...used].sort((a, b) => a - b);
  const newIndex = new Map(keep.map((old, i) => [old, i]));
  const f = (e: BoundExpr): BoundExpr => mapColumns(e, (c) => ({ ...c, index: newIndex.get(c.index)! }));
  let rebuilt: Plan = { ...scan, attnums: keep.map((i) => scan.attnums[i]!), missing: keep.map((i) => scan.missing[i]) };
  for (let i = region.length - 1; i >= 0; i--) rebuilt = { ...remapNode(region[i]!, f), input: rebuilt } as Plan;
  return { ...remapNode(shaper, f), input: rebuilt } as Plan;
}

/** True when `p` is filters/sorts/limits down to a scan (so a projection over it is the shaper). */
function isRegionChain(p: Plan): boolean {
  let n = p;
  while (n.kind === 'filter' || n.kind === 'sort' || n.kind === 'limit') n = n.input;
  return n.kind === 'seq-scan';
}
