/**
 * COPY FROM parsers fed the byte stream in pieces, as the framer hands out a CopyData message
 * read by read: rows whose fields span many pieces (a 3 MB field in 1–70 KB pieces) come out
 * equal to the values written, in text, csv and binary format; so do many small rows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyParser, FieldBytes, resolveCopyOptions, type CopyField } from '../../src/executor/copy/index.ts';
import { mulberry32 } from '../support/prng.ts';

type Format = 'text' | 'csv' | 'binary';

function options(format: Format) {
  return resolveCopyOptions({ format, delimiter: null, null: null, header: false, quote: null, escape: null }, 'from');
}

/** The stream for rows of (int, text) in `format` (the texts hold no tab, newline or backslash). */
function encode(format: Format, rows: [number, string][]): Buffer {
  if (format === 'text') return Buffer.from(rows.map(([a, b]) => `${a}\t${b}\n`).join(''));
  if (format === 'csv') return Buffer.from(rows.map(([a, b]) => `${a},"${b.replaceAll('"', '""')}"\n`).join(''));
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (const [a, b] of rows) {
    const head = Buffer.alloc(2 + 4 + 4 + 4);
    head.writeInt16BE(2, 0);
    head.writeInt32BE(4, 2);
    head.writeInt32BE(a, 6);
    const text = Buffer.from(b);
    head.writeInt32BE(text.length, 10);
    parts.push(head, text);
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  parts.push(trailer);
  return Buffer.concat(parts);
}

function fieldText(f: CopyField): string | null {
  if (f === null || typeof f === 'string') return f;
  if (f instanceof FieldBytes) return f.text();
  return Buffer.from(f).toString('utf8');
}

/** Parses `stream` fed in random pieces of 1 .. maxPiece bytes; the rows as [a, b] texts. */
function parse(format: Format, stream: Buffer, maxPiece: number, seed: number): [string | null, string | null][] {
  const rnd = mulberry32(seed);
  const p = copyParser(options(format), [false, true]);
  const out: [string | null, string | null][] = [];
  const take = (rows: CopyField[][]): void => {
    for (const r of rows) {
      const a = format === 'binary' ? String(Buffer.from(r[0] as Uint8Array).readInt32BE(0)) : fieldText(r[0]!);
      out.push([a, fieldText(r[1]!)]);
    }
  };
  for (let at = 0; at < stream.length; ) {
    const n = 1 + Math.floor(rnd() * maxPiece);
    take(p.push(Buffer.from(stream.subarray(at, at + n))));
    at += n;
  }
  take(p.finish());
  return out;
}

for (const format of ['text', 'csv', 'binary'] as const) {
  test(`${format}: a 3 MB field in 1–70 KB pieces, and 5,000 small rows in small pieces, come out as written`, () => {
    const rnd = mulberry32(0xc0c0a);
    const big = Array.from({ length: 3_000_000 }, (_, i) => String.fromCharCode(97 + ((i * 31 + (i >> 7)) % 26))).join('');
    const rows: [number, string][] = [[1, 'before'], [2, big], [3, `é€ after ${format === 'csv' ? '"quoted"' : ''}`]];
    const got = parse(format, encode(format, rows), 70_000, 1);
    assert.equal(got.length, rows.length);
    got.forEach(([a, b], i) => {
      assert.equal(a, String(rows[i]![0]));
      assert.equal(b, rows[i]![1], `row ${i + 1}`);
    });
    const small: [number, string][] = Array.from({ length: 5_000 }, (_, i) => [i, `r${i} ${'é'.repeat(Math.floor(rnd() * 5))}${'z'.repeat(Math.floor(rnd() * 300))}`]);
    assert.deepEqual(parse(format, encode(format, small), 700, 2), small.map(([a, b]) => [String(a), b]));
  });
}
