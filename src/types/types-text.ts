/**
 * types/: the PgType objects of the character, binary and document types: text, varchar(n),
 * bpchar(n), name, "char", unknown, bytea, uuid, json, jsonb, plus the pseudo-types void and
 * record. Lengths are counted in characters (code points), as PostgreSQL does in UTF-8.
 */
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import { formatJsonb, parseJsonb, validateJson, type Jsonb } from './jsonb.ts';
import { ArrayOid, Oid } from './oids.ts';
import type { FormatContext, PgType } from './pg-type.ts';
import { BinaryReader, BinaryWriter, decodeUtf8, encodeUtf8 } from './wire.ts';

/** 42622 name_too_long (belongs in errors/sqlstate.ts). */
const NAME_TOO_LONG = SqlState.NameTooLong;
/** Largest varchar/bpchar length (MaxAttrSize). */
export const MAX_CHAR_LENGTH = 10485760;
const NAMEDATALEN = 64;

/** pq_getmsgtext: UTF-8 without NUL bytes. */
function decodeText(buf: Uint8Array): string {
  if (buf.includes(0)) throw new DbError(SqlState.CharacterNotInRepertoire, 'invalid byte sequence for encoding "UTF8": 0x00');
  return decodeUtf8(buf);
}

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** The first `n` code points of s, and the rest. */
function splitAtCodePoints(s: string, n: number): [string, string] {
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return [s.slice(0, i), s.slice(i)];
}

function textLike(oid: number, name: string, displayName: string, arrayOid: number, category: 'S' | 'X'): PgType<string> {
  return {
    oid, name, displayName, typlen: -1, category, arrayOid, elemOid: 0,
    textIn: (text) => text,
    textOut: (v) => v,
    binaryIn: (buf) => decodeText(buf),
    binaryOut: (v) => encodeUtf8(v),
  };
}

export const textType = textLike(Oid.text, 'text', 'text', ArrayOid.text, 'S');
/** unknown: text-like, but with typlen -2 (a C string) as in pg_type. */
export const unknownType: PgType<string> = { ...textLike(Oid.unknown, 'unknown', 'unknown', 0, 'X'), typlen: -2 };

/** varchar_input / varchar(): over-length input fails unless the excess is spaces (or the cast is explicit). */
function varcharCoerce(s: string, typmod: number, explicit: boolean): string {
  if (typmod < 4) return s;
  const maxlen = typmod - 4;
  if (s.length <= maxlen || codePointLength(s) <= maxlen) return s;
  const [head, rest] = splitAtCodePoints(s, maxlen);
  if (!explicit && /[^ ]/.test(rest)) {
    throw new DbError(SqlState.StringDataRightTruncation, `value too long for type character varying(${maxlen})`);
  }
  return head;
}

export const varcharType: PgType<string> = {
  oid: Oid.varchar, name: 'varchar', displayName: 'character varying', typlen: -1, category: 'S', arrayOid: ArrayOid.varchar, elemOid: 0,
  textIn: (text, typmod) => varcharCoerce(text, typmod, false),
  textOut: (v) => v,
  binaryIn: (buf, typmod) => varcharCoerce(decodeText(buf), typmod, false),
  binaryOut: (v) => encodeUtf8(v),
  applyTypmod: (v, typmod, explicit) => varcharCoerce(v, typmod, explicit),
  formatTypmod: (typmod) => (typmod >= 4 ? `character varying(${typmod - 4})` : 'character varying'),
};

/** bpchar_input / bpchar(): pads to the length; over-length input fails unless the excess is spaces. */
function bpcharCoerce(s: string, typmod: number, explicit: boolean): string {
  if (typmod < 4) return s;
  const maxlen = typmod - 4;
  const len = codePointLength(s);
  if (len === maxlen) return s;
  if (len > maxlen) {
    const [head, rest] = splitAtCodePoints(s, maxlen);
    if (!explicit && /[^ ]/.test(rest)) throw new DbError(SqlState.StringDataRightTruncation, `value too long for type character(${maxlen})`);
    return head;
  }
  return s + ' '.repeat(maxlen - len);
}

export const bpcharType: PgType<string> = {
  oid: Oid.bpchar, name: 'bpchar', displayName: 'character', typlen: -1, category: 'S', arrayOid: ArrayOid.bpchar, elemOid: 0,
  textIn: (text, typmod) => bpcharCoerce(text, typmod, false),
  textOut: (v) => v,
  binaryIn: (buf, typmod) => bpcharCoerce(decodeText(buf), typmod, false),
  binaryOut: (v) => encodeUtf8(v),
  applyTypmod: (v, typmod, explicit) => bpcharCoerce(v, typmod, explicit),
  formatTypmod: (typmod) => (typmod >= 4 ? `character(${typmod - 4})` : 'bpchar'),
};

/** namein: truncated to at most 63 bytes on a character boundary. */
function clipName(s: string): string {
  if (s.length < NAMEDATALEN / 4) return s;
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + n > NAMEDATALEN - 1) break;
    bytes += n;
    i += cp > 0xffff ? 2 : 1;
  }
  return s.slice(0, i);
}

export const nameType: PgType<string> = {
  oid: Oid.name, name: 'name', displayName: 'name', typlen: 64, category: 'S', arrayOid: ArrayOid.name, elemOid: 0,
  textIn: (text) => clipName(text),
  textOut: (v) => v,
  binaryIn(buf) {
    const s = decodeText(buf);
    if (buf.length >= NAMEDATALEN) {
      throw new DbError(NAME_TOO_LONG, 'identifier too long', { detail: `Identifier must be less than ${NAMEDATALEN} characters.` });
    }
    return s;
  },
  binaryOut: (v) => encodeUtf8(v),
};

/**
 * "char": one byte, held as a one-character string whose code is the byte (0..255; '' for 0).
 * Input takes the first UTF-8 byte or a \ooo octal escape; output escapes bytes >= 128 as \ooo.
 */
export const charType: PgType<string> = {
  oid: Oid.char, name: 'char', displayName: '"char"', typlen: 1, category: 'Z', arrayOid: ArrayOid.char, elemOid: 0,
  textIn(text) {
    if (/^\\[0-7]{3}$/.test(text)) return byteChar(parseInt(text.slice(1), 8) & 0xff);
    const bytes = encodeUtf8(text);
    return byteChar(bytes[0] ?? 0);
  },
  textOut(v) {
    const b = v.length === 0 ? 0 : v.charCodeAt(0) & 0xff;
    if (b >= 0x80) return '\\' + b.toString(8).padStart(3, '0');
    return b === 0 ? '' : String.fromCharCode(b);
  },
  binaryIn(buf) {
    const r = new BinaryReader(buf);
    const b = r.uint8();
    r.end();
    return byteChar(b);
  },
  binaryOut: (v) => Uint8Array.of(v.length === 0 ? 0 : v.charCodeAt(0) & 0xff),
};

function byteChar(b: number): string {
  return b === 0 ? '' : String.fromCharCode(b);
}

const HEX = '0123456789abcdef';

/** byteain: \x hex (whitespace between byte pairs) or the traditional escape format. */
export function parseBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) {
    const out: number[] = [];
    let i = 2;
    while (i < text.length) {
      const c = text[i]!;
      if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
        i++;
        continue;
      }
      const hi = hexValue(text, i);
      i += c.length;
      if (i >= text.length) throw new DbError(SqlState.InvalidParameterValue, 'invalid hexadecimal data: odd number of digits');
      const lo = hexValue(text, i);
      i++;
      out.push((hi << 4) | lo);
    }
    return Uint8Array.from(out);
  }
  const bytes = encodeUtf8(text);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b !== 0x5c) {
      out.push(b);
      i++;
    } else if (bytes[i + 1]! >= 0x30 && bytes[i + 1]! <= 0x33 && bytes[i + 2]! >= 0x30 && bytes[i + 2]! <= 0x37 && bytes[i + 3]! >= 0x30 && bytes[i + 3]! <= 0x37) {
      out.push(((bytes[i + 1]! - 0x30) << 6) | ((bytes[i + 2]! - 0x30) << 3) | (bytes[i + 3]! - 0x30));
      i += 4;
    } else if (bytes[i + 1] === 0x5c) {
      out.push(0x5c);
      i += 2;
    } else {
      throw new DbError(SqlState.InvalidTextRepresentation, 'invalid input syntax for type bytea');
    }
  }
  return Uint8Array.from(out);
}

function hexValue(text: string, i: number): number {
  const c = text[i]!;
  const v = parseInt(c, 16);
  if (Number.isNaN(v) || !/[0-9a-fA-F]/.test(c)) {
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    throw new DbError(SqlState.InvalidParameterValue, `invalid hexadecimal digit: "${ch}"`);
  }
  return v;
}

/** byteaout with bytea_output = hex. */
export function formatBytea(v: Uint8Array): string {
  let s = '\\x';
  for (const b of v) s += HEX[b >> 4]! + HEX[b & 15]!;
  return s;
}

export const byteaType: PgType<Uint8Array> = {
  oid: Oid.bytea, name: 'bytea', displayName: 'bytea', typlen: -1, category: 'U', arrayOid: ArrayOid.bytea, elemOid: 0,
  textIn: (text) => parseBytea(text),
  textOut: (v) => formatBytea(v),
  binaryIn: (buf) => Uint8Array.from(buf),
  binaryOut: (v) => Uint8Array.from(v),
};

/** string_to_uuid: 32 hex digits, optional braces, a hyphen allowed after any group of four. */
export function parseUuid(text: string): string {
  const bad = (): DbError => new DbError(SqlState.InvalidTextRepresentation, `invalid input syntax for type uuid: "${text}"`);
  let i = 0;
  let braces = false;
  if (text[0] === '{') {
    braces = true;
    i++;
  }
  let hex = '';
  for (let k = 0; k < 16; k++) {
    const pair = text.slice(i, i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) throw bad();
    hex += pair.toLowerCase();
    i += 2;
    if (text[i] === '-' && k % 2 === 1 && k < 15) i++;
  }
  if (braces) {
    if (text[i] !== '}') throw bad();
    i++;
  }
  if (i !== text.length) throw bad();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const uuidType: PgType<string> = {
  oid: Oid.uuid, name: 'uuid', displayName: 'uuid', typlen: 16, category: 'U', arrayOid: ArrayOid.uuid, elemOid: 0,
  textIn: (text) => parseUuid(text),
  textOut: (v) => v,
  binaryIn(buf) {
    const r = new BinaryReader(buf);
    const b = r.bytes(16);
    r.end();
    const hex = Array.from(b, (x) => HEX[x >> 4]! + HEX[x & 15]!).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
  binaryOut(v) {
    const hex = v.replace(/-/g, '');
    const out = new Uint8Array(16);
    for (let k = 0; k < 16; k++) out[k] = parseInt(hex.slice(2 * k, 2 * k + 2), 16);
    return out;
  },
};

export const jsonType: PgType<string> = {
  oid: Oid.json, name: 'json', displayName: 'json', typlen: -1, category: 'U', arrayOid: ArrayOid.json, elemOid: 0,
  textIn(text) {
    validateJson(text);
    return text;
  },
  textOut: (v) => v,
  binaryIn(buf) {
    const text = decodeText(buf);
    validateJson(text);
    return text;
  },
  binaryOut: (v) => encodeUtf8(v),
};

export const jsonbType: PgType<Jsonb> = {
  oid: Oid.jsonb, name: 'jsonb', displayName: 'jsonb', typlen: -1, category: 'U', arrayOid: ArrayOid.jsonb, elemOid: 0,
  textIn: (text) => parseJsonb(text),
  textOut: (v) => formatJsonb(v),
  binaryIn(buf) {
    const r = new BinaryReader(buf);
    const version = r.uint8();
    if (version !== 1) throw new DbError(SqlState.InternalError, `unsupported jsonb version number ${version}`);
    return parseJsonb(decodeText(r.rest()));
  },
  binaryOut(v) {
    const body = encodeUtf8(formatJsonb(v));
    const out = new Uint8Array(body.length + 1);
    out[0] = 1;
    out.set(body, 1);
    return out;
  },
};

export const voidType: PgType<null> = {
  oid: Oid.void, name: 'void', displayName: 'void', typlen: 4, category: 'P', arrayOid: 0, elemOid: 0,
  textIn: () => null,
  textOut: () => '',
  binaryIn: () => null,
  binaryOut: () => new Uint8Array(0),
};

/** One column of an anonymous record value. */
export interface RecordField {
  readonly type: PgType<any>;
  readonly value: unknown;
}

/** An anonymous record (ROW(...)) value: its columns with their types. */
export type PgRecord = readonly RecordField[];

const recordNeedsQuote = /["\\(),\t\n\v\f\r ]/;

/** record_out: (a,b,"c d",) with NULL as nothing and "" / \\ doubling inside quotes. */
export function formatRecord(v: PgRecord, ctx: FormatContext): string {
  const parts = v.map(({ type, value }) => {
    if (value === null || value === undefined) return '';
    const s = type.textOut(value, ctx);
    const quote = s.length === 0 || recordNeedsQuote.test(s);
    const body = s.replace(/["\\]/g, (c) => c + c);
    return quote ? `"${body}"` : body;
  });
  return `(${parts.join(',')})`;
}

export const recordType: PgType<PgRecord> = {
  oid: Oid.record, name: 'record', displayName: 'record', typlen: -1, category: 'P', arrayOid: ArrayOid.record, elemOid: 0,
  textIn() {
    throw notSupported('input of anonymous composite types is not implemented');
  },
  textOut: (v, ctx) => formatRecord(v, ctx),
  binaryIn() {
    throw notSupported('input of anonymous composite types is not implemented');
  },
  binaryOut(v, ctx) {
    const w = new BinaryWriter();
    w.int32(v.length);
    for (const { type, value } of v) {
      w.uint32(type.oid);
      if (value === null || value === undefined) w.int32(-1);
      else {
        const b = type.binaryOut(value, ctx);
        w.int32(b.length).bytes(b);
      }
    }
    return w.finish();
  },
};
