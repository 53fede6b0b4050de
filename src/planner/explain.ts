/**
 * EXPLAIN: prints a plan tree in PostgreSQL's text layout (as with COSTS OFF): one line per
 * node, "->" for children, details (Filter, Hash Cond, Sort Key, Group Key) indented under
 * their node, subqueries as SubPlan / InitPlan children. Nodes the planner fuses (a filter
 * over a scan) print as PostgreSQL prints them.
 */
import { describeVectorTopK, type BoundExpr, type ModifyPlan, type Plan, type TenantPin, type VectorTopKPlan } from '../executor/index.ts';
import { defaultFormatContext, typeByOid } from '../types/index.ts';

const JOIN_NAMES: Record<string, string> = { inner: '', cross: '', left: ' Left', right: ' Right', full: ' Full', semi: ' Semi', anti: ' Anti' };

/** Session facts EXPLAIN may show (the vector top-k's hnsw.ef_search). */
export interface ExplainOptions {
  readonly efSearch?: number;
}

class Printer {
  readonly lines: string[] = [];
  constructor(readonly opts: ExplainOptions = {}) {}
  private subplans = 0;

  /** A partitioned table's tenant pin (planner/plan-tenants.ts): the key values its reads are restricted to. */
  tenantsLine(pin: TenantPin, subs: { label: string; plan: Plan }[]): string {
    const values = pin.values.map((v) => this.expr(v, subs)).join(', ');
    return `Tenants: ${pin.spread ? `ANY (${values})` : values}`;
  }

  /** Renders an expression; subqueries inside it are collected for printing under the node. */
  expr(e: BoundExpr, subs: { label: string; plan: Plan }[]): string {
    const r = (x: BoundExpr): string => this.expr(x, subs);
    switch (e.kind) {
      case 'const': {
        if (e.value === null) return 'NULL';
        const t = typeByOid(e.type);
        // Vector constants (typed arrays) print through their output function, as PostgreSQL does.
        const text = ArrayBuffer.isView(e.value) && t !== undefined ? t.textOut(e.value, defaultFormatContext) : String(e.value);
        return typeof e.value === 'number' || typeof e.value === 'bigint' ? text : `'${text.replace(/'/g, "''")}'::${t?.name ?? e.type}`;
      }
      case 'param':
        return `$${e.index + 1}`;
      case 'column':
        return e.name || `$col${e.index}`;
      case 'outer':
        return `$outer${e.depth}.${e.index}`;
      case 'call': {
        const name = e.fn.name;
        if (!/^[a-z_]/i.test(name)) return e.args.length === 2 ? `(${r(e.args[0]!)} ${name} ${r(e.args[1]!)})` : `(${name} ${r(e.args[0]!)})`;
        return `${name}(${e.args.map(r).join(', ')})`;
      }
      case 'cast':
        return `(${r(e.arg)})::${typeByOid(e.type)?.name ?? e.type}`;
      case 'and':
      case 'or':
        return `(${e.args.map(r).join(` ${e.kind.toUpperCase()} `)})`;
      case 'not':
        return `(NOT ${r(e.arg)})`;
      case 'isnull':
        return `(${r(e.arg)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
      case 'booltest':
        return `(${r(e.arg)} IS ${e.test.replace('not_', 'NOT ').toUpperCase()})`;
      case 'distinct':
        return `(${r(e.left)} IS ${e.negated ? 'NOT ' : ''}DISTINCT FROM ${r(e.right)})`;
      case 'coalesce':
        return `COALESCE(${e.args.map(r).join(', ')})`;
      case 'minmax':
        return `${e.op.toUpperCase()}(${e.args.map(r).join(', ')})`;
      case 'nullif':
        return `NULLIF(${r(e.left)}, ${e.equals.kind === 'call' ? r(e.equals.args[1]!) : '?'})`;
      case 'array':
        return `ARRAY[${e.elements.map(r).join(', ')}]`;
      case 'case':
        return `CASE ${e.whens.map((w) => `WHEN ${r(w.when)} THEN ${r(w.then)}`).join(' ')}${e.otherwise ? ` ELSE ${r(e.otherwise)}` : ''} END`;
      case 'array_op':
        return `(${r(e.left)} ${e.test.kind === 'call' ? e.test.fn.name : '?'} ${e.quantifier.toUpperCase()} (${r(e.right)}))`;
      case 'subquery': {
        const n = ++this.subplans;
        const label = e.correlated ? `SubPlan ${n}` : `InitPlan ${n}`;
        subs.push({ label, plan: e.plan });
        const ref = e.correlated ? `(SubPlan ${n})` : `$${n - 1}`;
        switch (e.mode) {
          case 'exists':
            return e.correlated ? ref : `(InitPlan ${n}).exists`;
          case 'any':
          case 'all':
            return `(${r(e.left!)} ${e.test?.kind === 'call' ? e.test.fn.name : '?'} ${e.mode.toUpperCase()} ${ref})`;
          default:
            return ref;
        }
      }
      default:
        return (e as { kind: string }).kind;
    }
  }

  /** Prints a node at `depth` (0 = top) with its details and children. */
  node(plan: Plan, depth: number): void {
    const pad = depth === 0 ? '' : ' '.repeat(depth * 6 - 6) + '  ->  ';
    const detailPad = ' '.repeat(depth === 0 ? 2 : depth * 6 + 2);
    const subs: { label: string; plan: Plan }[] = [];
    const details: string[] = [];
    const children: Plan[] = [];
    let title: string;
    switch (plan.kind) {
      case 'project': {
        // Projections print no node of their own; their subqueries hang under the input.
        const before = this.lines.length;
        for (const e of plan.exprs) this.expr(e, subs);
        this.node(plan.input, depth);
        const tail = this.lines.splice(before + 1);
        this.printSubplans(subs, depth, detailPad);
        this.lines.push(...tail);
        return;
      }
      case 'filter': {
        const input = plan.input;
        const cond = this.expr(plan.predicate, subs);
        if (input.kind === 'seq-scan' || input.kind === 'function-scan' || input.kind === 'system-view' || input.kind === 'values' || input.kind === 'cte-scan') {
          title = scanTitle(input);
          details.push(`Filter: ${cond}`);
          if (input.kind === 'seq-scan' && input.tenants) details.push(this.tenantsLine(input.tenants, subs));
          if (input.kind === 'cte-scan') children.push(input.input);
        } else {
          title = input.kind === 'aggregate' ? aggTitle(input) : 'Filter';
          if (input.kind === 'aggregate') {
            if (input.groupBy.length > 0) details.push(`Group Key: ${input.groupBy.map((g) => this.expr(g, subs)).join(', ')}`);
            details.push(`Filter: ${cond}`);
            children.push(input.input);
          } else {
            details.push(`Filter: ${cond}`);
            children.push(input);
          }
        }
        break;
      }
      case 'seq-scan':
      case 'function-scan':
      case 'system-view':
      case 'values':
      case 'worktable-scan':
        title = scanTitle(plan);
        if (plan.kind === 'seq-scan' && plan.tenants) details.push(this.tenantsLine(plan.tenants, subs));
        break;
      case 'cte-scan':
        title = scanTitle(plan);
        children.push(plan.input);
        break;
      case 'result':
        title = 'Result';
        break;
      case 'sort':
        title = 'Sort';
        details.push(`Sort Key: ${plan.keys.map((k) => this.expr(k.expr, subs) + (k.descending ? ' DESC' : '') + (k.nullsFirst !== k.descending ? (k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : '')).join(', ')}`);
        children.push(plan.input);
        break;
      case 'limit':
        title = 'Limit';
        children.push(plan.input);
        break;
      case 'aggregate':
        title = aggTitle(plan);
        if (plan.groupBy.length > 0) details.push(`Group Key: ${plan.groupBy.map((g) => this.expr(g, subs)).join(', ')}`);
        if (plan.fromTenantDirectory) details.push('Count: from the tenant directory');
        children.push(plan.input);
        break;
      case 'nested-loop':
        title = `Nested Loop${JOIN_NAMES[plan.joinType]}`;
        if (plan.on) details.push(`Join Filter: ${this.expr(plan.on, subs)}`);
        children.push(plan.left, plan.right);
        break;
      case 'hash-join': {
        title = `Hash${JOIN_NAMES[plan.joinType]} Join`;
        const conds = plan.leftKeys.map((k, i) => `(${this.expr(k, subs)} = ${this.expr(plan.rightKeys[i]!, subs)})`);
        details.push(`Hash Cond: ${conds.length === 1 ? conds[0] : `(${conds.join(' AND ')})`}`);
        if (plan.residual) details.push(`Join Filter: ${this.expr(plan.residual, subs)}`);
        children.push(plan.left, { kind: 'hash', input: plan.right } as unknown as Plan);
        break;
      }
      case 'distinct':
        title = 'HashAggregate';
        details.push('Group Key: all columns');
        children.push(plan.input);
        break;
      case 'unique':
        title = 'Unique';
        children.push(plan.input);
        break;
      case 'set-op':
        title = plan.op === 'union' ? (plan.all ? 'Append' : 'HashAggregate') : `HashSetOp ${plan.op === 'intersect' ? 'Intersect' : 'Except'}${plan.all ? ' All' : ''}`;
        children.push(plan.left, plan.right);
        break;
      case 'recursive-union':
        title = 'Recursive Union';
        children.push(plan.base, plan.step);
        break;
      case 'window':
        title = 'WindowAgg';
        children.push(plan.input);
        break;
      default: {
        const p = plan as unknown as { kind: string; input?: Plan; describe?: () => string };
        if (p.kind === 'vector-topk') {
          // The vector top-k (executor/plan-vector-topk.ts): index, ef_search, k; ORDER BY keys, WHERE, segments.
          const v = plan as unknown as VectorTopKPlan;
          title = describeVectorTopK(v, this.opts.efSearch);
          details.push(`Order By: ${v.keys.map((k) => this.expr(k.expr, subs) + (k.descending ? ' DESC' : '')).join(', ')}`);
          if (v.predicate !== null) details.push(`Filter: ${this.expr(v.predicate, subs)}`);
          if (v.tenants !== undefined) details.push(this.tenantsLine(v.tenants, subs));
          if (v.segmentsNote !== undefined) details.push(v.segmentsNote());
          break;
        }
        if (p.kind === 'hash') {
          title = 'Hash';
          children.push(p.input!);
          break;
        }
        title = describeUnknown(p);
        if (p.input) children.push(p.input);
      }
    }
    this.lines.push(pad + title);
    for (const d of details) this.lines.push(detailPad + d);
    this.printSubplans(subs, depth, detailPad);
    for (const c of children) this.node(c, depth + 1);
  }

  private printSubplans(subs: readonly { label: string; plan: Plan }[], depth: number, detailPad: string): void {
    for (const s of subs) {
      this.lines.push(detailPad + s.label);
      this.node(s.plan, depth + 1);
    }
  }
}

/** Plan nodes defined by other modules (vector top-k, primary-key lookups) print their own title. */
function describeUnknown(p: Record<string, unknown>): string {
  const name = String(p.kind)
    .split('-')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
  return typeof p.table === 'string' ? `${name} on ${p.table}` : name;
}

function scanTitle(p: Plan): string {
  switch (p.kind) {
    case 'seq-scan':
      return `Seq Scan on ${p.table}`;
    case 'function-scan':
      return `Function Scan on ${p.fn.name}`;
    case 'system-view':
      return `Function Scan on ${p.name}`;
    case 'values':
      return 'Values Scan on "*VALUES*"';
    case 'cte-scan':
      return `CTE Scan on ${p.name}`;
    case 'worktable-scan':
      return `WorkTable Scan on ${p.name}`;
    default:
      return p.kind;
  }
}

function aggTitle(p: Plan & { kind: 'aggregate' }): string {
  return p.groupBy.length > 0 ? 'HashAggregate' : 'Aggregate';
}

/** The lines of EXPLAIN for a query (and its modification, for INSERT/UPDATE/DELETE). */
export function explainLines(plan: Plan, modify?: { kind: ModifyPlan['kind']; table: string }, opts?: ExplainOptions): string[] {
  const p = new Printer(opts);
  if (modify) {
    p.lines.push(`${modify.kind[0]!.toUpperCase()}${modify.kind.slice(1)} on ${modify.table}`);
    p.node(plan, 1);
  } else p.node(plan, 0);
  return p.lines;
}
