/**
 * Predicate pushdown: splits a WHERE condition into conjuncts and moves each as far down the
 * FROM tree as it can go — below joins to the side whose columns it reads (left side of
 * LEFT joins, right side of RIGHT joins, either side of inner/cross joins), and into the
 * join condition of a cross or inner join when it reads both sides, which turns
 * `FROM a, b WHERE a.x = b.y` into a hash join. Conjuncts holding subqueries stay on top.
 */
import { Oid } from '../types/index.ts';
import type { BoundExpr, JoinKind, Plan } from '../executor/index.ts';
import { columnsUsed, mapColumns, shiftColumns, splitConjuncts } from './bound-utils.ts';
import { joinPlan } from './plan-from.ts';
import { planPkLookup } from './plan-pk-lookup.ts';
import { pinTenants } from './plan-tenants.ts';
import type { TableDef } from '../catalog/index.ts';

function and(conds: readonly BoundExpr[]): BoundExpr | null {
  if (conds.length === 0) return null;
  return conds.length === 1 ? conds[0]! : { kind: 'and', args: conds, type: Oid.bool, typmod: -1 };
}

function filter(plan: Plan, conds: readonly BoundExpr[]): Plan {
  const p = and(conds);
  return p ? { kind: 'filter', input: plan, predicate: p } : plan;
}

const PUSH_LEFT: ReadonlySet<JoinKind> = new Set(['inner', 'cross', 'left', 'semi', 'anti']);
const PUSH_RIGHT: ReadonlySet<JoinKind> = new Set(['inner', 'cross', 'right']);

/** Places `conds` (over the plan's output columns) as low as possible in the plan. */
export function pushDown(plan: Plan, conds: readonly BoundExpr[], tables: ReadonlyMap<number, TableDef>): Plan {
  if (conds.length === 0) return plan;
  // (A conjunct kept both above and inside a filter — a policy qual, a partition key — goes down once.)
  if (plan.kind === 'filter') return pushDown(plan.input, [...new Set([...splitConjuncts(plan.predicate), ...conds])], tables);
  if (plan.kind === 'project') {
    // Through a projection of plain columns (JOIN USING's merge): rewrite to the input's columns.
    const through: BoundExpr[] = [];
    const stay: BoundExpr[] = [];
    for (const c of conds) {
      const used = columnsUsed(c);
      if (used && [...used].every((i) => plan.exprs[i]?.kind === 'column')) through.push(mapColumns(c, (col) => plan.exprs[col.index]!));
      else stay.push(c);
    }
    if (through.length === 0) return filter(plan, conds);
    return filter({ ...plan, input: pushDown(plan.input, through, tables) }, stay);
  }
  if ((plan.kind === 'nested-loop' && !plan.lateral) || plan.kind === 'hash-join') {
    const left: BoundExpr[] = [];
    const right: BoundExpr[] = [];
    const join: BoundExpr[] = [];
    const stay: BoundExpr[] = [];
    const inner = plan.joinType === 'inner' || plan.joinType === 'cross';
    for (const c of conds) {
      const used = columnsUsed(c);
      if (!used) {
        stay.push(c);
        continue;
      }
      const all = [...used];
      if (all.every((i) => i < plan.leftWidth) && PUSH_LEFT.has(plan.joinType)) left.push(c);
      else if (all.every((i) => i >= plan.leftWidth) && PUSH_RIGHT.has(plan.joinType)) right.push(shiftColumns(c, -plan.leftWidth));
      else if (inner && all.length > 0) join.push(c);
      else stay.push(c);
    }
    const l = pushDown(plan.left, left, tables);
    const r = pushDown(plan.right, right, tables);
    let node: Plan;
    if (join.length > 0) {
      const existing = plan.kind === 'nested-loop' ? (plan.on ? [plan.on] : []) : rebuildHashCondition(plan);
      node = joinPlan('inner', l, r, plan.leftWidth, plan.rightWidth, and([...existing, ...join]));
    } else node = { ...plan, left: l, right: r };
    return filter(node, stay);
  }
  if (plan.kind === 'seq-scan') {
    // Conditions pinning a primary or unique key read the rows through the key index.
    const table = tables.get(plan.tableId);
    const lookup = table ? planPkLookup(table, plan, and(conds)) : null;
    if (lookup) return filter(lookup, conds);
    // A partitioned table's scan reads only the tenants a conjunct names. The conjunct stays in
    // the filter (a pk lookup replacing this scan later, or a second pin, must not lose it); a
    // scan already pinned (a row-level security policy) keeps its pin.
    const pinned = plan.tenants === undefined ? pinTenants(plan, conds) : null;
    if (pinned) return filter({ ...plan, tenants: pinned.pin }, conds);
  }
  return filter(plan, conds);
}

/** A hash join's keys and residual as one condition over left ++ right. */
function rebuildHashCondition(plan: Plan & { kind: 'hash-join' }): BoundExpr[] {
  const eqs = plan.leftKeys.map((l, i): BoundExpr => {
    const r = shiftColumns(plan.rightKeys[i]!, plan.leftWidth);
    return { kind: 'call', fn: plan.equalities[i]!, args: [l, r], type: Oid.bool, typmod: -1 };
  });
  return plan.residual ? [...eqs, plan.residual] : eqs;
}
