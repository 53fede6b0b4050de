/**
 * COPY through the wire. COPY FROM STDIN: after CopyInResponse the session feeds each
 * CopyData chunk to a CopyIn (parse → typed values → defaults and constraints → storage,
 * in batches, so memory stays bounded); CopyDone finishes it. COPY TO STDOUT streams
 * CopyOutResponse, CopyData per row and CopyDone. Formats: text, csv, binary.
 */
import { DbError, SqlState } from '../errors/index.ts';
import {
  copyFormatter,
  copyParser,
  FieldBytes,
  type CopyField,
  openCursor,
  ParseBatch,
  parseBacklog,
  parseVectorsOffThread,
  parseWorkerCount,
  type ParsedVectors,
  resolveCopyOptions,
  RowInserter,
  type CopyOptions,
  type CopyParser,
  type ExecContext,
  type Row,
} from '../executor/index.ts';
import { liveColumns, planInsertRows, planSelect, resolvePartition, resolveTable, resolveView, type PlanEnv } from '../planner/index.ts';
import { backend, type MessageWriter } from '../protocol/index.ts';
import { selectStmt, type SelectStmt, type Statement } from '../sql/index.ts';
import { Oid, typeByOid, type PgType } from '../types/index.ts';

type CopyStatement = Statement & { kind: 'copy' };

const BATCH_ROWS = 1000;
/** Rows per batch whose vector fields go to a parse worker (smaller COPYs parse on the main thread). */
const PARSE_BATCH_ROWS = 2 * BATCH_ROWS;
/** Batches queued and not yet inserted, at most (then the oldest is awaited). */
const PARSE_AHEAD = 6;
/**
 * Batches each worker has to parse, at most (more are parsed on the event loop). A worker
 * parses a batch in about a third of the time the event loop takes to insert it, so the event
 * loop parses only when the workers fall behind: at 2, a quarter of the batches were parsed
 * there, and raising it to 5 made a 200,000-row COPY 1.17× faster (A/B, 8 alternating rounds,
 * every round faster).
 */
const WORKERS_AHEAD = 5;

/** A running COPY FROM STDIN. */
export class CopyIn {
  private readonly parser: CopyParser;
  private readonly inserter: RowInserter;
  private readonly types: { type: PgType; typmod: number; name: string }[];
  /** Columns whose text fields are parsed in batches (by a worker when the batch is full). */
  private readonly deferred: boolean[];
  private pending: Row[] = [];
  /** The batch being filled, when some column is deferred. */
  private batch: ParseBatch | null = null;
  /** Full batches being parsed, oldest first. */
  private readonly queue: ParseBatch[] = [];
  readonly format: 0 | 1;
  readonly columnCount: number;

  constructor(
    private readonly stmt: CopyStatement,
    options: CopyOptions,
    env: PlanEnv,
    private readonly ctx: ExecContext,
  ) {
    const part = resolvePartition(env, stmt.table!);
    const view = part ? null : resolveView(env, stmt.table!);
    if (view) {
      throw new DbError(SqlState.WrongObjectType, `cannot copy to view "${view.name}"`, {
        hint: 'To enable copying to a view, provide an INSTEAD OF INSERT trigger.',
      });
    }
    const t = part?.parent ?? resolveTable(env, stmt.table!);
    const planned = planInsertRows(t, stmt.columns, env, part);
    this.inserter = new RowInserter(planned.modify, planned.rowColumns, [], ctx);
    this.types = planned.targets.map((c) => ({ type: typeByOid(c.typeOid)!, typmod: c.typmod, name: c.name }));
    this.parser = copyParser(options, this.types.map((t) => t.type.textInBytes !== undefined));
    this.format = options.format === 'binary' ? 1 : 0;
    this.columnCount = this.types.length;
    this.deferred = this.types.map((t) => options.format === 'text' && t.type.oid === Oid.vector);
    if (this.deferred.includes(true)) this.batch = new ParseBatch();
  }

  private context(line: number, column?: string, value?: string): string {
    const base = `COPY ${this.stmt.table!.name}, line ${line}`;
    if (column === undefined) return base;
    return value === undefined ? `${base}, column ${column}` : `${base}, column ${column}: "${value}"`;
  }

  /** `err` with the COPY context of a field (DbErrors; others pass as they are). */
  private inField(err: unknown, line: number, column: string, value: string | undefined): unknown {
    if (!(err instanceof DbError)) return err;
    return new DbError(err.code, err.message, { detail: err.detail, hint: err.hint, where: this.context(line, column, value) });
  }

  private toRow(fields: CopyField[], line: number): Row {
    const n = this.types.length;
    if (fields.length < n) {
      throw new DbError(SqlState.BadCopyFileFormat, `missing data for column "${this.types[fields.length]!.name}"`, { where: this.context(line) });
    }
    if (fields.length > n) {
      throw new DbError(SqlState.BadCopyFileFormat, this.format === 1 ? `row field count is ${fields.length}, expected ${n}` : 'extra data after last expected column', {
        where: this.context(line),
      });
    }
    const row: Row = new Array(n);
    for (let i = 0; i < n; i++) {
      const f = fields[i]!;
      if (f === null) {
        row[i] = null;
        continue;
      }
      if (this.deferred[i] && f instanceof FieldBytes) {
        this.batch!.defer(i, f);
        row[i] = null;
        continue;
      }
      const { type, typmod, name } = this.types[i]!;
      try {
        let v =
          typeof f === 'string'
            ? type.textIn(f, typmod, this.ctx.format)
            : f instanceof FieldBytes
              ? type.textInBytes!(f.b, f.start, f.end, typmod, this.ctx.format)
              : type.binaryIn(f, typmod, this.ctx.format);
        if (typmod >= 0 && type.applyTypmod) v = type.applyTypmod(v, typmod, false);
        row[i] = v;
      } catch (err) {
        throw this.inField(err, line, name, typeof f === 'string' ? f : f instanceof FieldBytes ? f.text() : undefined);
      }
    }
    return row;
  }

  private async flushRows(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    await this.inserter.insert(rows);
  }

  /** Rows from the parser, in order: converted, then inserted in batches. */
  private async take(fieldRows: CopyField[][], lines: readonly number[]): Promise<void> {
    for (let k = 0; k < fieldRows.length; k++) {
      let row: Row;
      try {
        row = this.toRow(fieldRows[k]!, lines[k]!);
      } catch (err) {
        await this.settle(); // the rows before this one go first, and so do their errors
        throw err;
      }
      const b = this.batch;
      if (b === null) {
        this.pending.push(row);
        if (this.pending.length >= BATCH_ROWS) await this.flushRows();
        continue;
      }
      b.rows.push(row);
      b.lines.push(lines[k]!);
      if (b.rows.length >= PARSE_BATCH_ROWS) await this.hand(true);
    }
  }

  /**
   * Queues the open batch and starts a new one. The batch goes to a worker when `offThread`
   * and the workers have fewer than WORKERS_AHEAD batches each to parse (of all COPYs);
   * otherwise it is parsed here and now, so the event loop parses while the workers do
   * instead of waiting for them.
   * Then inserts the batches at the head of the queue that are parsed, and waits for the
   * oldest while more than PARSE_AHEAD are queued.
   */
  private async hand(offThread: boolean): Promise<void> {
    const b = this.batch!;
    this.batch = new ParseBatch();
    // The backlog counts every COPY's batches: concurrent COPYs share the workers.
    if (offThread && b.bounds.length > 0 && parseBacklog() < WORKERS_AHEAD * parseWorkerCount()) {
      const { bytes, bounds } = b.gather();
      const p = parseVectorsOffThread(bytes, bounds);
      // A failed worker resolves to null: the batch is then parsed here.
      if (p !== null) b.parsed = p.catch(() => null).finally(() => (b.ready = true));
    }
    if (b.parsed === null) this.fill(b, b.bounds.length > 0 ? b.parseHere() : null);
    this.queue.push(b);
    const ahead = offThread ? PARSE_AHEAD : 0;
    while (this.queue.length > 0 && (this.queue[0]!.ready || this.queue.length > ahead)) await this.insertHead();
  }

  /** Inserts every row taken so far (the open batch is parsed here). */
  private async settle(): Promise<void> {
    if (this.batch !== null) await this.hand(false);
    await this.flushRows();
  }

  /**
   * Fills in a batch's vector fields: the worker's, else parsed here (raising the exact
   * parser's errors). An error waits in the batch for its turn (insertHead), so errors come in
   * line order.
   */
  private fill(b: ParseBatch, parsed: ParsedVectors | null): void {
    b.ready = true;
    let at = 0;
    for (let k = 0; k < b.fieldRow.length; k++) {
      const r = b.fieldRow[k]!;
      const col = b.fieldCol[k]!;
      const { type, typmod, name } = this.types[col]!;
      const dim = parsed === null ? -1 : parsed.dims[k]!;
      try {
        // Fields the worker declined (or all, without one) are parsed here.
        let v: unknown = dim >= 0 ? parsed!.out.subarray(at, (at += dim)) : type.textInBytes!(...b.field(k), typmod, this.ctx.format);
        if (typmod >= 0 && type.applyTypmod) v = type.applyTypmod(v, typmod, false);
        b.rows[r]![col] = v;
      } catch (err) {
        const [buf, start, end] = b.field(k);
        b.failure = this.inField(err, b.lines[r]!, name, buf.toString('utf8', start, end));
        return;
      }
    }
  }

  /** Inserts the oldest queued batch, once parsed. */
  private async insertHead(): Promise<void> {
    const b = this.queue.shift()!;
    if (b.parsed !== null) this.fill(b, await b.parsed);
    if (b.failure !== undefined) throw b.failure;
    // In BATCH_ROWS as other rows are: a batch lands in one growing segment, so segments fill to multiples of it.
    for (let i = 0; i < b.rows.length; i += BATCH_ROWS) await this.inserter.insert(b.rows.slice(i, i + BATCH_ROWS));
  }

  async push(chunk: Buffer): Promise<void> {
    const rows = this.parser.push(chunk);
    await this.take(rows, this.parser.rowLines);
    this.ctx.checkCancel();
  }

  /** CopyDone: the last rows; returns the row count. */
  async finish(): Promise<number> {
    const rows = this.parser.finish();
    await this.take(rows, this.parser.rowLines);
    await this.settle();
    return this.inserter.count;
  }
}

/** Prepares the COPY FROM side: validates options and target before CopyInResponse is sent. */
export function startCopyIn(stmt: CopyStatement, env: PlanEnv, ctx: ExecContext): CopyIn {
  if (!stmt.table) throw new DbError(SqlState.FeatureNotSupported, 'COPY FROM requires a table');
  return new CopyIn(stmt, resolveCopyOptions(stmt.options, 'from'), env, ctx);
}

function copyOutQuery(stmt: CopyStatement, env: PlanEnv): SelectStmt {
  if (stmt.query) return stmt.query;
  const view = resolvePartition(env, stmt.table!) ? null : resolveView(env, stmt.table!);
  if (view) throw new DbError(SqlState.WrongObjectType, `cannot copy from view "${view.name}"`, { hint: 'Try the COPY (SELECT ...) TO variant.' });
  const t = resolvePartition(env, stmt.table!)?.parent ?? resolveTable(env, stmt.table!);
  const names = stmt.columns ?? liveColumns(t).map((c) => c.name);
  for (const n of names) {
    if (!liveColumns(t).some((c) => c.name === n)) throw new DbError(SqlState.UndefinedColumn, `column "${n}" of relation "${t.name}" does not exist`);
  }
  return selectStmt({
    targets: names.map((n) => ({ expr: { kind: 'column', names: [n], star: false, location: -1 }, alias: null, location: -1 })),
    from: [{ kind: 'table', schema: stmt.table!.schema, name: stmt.table!.name, alias: null, columnAliases: [], location: stmt.table!.location }],
  });
}

/** Runs COPY ... TO STDOUT, writing CopyOutResponse, CopyData and CopyDone; returns the row count. */
export async function runCopyOut(stmt: CopyStatement, env: PlanEnv, ctx: ExecContext, w: MessageWriter, flush: () => Promise<void>): Promise<number> {
  const options = resolveCopyOptions(stmt.options, 'to');
  const planned = planSelect(copyOutQuery(stmt, env), [], env);
  const binary = options.format === 'binary';
  const fmt = copyFormatter(options);
  const types = planned.columns.map((c) => typeByOid(c.type)!);
  const cursor = openCursor(planned.plan, [], ctx);
  backend.copyOutResponse(w, binary ? 1 : 0, planned.columns.map(() => (binary ? 1 : 0)));
  const header = fmt.header(planned.columns.map((c) => c.name));
  if (header) backend.copyData(w, header);
  let count = 0;
  for (let batch = await cursor.next(); batch; batch = await cursor.next()) {
    for (const row of batch) {
      const fields = row.map((v, i) => (v === null ? null : binary ? types[i]!.binaryOut(v, ctx.format) : types[i]!.textOut(v, ctx.format)));
      backend.copyData(w, fmt.row(fields));
    }
    count += batch.length;
    if (w.length > 64 * 1024) await flush();
  }
  const trailer = fmt.trailer();
  if (trailer) backend.copyData(w, trailer);
  backend.copyDone(w);
  return count;
}
