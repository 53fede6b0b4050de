/**
 * Structural helpers over bound expressions for the planner: rebuilding with mapped
 * children, the set of input columns an expression reads, shifting column indexes (a join
 * key evaluated over one side), and splitting AND chains into conjuncts.
 */
import type { BoundExpr } from '../executor/index.ts';

/** Rebuilds a node with each direct child expression replaced by f(child). Subquery plans are not entered. */
export function mapChildren(e: BoundExpr, f: (child: BoundExpr) => BoundExpr): BoundExpr {
  switch (e.kind) {
    case 'const':
    case 'param':
    case 'column':
    case 'outer':
      return e;
    case 'subquery':
      return e.left ? { ...e, left: f(e.left) } : e;
    case 'array_op':
      return { ...e, left: f(e.left), right: f(e.right) };
    case 'field':
      return { ...e, arg: f(e.arg) };
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
    case 'minmax':
      return { ...e, args: e.args.map(f) };
    case 'cast':
    case 'not':
    case 'isnull':
    case 'booltest':
      return { ...e, arg: f(e.arg) };
    case 'array':
      return { ...e, elements: e.elements.map(f) };
    case 'case':
      return { ...e, whens: e.whens.map((w) => ({ when: f(w.when), then: f(w.then) })), otherwise: e.otherwise ? f(e.otherwise) : null };
    case 'nullif': {
      const equals = f(e.equals);
      return { ...e, equals, left: equals.kind === 'call' ? equals.args[0]! : f(e.left) };
    }
    case 'distinct':
      return { ...e, left: f(e.left), right: f(e.right) };
    default:
      return e satisfies never;
  }
}

/** Replaces every input column reference (not outer ones) with f(column). */
export function mapColumns(e: BoundExpr, f: (c: BoundExpr & { kind: 'column' }) => BoundExpr): BoundExpr {
  if (e.kind === 'column') return f(e);
  return mapChildren(e, (c) => mapColumns(c, f));
}

/**
 * Indexes of the input columns an expression reads, or null when it holds a subquery
 * (whose plan may read the row through outer references).
 */
export function columnsUsed(e: BoundExpr): Set<number> | null {
  const out = new Set<number>();
  let opaque = false;
  const visit = (x: BoundExpr): BoundExpr => {
    if (x.kind === 'column') out.add(x.index);
    else if (x.kind === 'subquery') opaque = true;
    return mapChildren(x, visit);
  };
  visit(e);
  return opaque ? null : out;
}

export function shiftColumns(e: BoundExpr, delta: number): BoundExpr {
  return mapColumns(e, (c) => ({ ...c, index: c.index + delta }));
}

/** The conjuncts of an AND chain. */
export function splitConjuncts(e: BoundExpr): BoundExpr[] {
  return e.kind === 'and' ? e.args.flatMap(splitConjuncts) : [e];
}
