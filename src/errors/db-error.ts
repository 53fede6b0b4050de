/**
 * The one error type of Tessera. Its fields map one to one onto the ErrorResponse /
 * NoticeResponse fields of the wire protocol; session/ is the only layer that turns it
 * into a message. Anything thrown that is not a DbError becomes XX000 at that boundary.
 * @see https://www.postgresql.org/docs/15/protocol-error-fields.html
 */
import { SqlState, type SqlStateCode } from './sqlstate.ts';

export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

export interface DbErrorFields {
  severity?: Severity;
  detail?: string;
  hint?: string;
  /** 1-based character position in the original query string. */
  position?: number;
  internalPosition?: number;
  internalQuery?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
}

export class DbError extends Error {
  readonly code: SqlStateCode;
  readonly severity: Severity;
  readonly detail?: string;
  readonly hint?: string;
  position?: number;
  readonly internalPosition?: number;
  readonly internalQuery?: string;
  readonly where?: string;
  readonly schema?: string;
  readonly table?: string;
  readonly column?: string;
  readonly dataType?: string;
  readonly constraint?: string;

  constructor(code: SqlStateCode, message: string, fields: DbErrorFields = {}) {
    super(message);
    this.name = 'DbError';
    this.code = code;
    this.severity = fields.severity ?? 'ERROR';
    Object.assign(this, { ...fields, severity: this.severity });
  }

  /** True for errors that end the connection (severity FATAL or PANIC). */
  get isFatal(): boolean {
    return this.severity === 'FATAL' || this.severity === 'PANIC';
  }

  /** Sets the query position if none is set yet; returns this for chaining. */
  at(position: number | undefined): this {
    if (this.position === undefined && position !== undefined && position >= 0) this.position = position;
    return this;
  }
}

/** Wraps any thrown value as a DbError; non-DbErrors become XX000 with the original message. */
export function toDbError(err: unknown): DbError {
  if (err instanceof DbError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DbError(SqlState.InternalError, message);
}

/** Shorthand for the common "feature not supported" rejection (0A000). */
export function notSupported(what: string, hint?: string): DbError {
  return new DbError(SqlState.FeatureNotSupported, what, hint === undefined ? {} : { hint });
}

/** For exhaustive switches over tagged unions: fails to compile when a kind is unhandled. */
export function assertNever(x: never, what = 'value'): never {
  throw new DbError(SqlState.InternalError, `unexpected ${what}: ${JSON.stringify(x)}`);
}
