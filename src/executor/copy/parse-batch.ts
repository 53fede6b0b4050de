/**
 * executor/copy/: ParseBatch — a batch of COPY rows whose vector fields wait to be parsed
 * (by a parse worker, vector-parse-pool.ts, or on the event loop), with the bytes of those
 * fields located in the parser's chunks.
 */
import type { Row } from '../value.ts';
import type { FieldBytes } from './copy-in.ts';
import type { ParsedVectors } from './vector-parse-pool.ts';
import { literalArea, vectorsInArea } from '../../types/index.ts';

/**
 * Rows whose vector fields are parsed later, off the event loop. A field stands as null in
 * its row until the COPY fills it in (CopyIn.fill in session/copy.ts). Fields are not copied
 * one by one: the batch keeps the parser's chunks and the span of each that its fields
 * cover, and gather() copies each span once.
 */
export class ParseBatch {
  readonly rows: Row[] = [];
  readonly lines: number[] = [];
  /** Field k belongs to rows[fieldRow[k]], column fieldCol[k]. */
  readonly fieldRow: number[] = [];
  readonly fieldCol: number[] = [];
  /** Field k is bytes bounds[2k] .. bounds[2k + 1] of chunks[fieldChunk[k]]'s ArrayBuffer. */
  readonly fieldChunk: number[] = [];
  readonly bounds: number[] = [];
  /**
   * Chunks (their ArrayBuffers: the framer hands out views of socket reads, which are never
   * reused, so holding them is safe) and the span [lo, hi) of each that fields cover.
   */
  private readonly chunks: { buf: ArrayBufferLike; view: Buffer; lo: number; hi: number }[] = [];
  /** The worker's parse (resolving to null when it failed: the batch is then parsed here); null: parsed here. */
  parsed: Promise<ParsedVectors | null> | null = null;
  /** Parsed (by the worker or here). */
  ready = false;
  /** The first field's error, thrown when the batch's turn comes. */
  failure: unknown = undefined;

  defer(col: number, f: FieldBytes): void {
    const at = f.b.byteOffset + f.start;
    const end = f.b.byteOffset + f.end;
    let c = this.chunks[this.chunks.length - 1];
    if (c === undefined || c.buf !== f.b.buffer) {
      c = { buf: f.b.buffer, view: Buffer.from(f.b.buffer), lo: at, hi: end };
      this.chunks.push(c);
    }
    c.lo = Math.min(c.lo, at);
    c.hi = Math.max(c.hi, end);
    this.fieldRow.push(this.rows.length);
    this.fieldCol.push(col);
    this.fieldChunk.push(this.chunks.length - 1);
    this.bounds.push(at, end);
  }

  /** Field k's chunk and its bounds there. */
  field(k: number): [Buffer, number, number] {
    return [this.chunks[this.fieldChunk[k]!]!.view, this.bounds[2 * k]!, this.bounds[2 * k + 1]!];
  }

  /** The fields' bytes in one new buffer (each covered span copied once), and their bounds in it. */
  gather(): { bytes: Buffer; bounds: Int32Array } {
    const bytes = Buffer.allocUnsafeSlow(this.span());
    return { bytes, bounds: this.gatherInto(bytes) };
  }

  /** Bytes the fields' spans cover. */
  span(): number {
    return this.chunks.reduce((n, c) => n + c.hi - c.lo, 0);
  }

  /** Copies each covered span once into `bytes` (span() long); the fields' bounds there. */
  gatherInto(bytes: Uint8Array): Int32Array {
    const base: number[] = [];
    let at = 0;
    for (const c of this.chunks) {
      bytes.set(new Uint8Array(c.buf, c.lo, c.hi - c.lo), at);
      base.push(at - c.lo);
      at += c.hi - c.lo;
    }
    const bounds = new Int32Array(this.bounds.length);
    for (let k = 0; k < this.fieldChunk.length; k++) {
      const d = base[this.fieldChunk[k]!]!;
      bounds[2 * k] = this.bounds[2 * k]! + d;
      bounds[2 * k + 1] = this.bounds[2 * k + 1]! + d;
    }
    return bounds;
  }

  /** Parses the fields here, on this thread (vector_in's fast path where the literal area is: types/vector-text.mjs). */
  parseHere(): ParsedVectors {
    return vectorsInArea(this.gatherInto(literalArea(this.span())));
  }
}
