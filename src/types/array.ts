/**
 * types/: PostgreSQL arrays: the `PgArray` value (dims, lower bounds, row-major items) and
 * array_in / array_out / array_recv / array_send over any element type, with PostgreSQL's
 * quoting, NULL handling, `[lo:hi]=` decoration and error details.
 */
import { DbError, SqlState } from '../errors/index.ts';
import type { FormatContext, PgType } from './pg-type.ts';
import { BinaryReader, BinaryWriter } from './wire.ts';

/** Maximum number of array dimensions (MAXDIM). */
export const MAXDIM = 6;
/** 2202E array_subscript_error (belongs in errors/sqlstate.ts). */
export const ARRAY_SUBSCRIPT_ERROR = SqlState.ArraySubscriptError;

/**
 * An array value. `items` are in row-major order; an empty array has no dimensions.
 * NULL elements are `null`.
 */
export class PgArray<T = unknown> {
  readonly dims: readonly number[];
  readonly lbounds: readonly number[];

  constructor(
    readonly items: readonly (T | null)[],
    dims?: readonly number[],
    lbounds?: readonly number[],
  ) {
    if (items.length === 0) {
      this.dims = [];
      this.lbounds = [];
    } else {
      this.dims = dims ?? [items.length];
      this.lbounds = lbounds ?? this.dims.map(() => 1);
      const n = this.dims.reduce((a, b) => a * b, 1);
      if (n !== items.length) throw new RangeError(`array dims ${this.dims.join('x')} do not match ${items.length} items`);
    }
  }

  get ndim(): number {
    return this.dims.length;
  }

  /** A one-dimensional array with lower bound 1. */
  static of<T>(items: readonly (T | null)[]): PgArray<T> {
    return new PgArray(items);
  }
}

const isArraySpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

function malformed(str: string, detail: string): DbError {
  return new DbError(SqlState.InvalidTextRepresentation, `malformed array literal: "${str}"`, { detail });
}

type ParseState = 'none' | 'levelStarted' | 'elemStarted' | 'quotedStarted' | 'quotedCompleted' | 'elemDelimited' | 'levelCompleted' | 'levelDelimited';

/** ArrayCount: validates the brace structure and returns the dimensions ([] for an empty array). */
function arrayCount(str: string, delim: string): number[] {
  let nest = 0;
  let ndim = 1;
  const temp = new Array<number>(MAXDIM).fill(0);
  const nelems = new Array<number>(MAXDIM).fill(1);
  const nelemsLast = new Array<number>(MAXDIM).fill(0);
  let inQuotes = false;
  let eoArray = false;
  let empty = true;
  let state: ParseState = 'none';
  let p = 0;
  while (!eoArray) {
    let itemdone = false;
    while (!itemdone) {
      if (state === 'elemStarted' || state === 'quotedStarted') empty = false;
      const c = str[p];
      if (c === undefined) throw malformed(str, 'Unexpected end of input.');
      if (c === '\\') {
        if (state !== 'levelStarted' && state !== 'elemStarted' && state !== 'quotedStarted' && state !== 'elemDelimited') {
          throw malformed(str, 'Unexpected "\\" character.');
        }
        if (state !== 'quotedStarted') state = 'elemStarted';
        if (str[p + 1] !== undefined) p++;
        else throw malformed(str, 'Unexpected end of input.');
      } else if (c === '"') {
        if (state !== 'levelStarted' && state !== 'quotedStarted' && state !== 'elemDelimited') throw malformed(str, 'Unexpected array element.');
        inQuotes = !inQuotes;
        state = inQuotes ? 'quotedStarted' : 'quotedCompleted';
      } else if (c === '{' && !inQuotes) {
        if (state !== 'none' && state !== 'levelStarted' && state !== 'levelDelimited') throw malformed(str, 'Unexpected "{" character.');
        state = 'levelStarted';
        if (nest >= MAXDIM) {
          throw new DbError(SqlState.ProgramLimitExceeded, `number of array dimensions (${nest + 1}) exceeds the maximum allowed (${MAXDIM})`);
        }
        temp[nest] = 0;
        nest++;
        if (ndim < nest) ndim = nest;
      } else if (c === '}' && !inQuotes) {
        if (state !== 'elemStarted' && state !== 'quotedCompleted' && state !== 'levelCompleted' && !(nest === 1 && state === 'levelStarted')) {
          throw malformed(str, 'Unexpected "}" character.');
        }
        state = 'levelCompleted';
        if (nest === 0) throw malformed(str, 'Unmatched "}" character.');
        nest--;
        if (nelemsLast[nest] !== 0 && nelems[nest] !== nelemsLast[nest]) {
          throw malformed(str, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
        }
        nelemsLast[nest] = nelems[nest]!;
        nelems[nest] = 1;
        if (nest === 0) eoArray = itemdone = true;
        else temp[nest - 1]!++;
      } else if (!inQuotes) {
        if (c === delim) {
          if (state !== 'elemStarted' && state !== 'quotedCompleted' && state !== 'levelCompleted') {
            throw malformed(str, `Unexpected "${delim}" character.`);
          }
          state = state === 'levelCompleted' ? 'levelDelimited' : 'elemDelimited';
          itemdone = true;
          nelems[nest - 1]!++;
        } else if (!isArraySpace(c)) {
          if (state !== 'levelStarted' && state !== 'elemStarted' && state !== 'elemDelimited') throw malformed(str, 'Unexpected array element.');
          state = 'elemStarted';
        }
      }
      if (!itemdone) p++;
    }
    temp[ndim - 1]!++;
    p++;
  }
  while (p < str.length) {
    if (!isArraySpace(str[p++])) throw malformed(str, 'Junk after closing right brace.');
  }
  if (empty) return [];
  return temp.slice(0, ndim);
}

/** ReadArrayStr: the element strings in order, de-quoted; `null` for unquoted NULL. */
function readArrayItems(str: string, delim: string): (string | null)[] {
  const out: (string | null)[] = [];
  let inQuotes = false;
  let p = 0;
  let buf = '';
  let end = 0;
  let leading = true;
  let quoted = false;
  let started = false;
  const flush = (): void => {
    if (!started) return;
    const item = buf.slice(0, end);
    out.push(!quoted && item.toLowerCase() === 'null' ? null : item);
    buf = '';
    end = 0;
    leading = true;
    quoted = false;
    started = false;
  };
  while (p < str.length) {
    const c = str[p]!;
    if (c === '\\') {
      buf += str[p + 1] ?? '';
      p += 2;
      leading = false;
      end = buf.length;
      quoted = true;
      started = true;
    } else if (c === '"') {
      inQuotes = !inQuotes;
      if (inQuotes) leading = false;
      else end = buf.length;
      quoted = true;
      started = true;
      p++;
    } else if (inQuotes) {
      buf += c;
      p++;
    } else if (c === '{') {
      p++;
    } else if (c === '}' || c === delim) {
      flush();
      p++;
    } else if (isArraySpace(c)) {
      if (!leading) buf += c;
      p++;
    } else {
      buf += c;
      leading = false;
      end = buf.length;
      started = true;
      p++;
    }
  }
  return out;
}

/** Parses a decimal prefix like atoi. */
function atoi(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m ? Number(BigInt.asIntN(32, BigInt(m[0].trim()))) : 0;
}

/** array_in: text form of an array of `elem` (typmod applies to each element). */
export function arrayTextIn<T>(text: string, elem: PgType<T>, typmod: number, ctx: FormatContext, delim = ','): PgArray<T> {
  let p = 0;
  const dims: number[] = [];
  const lbounds: number[] = [];
  for (;;) {
    while (isArraySpace(text[p])) p++;
    if (text[p] !== '[') break;
    p++;
    if (dims.length >= MAXDIM) {
      throw new DbError(SqlState.ProgramLimitExceeded, `number of array dimensions (${dims.length + 1}) exceeds the maximum allowed (${MAXDIM})`);
    }
    let q = p;
    while (/[0-9+-]/.test(text[q] ?? '')) q++;
    if (q === p) throw malformed(text, '"[" must introduce explicitly-specified array dimensions.');
    let lb = 1;
    if (text[q] === ':') {
      lb = atoi(text.slice(p, q));
      p = q + 1;
      q = p;
      while (/[0-9+-]/.test(text[q] ?? '')) q++;
      if (q === p) throw malformed(text, 'Missing array dimension value.');
    }
    if (text[q] !== ']') throw malformed(text, 'Missing "]" after array dimensions.');
    const ub = atoi(text.slice(p, q));
    p = q + 1;
    if (ub < lb) throw new DbError(ARRAY_SUBSCRIPT_ERROR, 'upper bound cannot be less than lower bound');
    dims.push(ub - lb + 1);
    lbounds.push(lb);
  }
  let body: string;
  let braceDims: number[];
  if (dims.length === 0) {
    if (text[p] !== '{') throw malformed(text, 'Array value must start with "{" or dimension information.');
    body = text.slice(p);
    braceDims = arrayCount(body, delim);
    dims.push(...braceDims);
    lbounds.push(...braceDims.map(() => 1));
  } else {
    if (text[p] !== '=') throw malformed(text, 'Missing "=" after array dimensions.');
    p++;
    while (isArraySpace(text[p])) p++;
    if (text[p] !== '{') throw malformed(text, 'Array contents must start with "{".');
    body = text.slice(p);
    braceDims = arrayCount(body, delim);
    if (braceDims.length !== dims.length || braceDims.some((d, i) => d !== dims[i])) {
      throw malformed(text, 'Specified array dimensions do not match array contents.');
    }
    for (let i = 0; i < dims.length; i++) {
      if (dims[i]! + lbounds[i]! > 2147483647) throw new DbError(SqlState.ProgramLimitExceeded, `array lower bound is too large: ${lbounds[i]}`);
    }
  }
  if (braceDims.length === 0) return new PgArray<T>([]);
  const raw = readArrayItems(body, delim);
  const items = raw.map((s) => (s === null ? null : elem.textIn(s, typmod, ctx)));
  return new PgArray(items, dims, lbounds);
}

/** Quotes one element for array_out when needed. */
export function quoteArrayElement(s: string, delim = ','): string {
  let needQuote = s.length === 0 || s.toLowerCase() === 'null';
  let out = '';
  for (const ch of s) {
    if (ch === '"' || ch === '\\') {
      needQuote = true;
      out += '\\' + ch;
    } else {
      if (ch === '{' || ch === '}' || ch === delim || isArraySpace(ch)) needQuote = true;
      out += ch;
    }
  }
  return needQuote ? `"${out}"` : out;
}

/** array_out. */
export function arrayTextOut<T>(value: PgArray<T>, elem: PgType<T>, ctx: FormatContext, delim = ','): string {
  const { dims, lbounds, items } = value;
  if (dims.length === 0) return '{}';
  let prefix = '';
  if (lbounds.some((lb) => lb !== 1)) {
    prefix = dims.map((d, i) => `[${lbounds[i]}:${lbounds[i]! + d - 1}]`).join('') + '=';
  }
  let k = 0;
  const level = (depth: number): string => {
    const parts: string[] = [];
    for (let i = 0; i < dims[depth]!; i++) {
      if (depth === dims.length - 1) {
        const item = items[k++];
        parts.push(item === null || item === undefined ? 'NULL' : quoteArrayElement(elem.textOut(item, ctx), delim));
      } else parts.push(level(depth + 1));
    }
    return `{${parts.join(delim)}}`;
  };
  return prefix + level(0);
}

/** array_send: ndim, has-null flag, element OID, (dim, lbound)…, then length-prefixed elements. */
export function arrayBinaryOut<T>(value: PgArray<T>, elem: PgType<T>, ctx: FormatContext): Uint8Array {
  const w = new BinaryWriter();
  const hasNull = value.items.some((x) => x === null);
  w.int32(value.dims.length).int32(hasNull ? 1 : 0).uint32(elem.oid);
  for (let i = 0; i < value.dims.length; i++) w.int32(value.dims[i]!).int32(value.lbounds[i]!);
  for (const item of value.items) {
    if (item === null) w.int32(-1);
    else {
      const bytes = elem.binaryOut(item, ctx);
      w.int32(bytes.length).bytes(bytes);
    }
  }
  return w.finish();
}

/**
 * array_recv: validates the header like PostgreSQL and decodes each element with its recv.
 * `typeName` names OIDs for the element-type mismatch error (format_type; "???" if unknown).
 */
export function arrayBinaryIn<T>(
  buf: Uint8Array,
  elem: PgType<T>,
  typmod: number,
  ctx: FormatContext,
  typeName: (oid: number) => string | undefined = () => undefined,
): PgArray<T> {
  const r = new BinaryReader(buf);
  const ndim = r.int32();
  if (ndim < 0) throw new DbError(SqlState.InvalidBinaryRepresentation, `invalid number of dimensions: ${ndim}`);
  if (ndim > MAXDIM) throw new DbError(SqlState.ProgramLimitExceeded, `number of array dimensions (${ndim}) exceeds the maximum allowed (${MAXDIM})`);
  const flags = r.int32();
  if (flags !== 0 && flags !== 1) throw new DbError(SqlState.InvalidBinaryRepresentation, 'invalid array flags');
  const elemOid = r.uint32();
  if (elemOid !== elem.oid) {
    throw new DbError(
      SqlState.DatatypeMismatch,
      `binary data has array element type ${elemOid} (${typeName(elemOid) ?? '???'}) instead of expected ${elem.oid} (${elem.displayName})`,
    );
  }
  const dims: number[] = [];
  const lbounds: number[] = [];
  for (let i = 0; i < ndim; i++) {
    dims.push(r.int32());
    lbounds.push(r.int32());
  }
  let nitems = ndim === 0 ? 0 : 1;
  for (let i = 0; i < ndim; i++) {
    if (dims[i]! < 0 || nitems * dims[i]! > 134217727) {
      throw new DbError(SqlState.ProgramLimitExceeded, 'array size exceeds the maximum allowed (134217727)');
    }
    nitems *= dims[i]!;
  }
  for (let i = 0; i < ndim; i++) {
    if (dims[i]! + lbounds[i]! > 2147483647) throw new DbError(SqlState.ProgramLimitExceeded, `array lower bound is too large: ${lbounds[i]}`);
  }
  if (nitems === 0) {
    r.end();
    return new PgArray<T>([]);
  }
  const items: (T | null)[] = [];
  for (let i = 0; i < nitems; i++) {
    const len = r.int32();
    if (len < -1 || len > r.remaining) throw new DbError(SqlState.InvalidBinaryRepresentation, 'insufficient data left in message');
    if (len === -1) {
      items.push(null);
      continue;
    }
    const bytes = r.bytes(len);
    try {
      items.push(elem.binaryIn(bytes, typmod, ctx));
    } catch (e) {
      if (e instanceof DbError && e.code === SqlState.InvalidBinaryRepresentation && e.message === 'incorrect binary data format') {
        throw new DbError(SqlState.InvalidBinaryRepresentation, `improper binary format in array element ${i + 1}`);
      }
      throw e;
    }
  }
  r.end();
  return new PgArray(items, dims, lbounds);
}
