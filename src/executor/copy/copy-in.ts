/**
 * COPY FROM parsers: turn the CopyData byte stream into rows of fields, in PostgreSQL's
 * text, csv and binary formats. Text and csv fields come out as strings (null for NULL)
 * for the column types' textIn — or, in text format, as FieldBytes for columns whose types
 * parse bytes (textInBytes: vectors, no string of a kilobyte per value); binary fields as
 * bytes for binaryIn. Pure; the session feeds chunks as they arrive, so a large COPY never
 * sits in memory whole.
 * @see https://www.postgresql.org/docs/15/sql-copy.html#id-1.9.3.55.9
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { DbError, SqlState } from '../../errors/index.ts';
import type { CopyOptions } from './copy-options.ts';

/** A text-format field as bytes b[start..end): valid UTF-8, no escapes, not NULL (for a type's textInBytes). */
export class FieldBytes {
  constructor(
    readonly b: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  /** The field as text (for error messages). */
  text(): string {
    return this.b.toString('utf8', this.start, this.end);
  }
}

export type CopyField = string | Uint8Array | FieldBytes | null;

export interface CopyParser {
  /** Parses what it can of a chunk; returns complete rows. */
  push(chunk: Buffer): CopyField[][];
  /** End of data: returns the last rows or throws on a truncated row. */
  finish(): CopyField[][];
  /** 1-based line (text/csv) or row (binary) number of the last row returned, for error context. */
  readonly line: number;
  /** The line number of each row the last push() or finish() returned. */
  readonly rowLines: readonly number[];
}

const badFormat = (message: string): DbError => new DbError(SqlState.BadCopyFileFormat, message);

/** UTF-8 chunks to text (a character may be split between chunks; invalid UTF-8 throws). */
class ChunkDecoder {
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  /** Set at the first chunk that is not plain ASCII: from then on the streaming decoder (it may hold part of a character). */
  private streaming = false;

  decode(chunk: Buffer): string {
    // ASCII (the common case) is its own UTF-8 decoding, and latin1 decodes it as a plain copy.
    if (!this.streaming && isAscii(chunk)) return chunk.toString('latin1');
    this.streaming = true;
    this.tail = Buffer.concat([this.tail, chunk.subarray(-4)]).subarray(-4);
    try {
      return this.utf8.decode(chunk, { stream: true });
    } catch {
      throw invalidUtf8(chunk);
    }
  }

  end(): string {
    try {
      return this.utf8.decode();
    } catch {
      // A character cut off by the end of the data: PostgreSQL names the bytes it got.
      let lead = this.tail.length - 1;
      while (lead > 0 && (this.tail[lead]! & 0xc0) === 0x80) lead--;
      throw invalidUtf8(this.tail.subarray(lead));
    }
  }

  /** The last bytes of the data (for the error of a character cut off at the end). */
  private tail = Buffer.alloc(0);
}

/** Bytes of the character led by `c`, as PostgreSQL's pg_utf_mblen counts them. */
const mblen = (c: number): number => ((c & 0x80) === 0 ? 1 : (c & 0xe0) === 0xc0 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 ? 4 : 1);

/** Whether b[i..] starts with a well-formed UTF-8 character (pg_utf8_islegal: no overlongs, surrogates or > U+10FFFF). */
function legalAt(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n === 0 || i + n > b.length) return 0;
  const c1 = b[i + 1]!;
  const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
  const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
  if (c1 < lo || c1 > hi) return 0;
  for (let k = 2; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return 0;
  return n;
}

/** PostgreSQL's 22021 for the first invalid UTF-8 sequence in `b` (report_invalid_encoding's bytes). */
function invalidUtf8(b: Uint8Array): DbError {
  let i = 0;
  for (let n = 0; i < b.length && (n = legalAt(b, i)) > 0; ) i += n;
  const bytes = Array.from(b.subarray(i, Math.min(b.length, i + mblen(b[i] ?? 0))), (x) => '0x' + x.toString(16).padStart(2, '0'));
  return new DbError(SqlState.CharacterNotInRepertoire, `invalid byte sequence for encoding "UTF8": ${bytes.join(' ')}`);
}

/**
 * Text format: tab-separated (or the delimiter), backslash escapes, \N for NULL, optional \.
 * terminator. Works on bytes: complete lines are checked for UTF-8 once per chunk; a line
 * without a backslash is split at the delimiter byte, its fields decoded (or handed over as
 * FieldBytes for `byteColumns`); a line with escapes is decoded whole and unescaped.
 */
class TextParser implements CopyParser {
  /** The unfinished last line so far, in the pieces it arrived in. */
  private rest: Buffer[] = [];
  private restBytes = 0;
  line = 0;
  rowLines: number[] = [];
  private done = false;
  private headerPending: boolean;
  private readonly delimiter: number;
  /** The NULL string when it can occur on a line without escapes (it has no backslash), else null; and its bytes. */
  private readonly plainNull: string | null;
  private readonly plainNullBytes: Buffer | null;

  constructor(
    private readonly o: CopyOptions,
    /** Columns (by position) whose fields go over as FieldBytes when the line has no escapes. */
    private readonly byteColumns: readonly boolean[],
  ) {
    this.headerPending = o.header;
    this.delimiter = o.delimiter.charCodeAt(0);
    this.plainNull = o.nullString.includes('\\') ? null : o.nullString;
    this.plainNullBytes = this.plainNull === null ? null : Buffer.from(this.plainNull, 'utf8');
  }

  /**
   * The rows of the lines `chunk` completes. Only a line that straddles chunks is copied (its
   * pieces joined); the others are read where they are.
   */
  push(chunk: Buffer): CopyField[][] {
    const last = chunk.lastIndexOf(10);
    if (last < 0) {
      this.keep(chunk);
      this.rowLines = [];
      return [];
    }
    let from = 0;
    let head: CopyField[][] = [];
    let headLines: number[] = [];
    if (this.restBytes > 0) {
      from = chunk.indexOf(10) + 1;
      this.keep(chunk.subarray(0, from));
      head = this.lines(this.takeRest());
      headLines = this.rowLines;
    }
    const rows = this.lines(chunk.subarray(from, last + 1));
    this.keep(chunk.subarray(last + 1));
    if (head.length === 0) return rows;
    this.rowLines = headLines.concat(this.rowLines);
    return head.concat(rows);
  }

  finish(): CopyField[][] {
    return this.lines(this.takeRest());
  }

  private keep(piece: Buffer): void {
    if (piece.length === 0) return;
    this.rest.push(piece);
    this.restBytes += piece.length;
  }

  /** The kept pieces as one buffer; none are kept afterwards. */
  private takeRest(): Buffer {
    const b = this.rest.length === 1 ? this.rest[0]! : Buffer.concat(this.rest, this.restBytes);
    this.rest = [];
    this.restBytes = 0;
    return b;
  }

  /** Rows of the lines in `b` (each ending in a newline, but the last line of the data may not). */
  private lines(b: Buffer): CopyField[][] {
    this.rowLines = [];
    const ascii = isAscii(b);
    if (!ascii && !isUtf8(b)) this.throwInvalidUtf8(b);
    const rows: CopyField[][] = [];
    for (let start = 0; start < b.length && !this.done; ) {
      let nl = b.indexOf(10, start);
      if (nl < 0) nl = b.length;
      const end = nl > start && b[nl - 1] === 13 ? nl - 1 : nl;
      this.take(b.subarray(start, end), ascii, rows);
      start = nl + 1;
    }
    return rows;
  }

  /** PostgreSQL's 22021 for the first line of `b` that is not valid UTF-8, counted as its line. */
  private throwInvalidUtf8(b: Buffer): never {
    for (let start = 0; ; this.line++) {
      let nl = b.indexOf(10, start);
      if (nl < 0) nl = b.length;
      const line = b.subarray(start, nl);
      if (!isUtf8(line)) {
        this.line++;
        throw invalidUtf8(line);
      }
      start = nl + 1;
    }
  }

  private take(line: Buffer, ascii: boolean, rows: CopyField[][]): void {
    this.line++;
    if (this.headerPending) {
      this.headerPending = false;
      return;
    }
    if (line.length === 2 && line[0] === 92 && line[1] === 46) {
      // '\.'
      this.done = true;
      return;
    }
    rows.push(line.indexOf(92) < 0 ? this.plainFields(line, ascii) : this.fields(line.toString(ascii ? 'latin1' : 'utf8')));
    this.rowLines.push(this.line);
  }

  /** Whether line[start..end) is the NULL string (compared as UTF-8 bytes). */
  private isPlainNull(line: Buffer, start: number, end: number): boolean {
    const n = this.plainNullBytes;
    return n !== null && end - start === n.length && line.compare(n, 0, n.length, start, end) === 0;
  }

  /** The fields of a line without escapes: the pieces between delimiters. */
  private plainFields(line: Buffer, ascii: boolean): CopyField[] {
    const out: CopyField[] = [];
    const encoding = ascii ? 'latin1' : 'utf8';
    for (let start = 0, col = 0; ; col++) {
      let end = line.indexOf(this.delimiter, start);
      if (end < 0) end = line.length;
      if (this.byteColumns[col] === true && !this.isPlainNull(line, start, end)) {
        out.push(new FieldBytes(line, start, end));
      } else {
        const text = line.toString(encoding, start, end);
        out.push(text === this.plainNull ? null : text);
      }
      if (end === line.length) return out;
      start = end + 1;
    }
  }

  private fields(text: string): CopyField[] {
    const delim = this.o.delimiter;
    const nullStr = this.o.nullString;
    if (!text.includes('\\')) {
      // No escapes on the line (the common case): fields are the plain pieces.
      const parts: CopyField[] = text.split(delim);
      for (let i = 0; i < parts.length; i++) if (parts[i] === nullStr) parts[i] = null;
      return parts;
    }
    const out: CopyField[] = [];
    let raw = '';
    let value = '';
    let escaped = false;
    const end = (): void => {
      out.push(!escaped && raw === nullStr ? null : value);
      raw = '';
      value = '';
      escaped = false;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === delim) {
        end();
        continue;
      }
      if (c !== '\\' || i + 1 >= text.length) {
        raw += c;
        value += c;
        continue;
      }
      const n = text[++i]!;
      raw += c + n;
      if (raw === nullStr) {
        value += c + n;
        continue;
      }
      escaped = true;
      switch (n) {
        case 'b': value += '\b'; break;
        case 'f': value += '\f'; break;
        case 'n': value += '\n'; break;
        case 'r': value += '\r'; break;
        case 't': value += '\t'; break;
        case 'v': value += '\v'; break;
        case 'x': {
          const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 1));
          if (m) {
            value += String.fromCharCode(parseInt(m[0], 16));
            i += m[0].length;
          } else value += 'x';
          break;
        }
        default:
          if (n >= '0' && n <= '7') {
            const m = /^[0-7]{1,3}/.exec(text.slice(i))!;
            value += String.fromCharCode(parseInt(m[0], 8) & 0xff);
            i += m[0].length - 1;
          } else value += n;
      }
    }
    end();
    return out;
  }

}

/** CSV format: quoted fields may span lines; an unquoted empty field is NULL (the default null string ''). */
class CsvParser implements CopyParser {
  private rest = '';
  private decoder = new ChunkDecoder();
  line = 0;
  rowLines: number[] = [];
  private headerPending: boolean;
  private done = false;

  constructor(private readonly o: CopyOptions) {
    this.headerPending = o.header;
  }

  /** Characters appended since the last drain, and the unfinished record's length then. */
  private added = 0;
  private restAtDrain = 0;

  push(chunk: Buffer): CopyField[][] {
    const text = this.decoder.decode(chunk);
    this.rest += text;
    this.added += text.length;
    // A record longer than what has arrived since it was last scanned is scanned again only
    // once as much more has come: a huge quoted field costs linear time, not quadratic.
    if (this.added < this.restAtDrain) {
      this.rowLines = [];
      return [];
    }
    return this.drain(false);
  }

  finish(): CopyField[][] {
    this.rest += this.decoder.end();
    return this.drain(true);
  }

  /** Parses whole records from `rest`; a record ends at a newline outside quotes. */
  private drain(final: boolean): CopyField[][] {
    const { delimiter: d, quote: q, escape: e, nullString } = this.o;
    const rows: CopyField[][] = [];
    this.rowLines = [];
    const s = this.rest;
    let pos = 0;
    while (pos < s.length && !this.done) {
      const fields: CopyField[] = [];
      let i = pos;
      let value = '';
      let quoted = false;
      let inQuotes = false;
      let lines = 1;
      let complete = false;
      for (; i < s.length; i++) {
        const c = s[i]!;
        if (inQuotes) {
          if (c === e && e !== q && s[i + 1] === q) {
            value += q;
            i++;
          } else if (c === q) {
            if (e === q && s[i + 1] === q) {
              value += q;
              i++;
            } else inQuotes = false;
          } else {
            if (c === '\n') lines++;
            value += c;
          }
          continue;
        }
        if (c === q) {
          inQuotes = true;
          quoted = true;
        } else if (c === d) {
          fields.push(!quoted && value === nullString ? null : value);
          value = '';
          quoted = false;
        } else if (c === '\n' || c === '\r') {
          fields.push(!quoted && value === nullString ? null : value);
          i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
          complete = true;
          break;
        } else value += c;
      }
      if (!complete) {
        if (!final) break;
        if (inQuotes) throw badFormat('unterminated CSV quoted field');
        if (i === pos) break;
        fields.push(!quoted && value === nullString ? null : value);
        i = s.length;
      }
      const lineStart = this.line + 1;
      this.line += lines;
      pos = i;
      if (this.headerPending) {
        this.headerPending = false;
        continue;
      }
      if (fields.length === 1 && fields[0] === '\\.' && lineStart > 0) {
        this.done = true;
        break;
      }
      rows.push(fields);
      this.rowLines.push(this.line);
    }
    this.rest = s.slice(pos);
    this.added = 0;
    this.restAtDrain = this.rest.length;
    return rows;
  }
}

const BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Binary format: signature, flags, header extension, then tuples of (int16 count, (int32 len, bytes)*), trailer -1. */
class BinaryParser implements CopyParser {
  private buf: Buffer = Buffer.alloc(0);
  private headerDone = false;
  private ended = false;
  line = 0;
  rowLines: number[] = [];

  /** Chunks received after `buf` held an unfinished row, not yet joined to it. */
  private parts: Buffer[] = [];
  private partsBytes = 0;

  push(chunk: Buffer): CopyField[][] {
    this.parts.push(chunk);
    this.partsBytes += chunk.length;
    // An unfinished row longer than what has arrived after it is joined only once as much more
    // has come: each byte is copied a bounded number of times, however large the row.
    if (this.partsBytes < this.buf.length) {
      this.rowLines = [];
      return [];
    }
    return this.drain();
  }

  /** `buf` with the parts after it (a chunk alone is used as it is). */
  private join(): void {
    if (this.parts.length === 0) return;
    this.buf = this.buf.length === 0 && this.parts.length === 1 ? this.parts[0]! : Buffer.concat([this.buf, ...this.parts]);
    this.parts = [];
    this.partsBytes = 0;
  }

  private drain(): CopyField[][] {
    this.join();
    const rows: CopyField[][] = [];
    this.rowLines = [];
    const b = this.buf;
    let p = 0;
    if (!this.headerDone) {
      if (b.length < 19) return rows;
      if (!b.subarray(0, 11).equals(BINARY_SIGNATURE)) throw badFormat('COPY file signature not recognized');
      const flags = b.readInt32BE(11);
      if (flags & 0x10000) throw badFormat('invalid COPY file header (WITH OIDS)');
      const ext = b.readInt32BE(15);
      if (b.length < 19 + ext) return rows;
      p = 19 + ext;
      this.headerDone = true;
    }
    while (!this.ended && b.length - p >= 2) {
      const n = b.readInt16BE(p);
      if (n === -1) {
        this.ended = true;
        p += 2;
        break;
      }
      let q = p + 2;
      const fields: CopyField[] = [];
      let complete = true;
      for (let f = 0; f < n; f++) {
        if (b.length - q < 4) {
          complete = false;
          break;
        }
        const len = b.readInt32BE(q);
        q += 4;
        if (len === -1) {
          fields.push(null);
          continue;
        }
        if (len < 0) throw badFormat('invalid field size');
        if (b.length - q < len) {
          complete = false;
          break;
        }
        // A view, not a copy: binaryIn functions copy what they keep (bytea does), so no value pins the chunk.
        fields.push(new Uint8Array(b.buffer, b.byteOffset + q, len));
        q += len;
      }
      if (!complete) break;
      this.line++;
      rows.push(fields);
      this.rowLines.push(this.line);
      p = q;
    }
    this.buf = b.subarray(p);
    return rows;
  }

  finish(): CopyField[][] {
    const rows = this.drain();
    if (!this.headerDone || (this.buf.length > 0 && !this.ended)) throw badFormat('unexpected EOF in COPY data');
    return rows;
  }
}

/** A parser for the format; `byteColumns`: text-format columns whose fields may go over as FieldBytes. */
export function copyParser(o: CopyOptions, byteColumns: readonly boolean[] = []): CopyParser {
  switch (o.format) {
    case 'text':
      return new TextParser(o, byteColumns);
    case 'csv':
      return new CsvParser(o);
    case 'binary':
      return new BinaryParser();
  }
}

export { BINARY_SIGNATURE };
