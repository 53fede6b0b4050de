/**
 * Test support for vector search: a small seeded generator of clustered Gaussian vectors
 * (the recipe of shared/tools/gen-vectors.mjs: centers ~ N(0,1)^dim, per-cluster sigma ~
 * U[0.4, 0.8]) and the exact oracle (brute-force top-k in float64) recall is measured against.
 */

/** mulberry32: a tiny deterministic PRNG. */
export function rng(seed: number): { uni: () => number; gauss: () => number; int: (n: number) => number } {
  let a = seed >>> 0;
  const uni = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  let spare: number | null = null;
  const gauss = (): number => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(uni()));
    const th = 2 * Math.PI * uni();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  return { uni, gauss, int: (n) => Math.floor(uni() * n) };
}

/** n clustered vectors of dim dimensions, row-major; plus `queries` more from the same distribution. */
export function clusteredVectors(n: number, dim: number, opts: { seed?: number; clusters?: number; queries?: number } = {}): { base: Float32Array; queries: Float32Array } {
  const r = rng(opts.seed ?? 0x5eed);
  const nc = opts.clusters ?? 1000;
  const centers = new Float32Array(nc * dim);
  for (let i = 0; i < centers.length; i++) centers[i] = r.gauss();
  const sigma = Array.from({ length: nc }, () => 0.4 + 0.4 * r.uni());
  const gen = (count: number): Float32Array => {
    const out = new Float32Array(count * dim);
    for (let i = 0; i < count; i++) {
      const c = r.int(nc);
      for (let d = 0; d < dim; d++) out[i * dim + d] = centers[c * dim + d]! + sigma[c]! * r.gauss();
    }
    return out;
  };
  const base = gen(n);
  return { base, queries: gen(opts.queries ?? 100) };
}

/** Exact L2 top-k row indexes of query q among rows where keep(i) (float64 accumulation). */
export function exactTopK(base: Float32Array, dim: number, q: Float32Array, k: number, keep?: (i: number) => boolean): number[] {
  const n = base.length / dim;
  const best: { d: number; i: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (keep !== undefined && !keep(i)) continue;
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const x = base[i * dim + d]! - q[d]!;
      s += x * x;
    }
    if (best.length < k || s < best[best.length - 1]!.d) {
      best.push({ d: s, i });
      best.sort((a, b) => a.d - b.d);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => b.i);
}

/** The shortest decimal that reads back as the same float32 (pgvector's own output style). */
export function float32Text(x: number): string {
  for (let p = 1; p < 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(Number(x.toPrecision(9)));
}

/** pgvector's text form of row i (shortest float32 digits, as pgvector prints and dumps vectors). */
export function vectorText(base: Float32Array, dim: number, i: number): string {
  return `[${Array.from(base.subarray(i * dim, (i + 1) * dim), float32Text).join(',')}]`;
}

/** |found ∩ truth| / |truth|. */
export function recallAt(found: readonly number[], truth: readonly number[]): number {
  if (truth.length === 0) return 1;
  const t = new Set(truth);
  return found.filter((x) => t.has(x)).length / truth.length;
}

/** One binary COPY field value. */
export type CopyField = { int8: number } | { int4: number } | { vector: Float32Array };

/**
 * PostgreSQL's binary COPY stream for rows of fields (int8, int4, pgvector's vector): no
 * float text to parse, so loading measures the engine, not vector_in.
 */
export function binaryCopy(rows: Iterable<readonly CopyField[]>): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (const row of rows) {
    let size = 2;
    for (const f of row) size += 4 + ('int8' in f ? 8 : 'int4' in f ? 4 : 4 + 4 * f.vector.length);
    const b = Buffer.alloc(size);
    let o = b.writeInt16BE(row.length, 0);
    for (const f of row) {
      if ('int8' in f) {
        o = b.writeInt32BE(8, o);
        o = b.writeBigInt64BE(BigInt(f.int8), o);
      } else if ('int4' in f) {
        o = b.writeInt32BE(4, o);
        o = b.writeInt32BE(f.int4, o);
      } else {
        o = b.writeInt32BE(4 + 4 * f.vector.length, o);
        o = b.writeInt16BE(f.vector.length, o);
        o = b.writeInt16BE(0, o);
        for (const x of f.vector) o = b.writeFloatBE(x, o);
      }
    }
    parts.push(b);
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}
