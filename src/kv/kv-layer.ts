/**
 * kv/: KvLayer — a batch of buffered entries that BufferedKv reads in place and packs only
 * when it flushes (putLayer), and its packed form for the flush worker:
 * u16 key length | key | i32 value length (-1: delete) | value, entry after entry, oldest
 * first (the worker sorts them and keeps each key's last). Keys are latin1 strings (one char
 * per byte). MapLayer wraps a plain memtable; the primary-key index puts a committed
 * transaction's keys as a layer of its own (session/unique-keys.ts).
 */

export interface KvLayer {
  /** Entries, at most (a layer may skip some when it packs or iterates). */
  readonly size: number;
  /** The value of a key: a Buffer, null (deleted), undefined (not in this layer). */
  get(key: string): Buffer | null | undefined;
  forEach(fn: (key: string, value: Buffer | null) => void): void;
  /** Bytes pack() writes, at most. */
  packedSize(): number;
  /** Packs the entries into b from p on; returns the end. */
  pack(b: Buffer, p: number): number;
}

/** Packs one entry; returns the end. Byte loops, not a native call per key and value (keys are ~20 bytes, values 8). */
function packEntry(b: Buffer, p: number, key: string, value: Buffer | null): number {
  b[p++] = key.length & 255;
  b[p++] = key.length >>> 8;
  for (let j = 0; j < key.length; j++) b[p++] = key.charCodeAt(j);
  const n = value === null ? -1 : value.length;
  b[p++] = n & 255;
  b[p++] = (n >>> 8) & 255;
  b[p++] = (n >>> 16) & 255;
  b[p++] = n >>> 24;
  if (value !== null) for (let j = 0; j < value.length; j++) b[p++] = value[j]!;
  return p;
}

/** A memtable as a layer. */
export class MapLayer implements KvLayer {
  constructor(readonly map: Map<string, Buffer | null>) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): Buffer | null | undefined {
    return this.map.get(key);
  }

  forEach(fn: (key: string, value: Buffer | null) => void): void {
    this.map.forEach((v, k) => fn(k, v));
  }

  packedSize(): number {
    let n = 0;
    this.map.forEach((v, k) => (n += 6 + k.length + (v?.length ?? 0)));
    return n;
  }

  pack(b: Buffer, p: number): number {
    this.map.forEach((v, k) => (p = packEntry(b, p, k, v)));
    return p;
  }
}
