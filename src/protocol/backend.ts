/**
 * Backend (server → client) message encoders of protocol v3. Pure: each function appends
 * one message to a MessageWriter; server/ and session/ decide when the bytes hit the socket.
 * @see https://www.postgresql.org/docs/15/protocol-message-formats.html
 */
import type { MessageWriter } from './message-writer.ts';
import type { DbErrorFields } from '../errors/index.ts';
import type { FormatCode } from './frontend.ts';

export type TransactionStatus = 'I' | 'T' | 'E';

/** One column of a RowDescription. */
export interface FieldDescription {
  readonly name: string;
  readonly tableOid: number;
  readonly columnAttr: number;
  readonly typeOid: number;
  readonly typlen: number;
  readonly typmod: number;
  readonly format: FormatCode;
}

/** ErrorResponse / NoticeResponse fields: DbError's optional fields plus the three every message has. */
export interface ErrorFields extends Readonly<Omit<DbErrorFields, 'severity'>> {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
}

export function authenticationOk(w: MessageWriter): void {
  w.begin('R').int32(0).end();
}

export function authenticationCleartextPassword(w: MessageWriter): void {
  w.begin('R').int32(3).end();
}

export function authenticationSasl(w: MessageWriter, mechanisms: readonly string[]): void {
  w.begin('R').int32(10);
  for (const m of mechanisms) w.cstring(m);
  w.int8(0).end();
}

export function authenticationSaslContinue(w: MessageWriter, data: string): void {
  w.begin('R').int32(11).bytes(Buffer.from(data)).end();
}

export function authenticationSaslFinal(w: MessageWriter, data: string): void {
  w.begin('R').int32(12).bytes(Buffer.from(data)).end();
}

export function backendKeyData(w: MessageWriter, processId: number, secretKey: number): void {
  w.begin('K').int32(processId).int32(secretKey).end();
}

export function parameterStatus(w: MessageWriter, name: string, value: string): void {
  w.begin('S').cstring(name).cstring(value).end();
}

export function negotiateProtocolVersion(w: MessageWriter, newestMinor: number, unrecognized: readonly string[]): void {
  w.begin('v').int32(newestMinor).int32(unrecognized.length);
  for (const o of unrecognized) w.cstring(o);
  w.end();
}

export function readyForQuery(w: MessageWriter, status: TransactionStatus): void {
  w.begin('Z').int8(status.charCodeAt(0)).end();
}

export function parseComplete(w: MessageWriter): void {
  w.begin('1').end();
}

export function bindComplete(w: MessageWriter): void {
  w.begin('2').end();
}

export function closeComplete(w: MessageWriter): void {
  w.begin('3').end();
}

export function noData(w: MessageWriter): void {
  w.begin('n').end();
}

export function portalSuspended(w: MessageWriter): void {
  w.begin('s').end();
}

export function emptyQueryResponse(w: MessageWriter): void {
  w.begin('I').end();
}

export function commandComplete(w: MessageWriter, tag: string): void {
  w.begin('C').cstring(tag).end();
}

export function parameterDescription(w: MessageWriter, typeOids: readonly number[]): void {
  w.begin('t').int16(typeOids.length);
  for (const oid of typeOids) w.uint32(oid);
  w.end();
}

export function rowDescription(w: MessageWriter, fields: readonly FieldDescription[]): void {
  w.begin('T').int16(fields.length);
  for (const f of fields) {
    w.cstring(f.name).uint32(f.tableOid).int16(f.columnAttr).uint32(f.typeOid).int16(f.typlen).int32(f.typmod).int16(f.format);
  }
  w.end();
}

/** DataRow: each value is already in its wire format — text as a string, binary as bytes. */
export function dataRow(w: MessageWriter, values: readonly (string | Uint8Array | null)[]): void {
  w.begin('D').int16(values.length);
  for (const v of values) {
    if (v === null) w.int32(-1);
    else if (typeof v === 'string') w.lengthPrefixedString(v);
    else w.int32(v.length).bytes(v);
  }
  w.end();
}

function responseFields(w: MessageWriter, f: ErrorFields): void {
  w.int8(0x53).cstring(f.severity); // S: localized severity
  w.int8(0x56).cstring(f.severity); // V: non-localized severity
  w.int8(0x43).cstring(f.code);
  w.int8(0x4d).cstring(f.message);
  if (f.detail !== undefined) w.int8(0x44).cstring(f.detail);
  if (f.hint !== undefined) w.int8(0x48).cstring(f.hint);
  if (f.position !== undefined) w.int8(0x50).cstring(String(f.position));
  if (f.internalPosition !== undefined) w.int8(0x70).cstring(String(f.internalPosition));
  if (f.internalQuery !== undefined) w.int8(0x71).cstring(f.internalQuery);
  if (f.where !== undefined) w.int8(0x57).cstring(f.where);
  if (f.schema !== undefined) w.int8(0x73).cstring(f.schema);
  if (f.table !== undefined) w.int8(0x74).cstring(f.table);
  if (f.column !== undefined) w.int8(0x63).cstring(f.column);
  if (f.dataType !== undefined) w.int8(0x64).cstring(f.dataType);
  if (f.constraint !== undefined) w.int8(0x6e).cstring(f.constraint);
  w.int8(0);
}

export function errorResponse(w: MessageWriter, f: ErrorFields): void {
  w.begin('E');
  responseFields(w, f);
  w.end();
}

export function noticeResponse(w: MessageWriter, f: ErrorFields): void {
  w.begin('N');
  responseFields(w, f);
  w.end();
}

export function copyInResponse(w: MessageWriter, overallFormat: FormatCode, columnFormats: readonly FormatCode[]): void {
  w.begin('G').int8(overallFormat).int16(columnFormats.length);
  for (const f of columnFormats) w.int16(f);
  w.end();
}

export function copyOutResponse(w: MessageWriter, overallFormat: FormatCode, columnFormats: readonly FormatCode[]): void {
  w.begin('H').int8(overallFormat).int16(columnFormats.length);
  for (const f of columnFormats) w.int16(f);
  w.end();
}

export function copyData(w: MessageWriter, data: Uint8Array): void {
  w.begin('d').bytes(data).end();
}

export function copyDone(w: MessageWriter): void {
  w.begin('c').end();
}
