/** errors/: the single DbError type and the SQLSTATE table shared by every layer. */
export { DbError, toDbError, notSupported, assertNever } from './db-error.ts';
export type { Severity, DbErrorFields } from './db-error.ts';
export { SqlState } from './sqlstate.ts';
export type { SqlStateCode } from './sqlstate.ts';
