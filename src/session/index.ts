/**
 * session/: one authenticated client session — simple and extended query protocols,
 * settings, transaction state, prepared statements and portals. The only layer that turns
 * errors into ErrorResponses. Imports protocol/, sql/, planner/, executor/, types/, errors/.
 */
export { Session, type SessionOptions } from './session.ts';
export type { WireOutput } from './wire-output.ts';
export { errorFields, normaliseError } from './errors-to-wire.ts';
export { SERVER_VERSION, SERVER_VERSION_NUM } from './settings.ts';
export type { Database } from './database.ts';
export { UniqueKeys } from './unique-keys.ts';
export { RowLocks } from './row-locks.ts';
