/**
 * Compiles BoundExprs into closures over (row, params, ctx). Expressions that call an
 * async function (pg_sleep) compile to async evaluators; all others stay synchronous so
 * the per-row path has no Promise overhead. Three-valued logic as in PostgreSQL.
 */
import { assertNever } from '../errors/index.ts';
import { PgArray, type PgRecord } from '../types/index.ts';
import type { BoundExpr } from './bound.ts';
import { castValue } from './casts.ts';
import type { ExecContext } from './context.ts';
import { compareValues } from './functions.ts';
import type { Row, Value } from './value.ts';
import { hashKey } from './hash-key.ts';

export type Evaluator = (row: Row, params: readonly Value[], ctx: ExecContext) => Value;
export type AsyncEvaluator = (row: Row, params: readonly Value[], ctx: ExecContext) => Value | Promise<Value>;

type SubqueryEvaluator = (e: BoundExpr & { kind: 'subquery' }, row: Row, params: readonly Value[], ctx: ExecContext) => Promise<Value>;
let evaluateSubquery: SubqueryEvaluator | null = null;

/** Installs the evaluator of subquery expressions (executor/subquery.ts, which runs plans). */
export function registerSubqueryEvaluator(f: SubqueryEvaluator): void {
  evaluateSubquery = f;
}

/** True when evaluating the expression may return a Promise. */
export function isAsync(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'subquery':
      return true;
    case 'const':
    case 'param':
    case 'column':
    case 'outer':
      return false;
    case 'array_op':
      return isAsync(e.left) || isAsync(e.right);
    case 'field':
      return isAsync(e.arg);
    case 'call':
      return e.fn.async === true || e.args.some(isAsync);
    case 'cast':
    case 'not':
    case 'isnull':
    case 'booltest':
      return isAsync(e.arg);
    case 'and':
    case 'or':
    case 'coalesce':
    case 'minmax':
      return e.args.some(isAsync);
    case 'array':
      return e.elements.some(isAsync);
    case 'case':
      return e.whens.some((w) => isAsync(w.when) || isAsync(w.then)) || (e.otherwise !== null && isAsync(e.otherwise));
    case 'nullif':
      return isAsync(e.equals);
    case 'distinct':
      return isAsync(e.left) || isAsync(e.right);
    default:
      return assertNever(e, 'bound expression');
  }
}

/** Compiles a synchronous expression. Callers must check isAsync() first. */
export function compile(e: BoundExpr): Evaluator {
  switch (e.kind) {
    case 'outer': {
      const { depth, index } = e;
      return (_r, _p, ctx) => (ctx.outerRows![depth - 1]![index] as Value) ?? null;
    }
    case 'subquery':
      throw new Error('subquery expressions are asynchronous: use compileAsync');
    case 'field': {
      const arg = compile(e.arg);
      const i = e.index;
      return (r, p, ctx) => {
        const v = arg(r, p, ctx) as PgRecord | null;
        return v === null ? null : (v[i]?.value ?? null);
      };
    }
    case 'array_op': {
      const left = compile(e.left);
      const right = compile(e.right);
      const test = compile(e.test);
      const any = e.quantifier === 'any';
      return (r, p, ctx) => {
        const arr = right(r, p, ctx) as PgArray | null;
        if (arr === null) return null;
        const l = left(r, p, ctx);
        let sawNull = false;
        for (const item of arr.items) {
          const v = test([l, item], p, ctx);
          if (v === null) sawNull = true;
          else if (v === any) return any;
        }
        return sawNull ? null : !any;
      };
    }
    case 'const': {
      const v = e.value;
      return () => v;
    }
    case 'param': {
      const i = e.index;
      return (_r, p) => p[i] ?? null;
    }
    case 'column': {
      const i = e.index;
      return (r) => r[i] ?? null;
    }
    case 'call': {
      const args = e.args.map(compile);
      const { impl, strict } = e.fn;
      if (args.length === 0) return (_r, _p, ctx) => impl([], ctx);
      if (args.length === 1) {
        const [a] = args as [Evaluator];
        return (r, p, ctx) => {
          const x = a(r, p, ctx);
          return strict && x === null ? null : impl([x], ctx);
        };
      }
      if (args.length === 2) {
        const [a, b] = args as [Evaluator, Evaluator];
        const binary = e.fn.binary;
        if (binary) {
          return (r, p, ctx) => {
            const x = a(r, p, ctx);
            const y = b(r, p, ctx);
            return strict && (x === null || y === null) ? null : binary(x, y);
          };
        }
        return (r, p, ctx) => {
          const x = a(r, p, ctx);
          const y = b(r, p, ctx);
          return strict && (x === null || y === null) ? null : impl([x, y], ctx);
        };
      }
      return (r, p, ctx) => {
        const vals = args.map((a) => a(r, p, ctx));
        return strict && vals.includes(null) ? null : impl(vals, ctx);
      };
    }
    case 'cast': {
      const arg = compile(e.arg);
      const { from, type, typmod, explicit } = e;
      return (r, p, ctx) => {
        const v = arg(r, p, ctx);
        return v === null ? null : castValue(v, from, type, typmod, explicit, ctx.format);
      };
    }
    case 'and': {
      const args = e.args.map(compile);
      return (r, p, ctx) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(r, p, ctx);
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      };
    }
    case 'or': {
      const member = memberTest(e.args);
      if (member) return member;
      const args = e.args.map(compile);
      return (r, p, ctx) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(r, p, ctx);
          if (v === true) return true;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    case 'not': {
      const a = compile(e.arg);
      return (r, p, ctx) => {
        const v = a(r, p, ctx);
        return v === null ? null : !v;
      };
    }
    case 'isnull': {
      const a = compile(e.arg);
      const negated = e.negated;
      return (r, p, ctx) => (a(r, p, ctx) === null) !== negated;
    }
    case 'booltest': {
      const a = compile(e.arg);
      const test = e.test;
      return (r, p, ctx) => {
        const v = a(r, p, ctx);
        switch (test) {
          case 'true':
            return v === true;
          case 'not_true':
            return v !== true;
          case 'false':
            return v === false;
          case 'not_false':
            return v !== false;
          case 'unknown':
            return v === null;
          case 'not_unknown':
            return v !== null;
        }
      };
    }
    case 'case': {
      const whens = e.whens.map((w) => [compile(w.when), compile(w.then)] as const);
      const otherwise = e.otherwise ? compile(e.otherwise) : null;
      return (r, p, ctx) => {
        for (const [w, t] of whens) if (w(r, p, ctx) === true) return t(r, p, ctx);
        return otherwise ? otherwise(r, p, ctx) : null;
      };
    }
    case 'coalesce': {
      const args = e.args.map(compile);
      return (r, p, ctx) => {
        for (const a of args) {
          const v = a(r, p, ctx);
          if (v !== null) return v;
        }
        return null;
      };
    }
    case 'minmax': {
      const args = e.args.map(compile);
      const sign = e.op === 'greatest' ? 1 : -1;
      const type = e.type;
      return (r, p, ctx) => {
        let best: Value = null;
        for (const a of args) {
          const v = a(r, p, ctx);
          if (v !== null && (best === null || sign * compareValues(type, v, best) > 0)) best = v;
        }
        return best;
      };
    }
    case 'array': {
      const elements = e.elements.map(compile);
      return (r, p, ctx) => PgArray.of(elements.map((el) => el(r, p, ctx)));
    }
    case 'nullif': {
      const left = compile(e.left);
      const equals = compile(e.equals);
      return (r, p, ctx) => (equals(r, p, ctx) === true ? null : left(r, p, ctx));
    }
    case 'distinct': {
      const left = compile(e.left);
      const right = compile(e.right);
      const { compareType, negated } = e;
      return (r, p, ctx) => {
        const a = left(r, p, ctx);
        const b = right(r, p, ctx);
        const distinct = a === null || b === null ? a !== b : compareValues(compareType, a, b) !== 0;
        return distinct !== negated;
      };
    }
    default:
      return assertNever(e, 'bound expression');
  }
}

/**
 * Compiles any expression; the result may return a Promise. Synchronous subtrees are
 * compiled with compile(); only the path down to async calls awaits.
 */
export function compileAsync(e: BoundExpr): AsyncEvaluator {
  if (!isAsync(e)) return compile(e);
  if (e.kind === 'subquery') return (r, p, ctx) => evaluateSubquery!(e, r, p, ctx);
  if (e.kind === 'call') {
    const args = e.args.map(compileAsync);
    const { impl, strict } = e.fn;
    return async (r, p, ctx) => {
      const vals: Value[] = [];
      for (const a of args) vals.push(await a(r, p, ctx));
      return strict && vals.includes(null) ? null : impl(vals, ctx);
    };
  }
  // Any other node over async children: await those children, then run the node itself
  // synchronously over their values. Rare (pg_sleep), so the per-row compile is acceptable.
  return async (r, p, ctx) => {
    const resolved = await mapChildren(e, async (child) =>
      isAsync(child) ? { kind: 'const', type: child.type, typmod: child.typmod, value: await compileAsync(child)(r, p, ctx) } : child,
    );
    return compile(resolved)(r, p, ctx);
  };
}

type ChildMapper = (child: BoundExpr) => Promise<BoundExpr>;

/** Rebuilds a node with each direct child replaced by f(child). */
async function mapChildren(e: BoundExpr, f: ChildMapper): Promise<BoundExpr> {
  const all = (xs: readonly BoundExpr[]): Promise<BoundExpr[]> => Promise.all(xs.map(f));
  switch (e.kind) {
    case 'const':
    case 'param':
    case 'column':
    case 'outer':
    case 'subquery':
      return e;
    case 'array_op':
      return { ...e, left: await f(e.left), right: await f(e.right) };
    case 'field':
      return { ...e, arg: await f(e.arg) };
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
    case 'minmax':
      return { ...e, args: await all(e.args) };
    case 'cast':
    case 'not':
    case 'isnull':
    case 'booltest':
      return { ...e, arg: await f(e.arg) };
    case 'array':
      return { ...e, elements: await all(e.elements) };
    case 'case':
      return {
        ...e,
        whens: await Promise.all(e.whens.map(async (w) => ({ when: await f(w.when), then: await f(w.then) }))),
        otherwise: e.otherwise ? await f(e.otherwise) : null,
      };
    case 'nullif': {
      const equals = await f(e.equals);
      return { ...e, equals, left: equals.kind === 'call' ? equals.args[0]! : await f(e.left) };
    }
    case 'distinct':
      return { ...e, left: await f(e.left), right: await f(e.right) };
    default:
      return assertNever(e, 'bound expression');
  }
}

/**
 * `x = c1 OR x = c2 OR ...` (what `x IN (c1, c2, ...)` binds to) over one expression and
 * constants, with one hashable `=` for one type: a set lookup instead of a chain of calls.
 * NULL rules as the chain's: NULL x gives NULL; no match gives NULL if a constant is NULL.
 */
function memberTest(args: readonly BoundExpr[]): Evaluator | null {
  if (args.length < 4) return null;
  let subject: BoundExpr | null = null;
  let subjectKey = '';
  const keys = new Set<string>();
  let hasNull = false;
  for (const a of args) {
    if (a.kind !== 'call' || a.fn.name !== '=' || !a.fn.binary || a.fn.argTypes[0] !== a.fn.argTypes[1] || a.args.length !== 2) return null;
    const [x, c] = a.args as [BoundExpr, BoundExpr];
    if (c.kind !== 'const' || isAsync(x)) return null;
    // A column (the usual subject) is keyed without serialising the tree (this ran once per list item).
    const k = x.kind === 'column' ? `col ${x.index} ${x.type} ${x.typmod}` : JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : _k === 'fn' ? `${v.name}(${v.argTypes})` : v));
    if (subject === null) {
      subject = x;
      subjectKey = k;
    } else if (k !== subjectKey) return null;
    if (c.value === null) hasNull = true;
    else keys.add(hashKey([c.value]));
  }
  const x = compile(subject!);
  return (r, p, ctx) => {
    const v = x(r, p, ctx);
    if (v === null) return null;
    if (keys.has(hashKey([v]))) return true;
    return hasNull ? null : false;
  };
}
