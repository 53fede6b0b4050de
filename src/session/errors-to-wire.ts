/**
 * The one place where errors become ErrorResponse/NoticeResponse fields. DbError fields map
 * one to one; anything else is XX000, logged once with the connection id. Positions are
 * kept as 1-based byte offsets inside Tessera and converted to characters here.
 */
import type { Logger } from 'pino';
import { DbError, SqlState, toDbError } from '../errors/index.ts';
import type { ErrorFields } from '../protocol/index.ts';
import { charOffset } from '../sql/index.ts';

export function errorFields(err: DbError, sql?: string): ErrorFields {
  let position = err.position;
  if (position !== undefined && sql !== undefined) position = charOffset(sql, position - 1) + 1;
  return {
    severity: err.severity,
    code: err.code,
    message: err.message,
    detail: err.detail,
    hint: err.hint,
    position,
    internalPosition: err.internalPosition,
    internalQuery: err.internalQuery,
    where: err.where,
    schema: err.schema,
    table: err.table,
    column: err.column,
    dataType: err.dataType,
    constraint: err.constraint,
  };
}

/** Normalises a thrown value; unexpected exceptions are logged (with stack) as XX000. */
export function normaliseError(err: unknown, log: Logger): DbError {
  if (err instanceof DbError) return err;
  if (err instanceof RangeError && /Invalid array length|Array buffer allocation failed/.test(err.message)) {
    return new DbError(SqlState.OutOfMemory, 'out of memory');
  }
  log.error({ err }, 'internal error');
  return toDbError(err);
}
