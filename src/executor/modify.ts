/**
 * Runs INSERT / UPDATE / DELETE: pulls source rows from the plan, computes new rows,
 * enforces NOT NULL and CHECK with PostgreSQL's errors, writes through DataAccess, and
 * collects RETURNING rows. UPDATE and DELETE read every matching row before changing any,
 * so a statement never sees its own changes (no Halloween problem).
 */
import { DbError, SqlState } from '../errors/index.ts';
import { typeByOid } from '../types/index.ts';
import { compile, compileAsync, isAsync, type AsyncEvaluator, type Evaluator } from './compile.ts';
import type { ExecContext } from './context.ts';
import { PARTITION_CONSTRAINT, type ModifyPlan, type OnConflictPlan, type OutputColumn, type Plan, type RlsCheck } from './plan.ts';
import { openCursor } from './run-plan.ts';
import type { Row, Value } from './value.ts';

export interface ModifyResult {
  readonly count: number;
  readonly returned: Row[] | null;
}

function evaluators(exprs: readonly import('./bound.ts').BoundExpr[]): AsyncEvaluator[] {
  return exprs.map((e) => (isAsync(e) ? compileAsync(e) : compile(e)));
}

/** PostgreSQL's "Failing row contains (...)" detail. */
function failingRow(row: Row, columns: readonly OutputColumn[], ctx: ExecContext): string {
  const parts = row.map((v, i) => {
    if (v === null || v === undefined) return 'null';
    const t = typeByOid(columns[i]!.type);
    return t ? t.textOut(v, ctx.format) : String(v);
  });
  return `Failing row contains (${parts.join(', ')}).`;
}

const compiledRls = new WeakMap<readonly RlsCheck[], AsyncEvaluator[]>();

/** Row-level security: each check must be true (null fails too), in order; 42501 names the table (and a restrictive policy). */
export async function checkRls(checks: readonly RlsCheck[], table: string, row: Row, params: readonly Value[], ctx: ExecContext): Promise<void> {
  let fns = compiledRls.get(checks);
  if (!fns) compiledRls.set(checks, (fns = evaluators(checks.map((c) => c.expr))));
  for (let i = 0; i < checks.length; i++) {
    if ((await fns[i]!(row, params, ctx)) === true) continue;
    const c = checks[i]!;
    const using = c.kind === 'conflict' ? ' (USING expression)' : '';
    const policy = c.policy === null ? '' : ` "${c.policy}"`;
    throw new DbError(SqlState.InsufficientPrivilege, `new row violates row-level security policy${using}${policy} for table "${table}"`);
  }
}

/** The NOT NULL constraints of a new row (synchronous: COPY checks a million rows without a promise each). */
function checkNotNull(c: NonNullable<ModifyPlan['checks']>, row: Row, columns: readonly OutputColumn[], ctx: ExecContext): void {
  for (let i = 0; i < c.notNull.length; i++) {
    const nn = c.notNull[i]!;
    if (row[nn.index] === null) {
      throw new DbError(SqlState.NotNullViolation, `null value in column "${nn.column}" of relation "${c.table}" violates not-null constraint`, {
        detail: failingRow(row, columns, ctx),
        table: c.table,
        column: nn.column,
      });
    }
  }
}

async function checkRow(m: ModifyPlan, row: Row, columns: readonly OutputColumn[], params: readonly Value[], ctx: ExecContext, checks: { name: string; fn: AsyncEvaluator }[]): Promise<void> {
  const c = m.checks;
  if (!c) return;
  if (c.rls) await checkRls(c.rls, c.table, row, params, ctx);
  checkNotNull(c, row, columns, ctx);
  for (const ck of checks) {
    if ((await ck.fn(row, params, ctx)) === false) {
      if (ck.name === PARTITION_CONSTRAINT) {
        throw new DbError(SqlState.CheckViolation, `new row for relation "${c.table}" violates partition constraint`, { detail: failingRow(row, columns, ctx), table: c.table });
      }
      throw new DbError(SqlState.CheckViolation, `new row for relation "${c.table}" violates check constraint "${ck.name}"`, {
        detail: failingRow(row, columns, ctx),
        table: c.table,
        constraint: ck.name,
      });
    }
  }
}

/** An INSERT compiled once and fed batches of source rows (INSERT ... VALUES/SELECT, COPY FROM). */
export class RowInserter {
  private readonly newRow: AsyncEvaluator[];
  private readonly syncNewRow: Evaluator[] | null;
  private readonly returning: AsyncEvaluator[] | null;
  private readonly checks: { name: string; fn: AsyncEvaluator }[];
  readonly returned: Row[] | null;
  count = 0;

  constructor(
    private readonly m: ModifyPlan,
    private readonly rowColumns: readonly OutputColumn[],
    private readonly params: readonly Value[],
    private readonly ctx: ExecContext,
  ) {
    this.newRow = evaluators(m.newRow!);
    this.syncNewRow = m.newRow!.some(isAsync) ? null : m.newRow!.map((e) => compile(e));
    this.returning = m.returning ? evaluators(m.returning) : null;
    this.checks = (m.checks?.checks ?? []).map((c) => ({ name: c.name, fn: isAsync(c.expr) ? compileAsync(c.expr) : compile(c.expr) }));
    this.returned = this.returning ? [] : null;
    this.upsert = m.onConflict ? new Upserter(m, m.onConflict, rowColumns, params, ctx, this) : null;
  }

  private readonly upsert: Upserter | null;

  /** The full new row of one source row, NOT NULL and CHECK verified. */
  async newRowOf(src: Row): Promise<Row> {
    const { m, params, ctx } = this;
    const row: Row = new Array(m.attnums.length);
    for (let i = 0; i < row.length; i++) row[i] = await this.newRow[i]!(src, params, ctx);
    await checkRow(m, row, this.rowColumns, params, ctx, this.checks);
    return row;
  }

  /** @internal Upserter: counts a written row and evaluates its RETURNING list. */
  async wrote(row: Row): Promise<void> {
    this.count++;
    if (this.returning) this.returned!.push(await evalAll(this.returning, row, this.params, this.ctx));
  }

  async insert(batch: readonly Row[]): Promise<void> {
    if (this.upsert) return this.upsert.insert(batch, (src) => this.newRowOf(src));
    const { m, params, ctx } = this;
    const width = m.attnums.length;
    const rows: Row[] = new Array(batch.length);
    const syncEvals = this.syncNewRow;
    for (let r = 0; r < batch.length; r++) {
      const src = batch[r]!;
      const row: Row = new Array(width);
      if (syncEvals) {
        // No asynchronous function anywhere: no promise per value (the COPY hot path).
        for (let i = 0; i < width; i++) row[i] = syncEvals[i]!(src, params, ctx);
        if (m.checks && (this.checks.length > 0 || m.checks.rls)) await checkRow(m, row, this.rowColumns, params, ctx, this.checks);
        else if (m.checks) checkNotNull(m.checks, row, this.rowColumns, ctx);
      } else {
        for (let i = 0; i < width; i++) row[i] = await this.newRow[i]!(src, params, ctx);
        await checkRow(m, row, this.rowColumns, params, ctx, this.checks);
      }
      rows[r] = row;
    }
    // The rows were built here and are only read again (RETURNING): storage keeps them as they are.
    await ctx.data.insert(m.tableId, m.attnums, rows, true);
    this.count += rows.length;
    if (this.returning) for (const row of rows) this.returned!.push(await evalAll(this.returning, row, params, ctx));
  }
}

/**
 * INSERT ... ON CONFLICT, one proposed row at a time (PostgreSQL's order): NOT NULL and
 * CHECK on the proposed row, then the arbiter lookup (which waits for open transactions
 * holding the key), then insert, skip, or update the existing row. A row this command
 * already inserted or updated may not be updated again (21000).
 */
class Upserter {
  private readonly set: AsyncEvaluator[] | null;
  private readonly where: AsyncEvaluator | null;
  private readonly checks: { name: string; fn: AsyncEvaluator }[];
  /** Row ids (provisional) this command inserted or updated. */
  private readonly touched = new Set<number>();

  constructor(
    private readonly m: ModifyPlan,
    private readonly oc: OnConflictPlan,
    private readonly rowColumns: readonly OutputColumn[],
    private readonly params: readonly Value[],
    private readonly ctx: ExecContext,
    private readonly out: RowInserter,
  ) {
    this.set = oc.set ? evaluators(oc.set) : null;
    this.where = oc.where ? evaluators([oc.where])[0]! : null;
    this.checks = (m.checks?.checks ?? []).map((c) => ({ name: c.name, fn: isAsync(c.expr) ? compileAsync(c.expr) : compile(c.expr) }));
    // Proposed rows may be computed ahead of their conflict checks only when that has no side
    // effects (no nextval(), no volatile or asynchronous function, no row-level security).
    this.computeAhead = !m.checks?.rls && [...m.newRow!, ...(m.checks?.checks ?? []).map((c) => c.expr)].every(sideEffectFree);
    // The updated row is checked against the UPDATE policies, not INSERT's.
    this.updateChecks = m.checks && (m.checks.rls || oc.rlsUpdate) ? { ...m, checks: { ...m.checks, rls: oc.rlsUpdate } } : m;
  }

  private readonly updateChecks: ModifyPlan;
  private readonly computeAhead: boolean;

  /**
   * Consecutive conflict-free rows are inserted together (one uniqueness check and write per
   * run); consecutive updates that leave every unique key as it was are applied together
   * (one delete and one insert per run). A run that fails — a duplicate within an insert run
   * or a key another session claimed meanwhile (23505), a row another session changed under
   * an update run (40001) — has written nothing and is redone one row at a time, which gives
   * PostgreSQL's answer for each row.
   */
  async insert(batch: readonly Row[], newRowOf: (src: Row) => Promise<Row>): Promise<void> {
    const { m, oc, ctx, params } = this;
    // At most one of the two runs is non-empty at a time, so rows take effect in input order.
    let inserts: Row[] = [];
    let updates: { rowId: number; existing: Row; row: Row; proposed: Row }[] = [];
    const updating = new Set<number>();
    const flushInserts = async (): Promise<void> => {
      if (inserts.length === 0) return;
      const rows = inserts;
      inserts = [];
      let ids: readonly number[];
      try {
        ids = await ctx.data.insert(m.tableId, m.attnums, rows);
      } catch (err) {
        if (!(err instanceof DbError && err.code === SqlState.UniqueViolation) || rows.length === 1) throw err;
        for (const row of rows) await this.one(row);
        return;
      }
      for (const id of ids) this.touched.add(id);
      for (const row of rows) await this.out.wrote(row);
    };
    const flushUpdates = async (): Promise<void> => {
      if (updates.length === 0) return;
      const items = updates;
      updates = [];
      updating.clear();
      try {
        await ctx.data.delete(m.tableId, items.map((u) => u.rowId), items.map((u) => u.existing));
      } catch (err) {
        // A row changed under us: nothing was written; redo each row on its own.
        if (!(err instanceof DbError && err.code === SqlState.SerializationFailure)) throw err;
        for (const u of items) await this.one(u.proposed);
        return;
      }
      const ids = await ctx.data.insert(m.tableId, m.attnums, items.map((u) => u.row));
      for (const id of ids) this.touched.add(id);
      for (const u of items) await this.out.wrote(u.row);
    };
    // Read-ahead: the batch's proposed rows first, so the arbiter's index entries are read in
    // one batch; an error computing row i is raised when row i's turn comes, after the rows
    // before it took effect, as when computing row by row.
    let ahead: Row[] | null = null;
    let aheadError: unknown = null;
    if (this.computeAhead && batch.length > 1 && ctx.data.prefetchConflicts) {
      ahead = [];
      try {
        for (const src of batch) ahead.push(await newRowOf(src));
      } catch (err) {
        aheadError = err;
      }
      ctx.data.prefetchConflicts(m.tableId, ahead, oc.constraint);
    }
    for (let i = 0; i < batch.length; i++) {
      ctx.checkCancel();
      if (ahead !== null && i >= ahead.length) throw aheadError;
      const proposed = ahead !== null ? ahead[i]! : await newRowOf(batch[i]!);
      const hit = await ctx.data.findConflict(m.tableId, proposed, oc.constraint);
      if (hit === null) {
        await flushUpdates();
        inserts.push(proposed);
        continue;
      }
      if (oc.action === 'nothing') continue;
      await flushInserts();
      if (!oc.keyPreserving) {
        await flushUpdates();
        await this.one(proposed);
        continue;
      }
      if (this.touched.has(hit.rowId) || updating.has(hit.rowId)) throw this.secondTime();
      const existing = hit.row.map((v, i) => (v === undefined ? (oc.missing[i] ?? null) : v));
      if (oc.rlsExisting) await checkRls(oc.rlsExisting, m.checks?.table ?? '', existing, params, ctx);
      const both: Row = [...existing, ...proposed];
      if (this.where && (await this.where(both, params, ctx)) !== true) continue;
      const row: Row = new Array(m.attnums.length);
      for (let i = 0; i < row.length; i++) row[i] = await this.set![i]!(both, params, ctx);
      await checkRow(this.updateChecks, row, this.rowColumns, params, ctx, this.checks);
      updates.push({ rowId: hit.rowId, existing, row, proposed });
      updating.add(hit.rowId);
    }
    await flushInserts();
    await flushUpdates();
  }

  private secondTime(): DbError {
    return new DbError(SqlState.CardinalityViolation, 'ON CONFLICT DO UPDATE command cannot affect row a second time', {
      hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
    });
  }

  /** One proposed row: insert it, or do nothing, or update the row holding its key. */
  private async one(proposed: Row): Promise<void> {
    const { m, oc, ctx, params } = this;
    // READ COMMITTED: when the conflicting row changes under us (another session updated
    // or deleted it and committed), look again at what holds the key now, as PostgreSQL does.
    for (let attempt = 0; ; attempt++) {
      const hit = await ctx.data.findConflict(m.tableId, proposed, oc.constraint);
      if (hit === null) {
        const [id] = await ctx.data.insert(m.tableId, m.attnums, [proposed]);
        this.touched.add(id!);
        await this.out.wrote(proposed);
        return;
      }
      if (oc.action === 'nothing') return;
      if (this.touched.has(hit.rowId)) throw this.secondTime();
      const existing = hit.row.map((v, i) => (v === undefined ? (oc.missing[i] ?? null) : v));
      if (oc.rlsExisting) await checkRls(oc.rlsExisting, m.checks?.table ?? '', existing, params, ctx);
      const both: Row = [...existing, ...proposed];
      if (this.where && (await this.where(both, params, ctx)) !== true) return;
      const row: Row = new Array(m.attnums.length);
      for (let i = 0; i < row.length; i++) row[i] = await this.set![i]!(both, params, ctx);
      await checkRow(this.updateChecks, row, this.rowColumns, params, ctx, this.checks);
      try {
        await ctx.data.delete(m.tableId, [hit.rowId], [existing]);
      } catch (err) {
        if (err instanceof DbError && err.code === SqlState.SerializationFailure && attempt < 100) continue;
        throw err;
      }
      const [id] = await ctx.data.insert(m.tableId, m.attnums, [row]);
      this.touched.add(id!);
      await this.out.wrote(row);
      return;
    }
  }
}

/** True when evaluating `e` can have no side effect: columns, constants, parameters, casts, non-volatile synchronous functions. */
function sideEffectFree(e: import('./bound.ts').BoundExpr): boolean {
  switch (e.kind) {
    case 'const':
    case 'param':
    case 'column':
      return true;
    case 'cast':
      return sideEffectFree(e.arg);
    case 'call':
      return e.fn.volatility !== 'volatile' && e.fn.async !== true && e.args.every(sideEffectFree);
    default:
      return false;
  }
}

/**
 * Runs a modification. `rowColumns` describes the table's live columns (for error details);
 * `input` is the plan producing source rows.
 */
export async function runModify(
  m: ModifyPlan,
  input: Plan,
  rowColumns: readonly OutputColumn[],
  params: readonly Value[],
  ctx: ExecContext,
): Promise<ModifyResult> {
  const cursor = openCursor(input, params, ctx);
  if (m.kind === 'insert') {
    const ins = new RowInserter(m, rowColumns, params, ctx);
    for (let batch = await cursor.next(); batch; batch = await cursor.next()) await ins.insert(batch);
    return { count: ins.count, returned: ins.returned };
  }
  const newRow = m.newRow ? evaluators(m.newRow) : null;
  const returning = m.returning ? evaluators(m.returning) : null;
  const checks = (m.checks?.checks ?? []).map((c) => ({ name: c.name, fn: isAsync(c.expr) ? compileAsync(c.expr) : compile(c.expr) }));
  const returned: Row[] | null = returning ? [] : null;
  const width = m.attnums.length;

  // UPDATE / DELETE: gather the targets first.
  // A row joined with several FROM/USING rows is changed once (by its first match), as in PostgreSQL.
  const targets: Row[] = [];
  const seen = new Set<number>();
  for (let batch = await cursor.next(); batch; batch = await cursor.next()) {
    for (const r of batch) {
      const id = r[width] as number;
      if (seen.has(id)) continue;
      seen.add(id);
      targets.push(r);
    }
  }
  if (m.recheck) {
    // READ COMMITTED: a target a concurrent transaction changed (and committed) is re-read by
    // its primary key and kept only if it still satisfies WHERE, as PostgreSQL's EvalPlanQual.
    const recheck = compileAsync(m.recheck);
    const current: Row[] = [];
    let pending = targets.splice(0);
    while (pending.length > 0) {
      const changed = new Set(await ctx.data.lockForWrite(m.tableId, pending.map((r) => r[width] as number)));
      const next: Row[] = [];
      for (const r of pending) {
        if (!changed.has(r[width] as number)) {
          current.push(r);
          continue;
        }
        const latest = await ctx.data.latestVersion(m.tableId, r.slice(0, width));
        if (latest === undefined) throw new DbError(SqlState.SerializationFailure, 'could not serialize access due to concurrent update');
        if (latest === null || seen.has(latest.rowId)) continue;
        const row: Row = [...latest.row, latest.rowId];
        if ((await recheck(row, params, ctx)) === true) {
          seen.add(latest.rowId);
          next.push(row);
        }
      }
      pending = next;
    }
    targets.push(...current);
  }
  const rowIds = targets.map((r) => r[width] as number);
  if (m.kind === 'delete') {
    await ctx.data.delete(m.tableId, rowIds, targets);
    if (returning) for (const old of targets) returned!.push(await evalAll(returning, old, params, ctx));
    return { count: targets.length, returned };
  }
  const rows: Row[] = [];
  for (const old of targets) {
    const row: Row = new Array(width);
    for (let i = 0; i < width; i++) row[i] = await newRow![i]!(old, params, ctx);
    await checkRow(m, row, rowColumns, params, ctx, checks);
    rows.push(row);
  }
  await ctx.data.delete(m.tableId, rowIds, targets);
  await ctx.data.insert(m.tableId, m.attnums, rows);
  if (returning) for (const row of rows) returned!.push(await evalAll(returning, row, params, ctx));
  return { count: rows.length, returned };
}

async function evalAll(fns: AsyncEvaluator[], row: Row, params: readonly Value[], ctx: ExecContext): Promise<Row> {
  const out: Row = new Array(fns.length);
  for (let i = 0; i < fns.length; i++) out[i] = await fns[i]!(row, params, ctx);
  return out;
}
