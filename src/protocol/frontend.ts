/**
 * Frontend (client → server) messages of protocol v3: their typed shapes and the decoder
 * from a framed body. Pure; no I/O. The 'p' message means PasswordMessage, SASLInitialResponse
 * or SASLResponse depending on the authentication step, so server/ decodes it in context.
 * @see https://www.postgresql.org/docs/15/protocol-message-formats.html
 */
import { DbError, SqlState } from '../errors/index.ts';
import { MessageReader } from './message-reader.ts';

export const PROTOCOL_3_0 = 196608;
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;

/** The untyped first packet of a connection. */
export type StartupPacket =
  | { readonly kind: 'SSLRequest' }
  | { readonly kind: 'GSSENCRequest' }
  | { readonly kind: 'CancelRequest'; readonly processId: number; readonly secretKey: number }
  | {
      readonly kind: 'StartupMessage';
      readonly majorVersion: number;
      readonly minorVersion: number;
      readonly parameters: ReadonlyMap<string, string>;
      /** Options named `_pq_.*` (protocol extensions) the client asked for. */
      readonly protocolOptions: readonly string[];
    };

export type FormatCode = 0 | 1;

export type FrontendMessage =
  | { readonly kind: 'Query'; readonly sql: string }
  | { readonly kind: 'Parse'; readonly name: string; readonly sql: string; readonly paramTypes: readonly number[] }
  | {
      readonly kind: 'Bind';
      readonly portal: string;
      readonly statement: string;
      readonly paramFormats: readonly FormatCode[];
      readonly params: readonly (Buffer | null)[];
      readonly resultFormats: readonly FormatCode[];
    }
  | { readonly kind: 'Describe'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'Execute'; readonly portal: string; readonly maxRows: number }
  | { readonly kind: 'Close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'Sync' }
  | { readonly kind: 'Flush' }
  | { readonly kind: 'Terminate' }
  | { readonly kind: 'CopyData'; readonly data: Buffer }
  | { readonly kind: 'CopyDone' }
  | { readonly kind: 'CopyFail'; readonly message: string }
  | { readonly kind: 'FunctionCall' }
  | { readonly kind: 'Password'; readonly body: Buffer };

/** Decodes the first packet's body (after its length word). */
export function decodeStartupPacket(body: Buffer): StartupPacket {
  const r = new MessageReader(body);
  const code = r.int32();
  if (code === SSL_REQUEST_CODE) return { kind: 'SSLRequest' };
  if (code === GSSENC_REQUEST_CODE) return { kind: 'GSSENCRequest' };
  if (code === CANCEL_REQUEST_CODE) {
    return { kind: 'CancelRequest', processId: r.int32(), secretKey: r.int32() };
  }
  const majorVersion = code >>> 16;
  const minorVersion = code & 0xffff;
  if (majorVersion !== 3) {
    throw new DbError(
      SqlState.FeatureNotSupported,
      `unsupported frontend protocol ${majorVersion}.${minorVersion}: server supports 3.0 to 3.0`,
      { severity: 'FATAL' },
    );
  }
  const parameters = new Map<string, string>();
  const protocolOptions: string[] = [];
  while (r.remaining > 1) {
    const name = r.cstring();
    const value = r.cstring();
    if (name.startsWith('_pq_.')) protocolOptions.push(name);
    else parameters.set(name, value);
  }
  if (r.remaining !== 1 || r.int8() !== 0) {
    throw new DbError(SqlState.ProtocolViolation, 'invalid startup packet layout: expected terminator as last byte', {
      severity: 'FATAL',
    });
  }
  return { kind: 'StartupMessage', majorVersion, minorVersion, parameters, protocolOptions };
}

function formatCode(n: number): FormatCode {
  if (n !== 0 && n !== 1) {
    throw new DbError(SqlState.ProtocolViolation, `unsupported format code: ${n}`);
  }
  return n;
}

function describeTarget(r: MessageReader): 'S' | 'P' {
  const t = String.fromCharCode(r.int8());
  if (t !== 'S' && t !== 'P') {
    throw new DbError(SqlState.ProtocolViolation, `invalid DESCRIBE message subtype ${t.charCodeAt(0)}`, {
      severity: 'FATAL',
    });
  }
  return t;
}

/** Decodes a typed message body. Unknown types are a FATAL protocol violation, as in PostgreSQL. */
export function decodeFrontendMessage(type: number, body: Buffer): FrontendMessage {
  const r = new MessageReader(body);
  let msg: FrontendMessage;
  switch (String.fromCharCode(type)) {
    case 'Q':
      msg = { kind: 'Query', sql: r.cstring() };
      break;
    case 'P': {
      const name = r.cstring();
      const sql = r.cstring();
      const n = r.int16();
      const paramTypes: number[] = [];
      for (let i = 0; i < n; i++) paramTypes.push(r.int32() >>> 0);
      msg = { kind: 'Parse', name, sql, paramTypes };
      break;
    }
    case 'B': {
      const portal = r.cstring();
      const statement = r.cstring();
      const nf = r.int16();
      const paramFormats: FormatCode[] = [];
      for (let i = 0; i < nf; i++) paramFormats.push(formatCode(r.int16()));
      const np = r.int16();
      const params: (Buffer | null)[] = [];
      for (let i = 0; i < np; i++) {
        const len = r.int32();
        params.push(len === -1 ? null : r.bytes(len));
      }
      const nr = r.int16();
      const resultFormats: FormatCode[] = [];
      for (let i = 0; i < nr; i++) resultFormats.push(formatCode(r.int16()));
      msg = { kind: 'Bind', portal, statement, paramFormats, params, resultFormats };
      break;
    }
    case 'D':
      msg = { kind: 'Describe', target: describeTarget(r), name: r.cstring() };
      break;
    case 'E':
      msg = { kind: 'Execute', portal: r.cstring(), maxRows: r.int32() };
      break;
    case 'C':
      msg = { kind: 'Close', target: describeTarget(r), name: r.cstring() };
      break;
    case 'S':
      msg = { kind: 'Sync' };
      break;
    case 'H':
      msg = { kind: 'Flush' };
      break;
    case 'X':
      msg = { kind: 'Terminate' };
      break;
    case 'd':
      return { kind: 'CopyData', data: r.rest() };
    case 'c':
      msg = { kind: 'CopyDone' };
      break;
    case 'f':
      msg = { kind: 'CopyFail', message: r.cstring() };
      break;
    case 'F':
      return { kind: 'FunctionCall' };
    case 'p':
      return { kind: 'Password', body: r.rest() };
    default:
      throw new DbError(SqlState.ProtocolViolation, `invalid frontend message type ${type}`, { severity: 'FATAL' });
  }
  r.end();
  return msg;
}

/** SASLInitialResponse: mechanism name and the client-first-message (null if absent). */
export function decodeSaslInitialResponse(body: Buffer): { mechanism: string; data: Buffer | null } {
  const r = new MessageReader(body);
  const mechanism = r.cstring();
  const len = r.int32();
  const data = len === -1 ? null : r.bytes(len);
  r.end();
  return { mechanism, data };
}

/** PasswordMessage: a NUL-terminated password. */
export function decodePasswordMessage(body: Buffer): string {
  const r = new MessageReader(body);
  const pw = r.cstring();
  r.end();
  return pw;
}
