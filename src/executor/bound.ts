/**
 * Bound expressions: the AST after name and type resolution. Every node carries its
 * result type OID (and typmod where it matters). Readonly tagged data; executor/compile.ts
 * turns them into closures. Parameters are numbered from 0. Produced by planner/, which
 * imports these shapes from here: the executor defines what it can run.
 */
import type { ScalarFunction } from './functions.ts';
import type { Value } from './value.ts';
import type { Plan } from './plan.ts';

export type BoundExpr =
  /** Field `index` of a record value (a PgRecord), `(expr).field`. */
  | { readonly kind: 'field'; readonly arg: BoundExpr; readonly index: number; readonly type: number; readonly typmod: number }
  /** `left op ANY|ALL (array)`; `test` is bound over the row [left, element]. */
  | {
      readonly kind: 'array_op';
      readonly quantifier: 'any' | 'all';
      readonly left: BoundExpr;
      readonly right: BoundExpr;
      readonly test: BoundExpr;
      readonly type: number;
      readonly typmod: number;
    }
  /** A column of an enclosing query's current row (correlated subqueries, LATERAL): depth 1 is the innermost. */
  | { readonly kind: 'outer'; readonly depth: number; readonly index: number; readonly type: number; readonly typmod: number }
  /**
   * A subquery used as a value. `exists` → bool; `scalar` → its one column (error if more
   * than one row); `array` → an array of its column; `any`/`all` compare `left` with each row
   * through `test` (bound over [left, row column]). Uncorrelated ones run once per execution.
   */
  | {
      readonly kind: 'subquery';
      readonly mode: 'exists' | 'scalar' | 'array' | 'any' | 'all';
      readonly plan: Plan;
      readonly left: BoundExpr | null;
      readonly test: BoundExpr | null;
      readonly correlated: boolean;
      readonly type: number;
      readonly typmod: number;
    }
  | { readonly kind: 'const'; readonly type: number; readonly typmod: number; readonly value: Value }
  | { readonly kind: 'param'; readonly index: number; readonly type: number; readonly typmod: number }
  | {
      readonly kind: 'column';
      readonly index: number;
      readonly type: number;
      readonly typmod: number;
      readonly name: string;
      /** The source table's OID and attnum (0 when not a table column), for RowDescription. */
      readonly tableOid: number;
      readonly attnum: number;
    }
  | { readonly kind: 'call'; readonly fn: ScalarFunction; readonly args: readonly BoundExpr[]; readonly type: number; readonly typmod: number }
  | {
      readonly kind: 'cast';
      readonly arg: BoundExpr;
      readonly from: number;
      readonly type: number;
      readonly typmod: number;
      readonly explicit: boolean;
    }
  | { readonly kind: 'and' | 'or'; readonly args: readonly BoundExpr[]; readonly type: number; readonly typmod: number }
  | { readonly kind: 'not'; readonly arg: BoundExpr; readonly type: number; readonly typmod: number }
  | { readonly kind: 'isnull'; readonly arg: BoundExpr; readonly negated: boolean; readonly type: number; readonly typmod: number }
  | {
      readonly kind: 'booltest';
      readonly arg: BoundExpr;
      readonly test: 'true' | 'not_true' | 'false' | 'not_false' | 'unknown' | 'not_unknown';
      readonly type: number;
      readonly typmod: number;
    }
  | {
      readonly kind: 'case';
      readonly whens: readonly { readonly when: BoundExpr; readonly then: BoundExpr }[];
      readonly otherwise: BoundExpr | null;
      readonly type: number;
      readonly typmod: number;
    }
  | { readonly kind: 'coalesce'; readonly args: readonly BoundExpr[]; readonly type: number; readonly typmod: number }
  | { readonly kind: 'minmax'; readonly op: 'greatest' | 'least'; readonly args: readonly BoundExpr[]; readonly type: number; readonly typmod: number }
  | { readonly kind: 'nullif'; readonly left: BoundExpr; readonly equals: BoundExpr; readonly type: number; readonly typmod: number }
  | { readonly kind: 'array'; readonly elements: readonly BoundExpr[]; readonly type: number; readonly typmod: number }
  | {
      readonly kind: 'distinct';
      readonly left: BoundExpr;
      readonly right: BoundExpr;
      readonly compareType: number;
      readonly negated: boolean;
      readonly type: number;
      readonly typmod: number;
    };
