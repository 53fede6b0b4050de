/**
 * Decorrelation of EXISTS: `WHERE [NOT] EXISTS (SELECT ... FROM b WHERE b.x = a.y AND ...)`,
 * whose only references to the outer row are such equalities, becomes a hash semi join
 * (anti join for NOT EXISTS) of the block's input with the subquery's rows — one pass over
 * b instead of one per outer row. Other shapes stay correlated subqueries.
 */
import type { BoundExpr, Plan } from '../executor/index.ts';
import { splitConjuncts } from './bound-utils.ts';
import { Oid } from '../types/index.ts';

/** True when anything under `x` reads an enclosing row. */
function readsOuter(x: unknown): boolean {
  if (x === null || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  if (o.kind === 'outer') return true;
  return Object.values(o).some(readsOuter);
}

/** Output width of the plan shapes a simple subquery has (null when unknown). */
function width(p: Plan): number | null {
  switch (p.kind) {
    case 'seq-scan':
      return p.attnums.length + (p.withRowId ? 1 : 0);
    case 'filter':
    case 'sort':
    case 'limit':
      return width(p.input);
    case 'project':
      return p.exprs.length;
    case 'hash-join':
    case 'nested-loop':
      return p.joinType === 'semi' || p.joinType === 'anti' ? p.leftWidth : p.leftWidth + p.rightWidth;
    default:
      return null;
  }
}

/** The equality `inner = outer column` of a conjunct (either side), with both sides of one type. */
function correlationKey(c: BoundExpr): { outer: number; inner: BoundExpr; type: number } | null {
  if (c.kind !== 'call' || c.fn.name !== '=' || c.args.length !== 2 || c.fn.argTypes[0] !== c.fn.argTypes[1]) return null;
  const [a, b] = c.args as [BoundExpr, BoundExpr];
  if (a.kind === 'outer' && a.depth === 1 && !readsOuter(b)) return { outer: a.index, inner: b, type: a.type };
  if (b.kind === 'outer' && b.depth === 1 && !readsOuter(a)) return { outer: b.index, inner: a, type: b.type };
  return null;
}

/**
 * Turns a WHERE conjunct into a semi/anti join over `input` (of width `inputWidth`), or
 * returns null when it is not a decorrelatable EXISTS.
 */
export function existsAsJoin(c: BoundExpr, input: Plan, inputWidth: number): Plan | null {
  let anti = false;
  let e = c;
  if (e.kind === 'not' && e.arg.kind === 'subquery') {
    anti = true;
    e = e.arg;
  }
  if (e.kind !== 'subquery' || e.mode !== 'exists' || !e.correlated) return null;
  let body = e.plan;
  if (body.kind === 'project') body = body.input;
  if (body.kind !== 'filter') return null;
  const leftKeys: BoundExpr[] = [];
  const rightKeys: BoundExpr[] = [];
  const equalities: (BoundExpr & { kind: 'call' })['fn'][] = [];
  const rest: BoundExpr[] = [];
  for (const x of splitConjuncts(body.predicate)) {
    const key = correlationKey(x);
    if (key && x.kind === 'call') {
      leftKeys.push({ kind: 'column', index: key.outer, type: key.type, typmod: -1, name: '', tableOid: 0, attnum: 0 });
      rightKeys.push(key.inner);
      equalities.push(x.fn);
    } else if (readsOuter(x)) return null;
    else rest.push(x);
  }
  const source = body.input;
  const rightWidth = width(source);
  if (leftKeys.length === 0 || rightWidth === null || readsOuter(source)) return null;
  const right: Plan = rest.length === 0 ? source : { kind: 'filter', input: source, predicate: rest.length === 1 ? rest[0]! : { kind: 'and', args: rest, type: Oid.bool, typmod: -1 } };
  return { kind: 'hash-join', joinType: anti ? 'anti' : 'semi', left: input, right, leftKeys, rightKeys, equalities, residual: null, leftWidth: inputWidth, rightWidth };
}
