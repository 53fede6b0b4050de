/**
 * protocol/: PostgreSQL wire protocol v3, server side. Decodes frontend messages and encodes
 * backend messages; pure functions over buffers, no sockets. server/ and session/ use it.
 */
export * from './frontend.ts';
export * as backend from './backend.ts';
export type { FieldDescription, ErrorFields, TransactionStatus } from './backend.ts';
export { MessageWriter } from './message-writer.ts';
export { MessageReader } from './message-reader.ts';
export { MessageFramer, type Frame } from './framer.ts';
