/**
 * COPY TO formatters: rows of already-formatted fields (strings from textOut for text/csv,
 * bytes from binaryOut for binary) into the bytes of PostgreSQL's COPY formats.
 */
import { BINARY_SIGNATURE } from './copy-in.ts';
import type { CopyOptions } from './copy-options.ts';

export interface CopyFormatter {
  /** Bytes to send before the first row (binary header, csv/text header line). */
  header(columnNames: readonly string[]): Buffer | null;
  row(fields: readonly (string | Uint8Array | null)[]): Buffer;
  /** Bytes to send after the last row (binary trailer). */
  trailer(): Buffer | null;
}

const TEXT_ESCAPES: Record<string, string> = { '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

function textField(s: string, delimiter: string): string {
  let out = '';
  for (const c of s) {
    const e = TEXT_ESCAPES[c];
    if (e) out += e;
    else if (c === delimiter) out += `\\${c}`;
    else out += c;
  }
  return out;
}

function csvField(s: string, o: CopyOptions, forceQuote: boolean): string {
  const needs = forceQuote || s === '' || s === o.nullString || s.includes(o.delimiter) || s.includes(o.quote) || /[\r\n]/.test(s) ||
    (s.startsWith('\\.') && s.length === 2);
  if (!needs) return s;
  let out = o.quote;
  for (const c of s) {
    if (c === o.quote || c === o.escape) out += o.escape;
    out += c;
  }
  return out + o.quote;
}

export function copyFormatter(o: CopyOptions): CopyFormatter {
  switch (o.format) {
    case 'text':
      return {
        header: (names) => (o.header ? Buffer.from(names.map((n) => textField(n, o.delimiter)).join(o.delimiter) + '\n') : null),
        row: (fields) => Buffer.from(fields.map((f) => (f === null ? o.nullString : textField(f as string, o.delimiter))).join(o.delimiter) + '\n'),
        trailer: () => null,
      };
    case 'csv':
      return {
        header: (names) => (o.header ? Buffer.from(names.map((n) => csvField(n, o, false)).join(o.delimiter) + '\n') : null),
        row: (fields) => Buffer.from(fields.map((f) => (f === null ? o.nullString : csvField(f as string, o, false))).join(o.delimiter) + '\n'),
        trailer: () => null,
      };
    case 'binary':
      return {
        header: () => Buffer.concat([BINARY_SIGNATURE, Buffer.alloc(8)]),
        row: (fields) => {
          let size = 2;
          for (const f of fields) size += 4 + (f === null ? 0 : (f as Uint8Array).length);
          const b = Buffer.allocUnsafe(size);
          b.writeInt16BE(fields.length, 0);
          let p = 2;
          for (const f of fields) {
            if (f === null) {
              b.writeInt32BE(-1, p);
              p += 4;
            } else {
              const bytes = f as Uint8Array;
              b.writeInt32BE(bytes.length, p);
              b.set(bytes, p + 4);
              p += 4 + bytes.length;
            }
          }
          return b;
        },
        trailer: () => Buffer.from([0xff, 0xff]),
      };
  }
}
