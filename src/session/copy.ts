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
import { typeByOid, type PgType } from '../types/index.ts';

type CopyStatement = Statement & { kind: 'copy' };

const BATCH_ROWS = 1000;

/** A running COPY FROM STDIN. */
export class CopyIn {
  private readonly parser: CopyParser;
  private readonly inserter: RowInserter;
  private readonly types: { type: PgType; typmod: number; name: string }[];
  private pending: Row[] = [];
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
  }

  private context(column?: string, value?: string): string {
    const base = `COPY ${this.stmt.table!.name}, line ${this.parser.line}`;
    if (column === undefined) return base;
    return value === undefined ? `${base}, column ${column}` : `${base}, column ${column}: "${value}"`;
  }

  private toRow(fields: CopyField[]): Row {
    const n = this.types.length;
    if (fields.length < n) {
      throw new DbError(SqlState.BadCopyFileFormat, `missing data for column "${this.types[fields.length]!.name}"`, { where: this.context() });
    }
    if (fields.length > n) {
      throw new DbError(SqlState.BadCopyFileFormat, this.format === 1 ? `row field count is ${fields.length}, expected ${n}` : 'extra data after last expected column', {
        where: this.context(),
      });
    }
    const row: Row = new Array(n);
    for (let i = 0; i < n; i++) {
      const f = fields[i]!;
      if (f === null) {
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
        if (err instanceof DbError) {
          throw new DbError(err.code, err.message, { detail: err.detail, hint: err.hint, where: this.context(name, typeof f === 'string' ? f : f instanceof FieldBytes ? f.text() : undefined) });
        }
        throw err;
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

  async push(chunk: Buffer): Promise<void> {
    for (const fields of this.parser.push(chunk)) {
      this.pending.push(this.toRow(fields));
      if (this.pending.length >= BATCH_ROWS) await this.flushRows();
    }
    this.ctx.checkCancel();
  }

  /** CopyDone: the last rows; returns the row count. */
  async finish(): Promise<number> {
    for (const fields of this.parser.finish()) this.pending.push(this.toRow(fields));
    await this.flushRows();
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
