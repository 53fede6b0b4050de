/**
 * Prepared statements and portals (protocol-level and SQL PREPARE share one namespace, as
 * in PostgreSQL). A Prepared knows its parameter types and result columns before it runs;
 * a Portal is a Prepared bound to parameter values and result formats, with an open cursor.
 */
import type { OutputColumn, RowCursor, Value } from '../executor/index.ts';
import type { FormatCode } from '../protocol/index.ts';
import type { CopyIn } from './copy.ts';

/** What running a statement produces: a command tag, and rows for row-returning statements. */
export interface Outcome {
  /** Command tag; for row-returning statements the row count is appended when the cursor ends. */
  readonly tag: string;
  readonly cursor?: RowCursor;
}

export interface Prepared {
  readonly sql: string;
  /** The statement kind, for the transaction rules (e.g. "transaction", "select"). */
  readonly kind: string;
  readonly paramTypes: readonly number[];
  /** Result columns, or null for statements that return no rows (NoData). */
  readonly columns: readonly OutputColumn[] | null;
  /** True for BEGIN/COMMIT/ROLLBACK (allowed in an aborted transaction). */
  readonly endsFailedTransaction: boolean;
  run(params: readonly Value[]): Promise<Outcome>;
  /** COPY FROM STDIN: creates the receiver; the session then switches to copy-in mode. */
  startCopyIn?(): CopyIn;
}

export interface Portal {
  readonly name: string;
  readonly prepared: Prepared;
  readonly params: readonly Value[];
  readonly resultFormats: readonly FormatCode[];
  cursor: RowCursor | null;
  /** Rows fetched from the cursor but not yet sent (a batch split by Execute's row limit). */
  buffered: Value[][];
  started: boolean;
  finished: boolean;
  tag: string;
}

/** The format code of result column i under PostgreSQL's rules (0, 1 or per-column codes). */
export function formatFor(formats: readonly FormatCode[], i: number): FormatCode {
  if (formats.length === 0) return 0;
  if (formats.length === 1) return formats[0]!;
  return formats[i] ?? 0;
}
