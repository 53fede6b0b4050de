/** Bench support: readers of the dataset files shared/tools/gen-vectors.mjs writes (little-endian). */
import fs from 'node:fs';

/** .fvecs (per vector: int32 dim, dim × float32): the first `limit` vectors, packed row-major. */
export function readFvecs(file: string, limit: number): Float32Array {
  const buf = fs.readFileSync(file);
  const dim = buf.readInt32LE(0);
  const n = Math.min(limit, buf.length / (4 + 4 * dim));
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) out.set(new Float32Array(buf.buffer.slice(buf.byteOffset + i * (4 + 4 * dim) + 4, buf.byteOffset + (i + 1) * (4 + 4 * dim))), i * dim);
  return out;
}

/** .ivecs ground truth: per query int32 k, then k row ids (-1 pads tenants with fewer than k rows). */
export function readIvecs(file: string, limit: number): number[][] {
  const buf = fs.readFileSync(file);
  const out: number[][] = [];
  for (let at = 0; at < buf.length && out.length < limit;) {
    const k = buf.readInt32LE(at);
    const ids: number[] = [];
    for (let j = 0; j < k; j++) ids.push(buf.readInt32LE(at + 4 + 4 * j));
    out.push(ids);
    at += 4 + 4 * k;
  }
  return out;
}

/** Raw int32 per row (tenants_1m.i32): the first `limit` values. */
export function readI32(file: string, limit: number): Int32Array {
  const buf = fs.readFileSync(file);
  const n = Math.min(limit, buf.length / 4);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readInt32LE(i * 4);
  return out;
}

/** Streams a COPY ... FROM STDIN payload through postgres.js in 1 MiB writes; resolves when the server acknowledged it. */
export async function copyIn(sql: { unsafe(q: string): { writable(): Promise<NodeJS.WritableStream> } }, statement: string, payload: Buffer): Promise<void> {
  const w = await sql.unsafe(statement).writable();
  await new Promise<void>((resolve, reject) => {
    w.on('error', reject);
    w.on('finish', resolve);
    for (let i = 0; i < payload.length; i += 1 << 20) w.write(payload.subarray(i, i + (1 << 20)));
    w.end();
  });
}
