/**
 * kv/: a Bloom filter over byte-string keys — "certainly absent" answers without touching
 * the store. Used by the primary-key index in front of its KvStore, where most probes are
 * for new keys (inserts, upserts of new rows). Keys cannot be removed; a filter whose
 * deleted keys make it too full is rebuilt by its owner. Blocked: a key's 7 bits all lie in
 * one 64-byte block (one cache line), so a probe costs one cache miss, not seven; 10 bits per
 * key give about 1% false positives at capacity. Serialises to bytes (`toBytes` /
 * `fromBytes`).
 */

const PROBES = 7;
const BITS_PER_KEY = 10;
const BLOCK_BYTES = 64;
/** Odd multipliers: a key's i-th bit in its block is the top 9 bits of h2 × SALT[i] (as Parquet's split-block filter picks its bits). */
const SALT = [0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947];

/** FNV-1a state of both hashes before any byte. */
const START: HashState = [0x811c9dc5, 0x01000193 ^ 0x5bd1e995];

/** The two hashes' running state after some bytes: hashing a shared key prefix once (hashState). */
export type HashState = readonly [number, number];

/**
 * The state after `prefix` (latin1: one byte per char code), to continue with hashes(key, state).
 * hashes() repeats this loop rather than calling here: the extra call cost ~15% per key.
 */
export function hashState(prefix: string): HashState {
  let [h1, h2] = START;
  for (let i = 0; i < prefix.length; i++) {
    const b = prefix.charCodeAt(i) & 0xff;
    h1 = Math.imul(h1 ^ b, 0x01000193);
    h2 = Math.imul(h2 ^ b, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return [h1, h2];
}

/**
 * Two independent 32-bit hashes of the bytes (FNV-1a with two offset bases), for double
 * hashing, continuing from `from` (the hashes of prefix ‖ key when `from` is hashState(prefix)).
 * A string is taken as latin1 (one byte per char code): the same hashes as its bytes.
 */
function hashes(key: Uint8Array | string, from: HashState = START): [number, number] {
  let [h1, h2] = from;
  if (typeof key === 'string') {
    for (let i = 0; i < key.length; i++) {
      const b = key.charCodeAt(i) & 0xff;
      h1 = Math.imul(h1 ^ b, 0x01000193);
      h2 = Math.imul(h2 ^ b, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
  } else {
    for (let i = 0; i < key.length; i++) {
      const b = key[i]!;
      h1 = Math.imul(h1 ^ b, 0x01000193);
      h2 = Math.imul(h2 ^ b, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
  }
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  return [h1 >>> 0, (h2 | 1) >>> 0];
}

export class BloomFilter {
  readonly bits: Uint8Array;
  private readonly blocks: number;
  /** Keys added since creation (including re-adds): compared with `capacity` to decide a rebuild. */
  added = 0;

  constructor(
    /** Keys the filter is sized for. */
    readonly capacity: number,
    bits?: Uint8Array,
  ) {
    this.blocks = Math.max(1, Math.ceil((capacity * BITS_PER_KEY) / (8 * BLOCK_BYTES)));
    this.bits = bits ?? new Uint8Array(this.blocks * BLOCK_BYTES);
  }

  add(key: Uint8Array): void {
    this.addHashes(hashes(key));
  }

  /** @internal add() with the key's hashes computed already (GrowingBloomFilter). */
  addHashes([h1, h2]: readonly [number, number]): void {
    const base = (h1 % this.blocks) * BLOCK_BYTES;
    for (let i = 0; i < PROBES; i++) {
      const at = Math.imul(h2, SALT[i]!) >>> 23; // a bit of the 512-bit block
      this.bits[base + (at >>> 3)]! |= 1 << (at & 7);
    }
    this.added++;
  }

  /** False: the key was never added. True: it may have been. */
  mayContain(key: Uint8Array): boolean {
    return this.hasHashes(hashes(key));
  }

  /** @internal mayContain() with the key's hashes computed already. */
  hasHashes([h1, h2]: readonly [number, number]): boolean {
    const base = (h1 % this.blocks) * BLOCK_BYTES;
    for (let i = 0; i < PROBES; i++) {
      const at = Math.imul(h2, SALT[i]!) >>> 23;
      if ((this.bits[base + (at >>> 3)]! & (1 << (at & 7))) === 0) return false;
    }
    return true;
  }

  get full(): boolean {
    return this.added > this.capacity;
  }

  /** 'TSBF' | u32 version=2 (blocked) | f64 capacity | f64 added | bits. */
  toBytes(): Buffer {
    const head = Buffer.alloc(24);
    head.write('TSBF', 0, 'latin1');
    head.writeUInt32LE(2, 4);
    head.writeDoubleLE(this.capacity, 8);
    head.writeDoubleLE(this.added, 16);
    return Buffer.concat([head, this.bits]);
  }

  /** The filter `toBytes` wrote, or null when the bytes are not one (version 1, unblocked, included: then rebuild it). */
  static fromBytes(b: Buffer): BloomFilter | null {
    if (b.length < 24 || b.toString('latin1', 0, 4) !== 'TSBF' || b.readUInt32LE(4) !== 2) return null;
    const f = new BloomFilter(b.readDoubleLE(8), new Uint8Array(b.subarray(24)));
    if (f.bits.length !== f.blocks * BLOCK_BYTES) return null;
    f.added = b.readDoubleLE(16);
    return f;
  }
}

/**
 * A Bloom filter that grows without re-reading its keys: when the newest layer passes its
 * capacity, a new layer of twice the capacity takes the adds; a key may be contained when
 * any layer may contain it. False positives add up over the layers (about 1% each), and
 * deleted keys are never dropped, so the owner rebuilds it from its keys when it has too
 * many layers (rare: layers double).
 */
export class GrowingBloomFilter {
  readonly layers: BloomFilter[];

  constructor(capacity: number, layers: readonly BloomFilter[] = []) {
    this.layers = layers.length > 0 ? [...layers] : [new BloomFilter(capacity)];
  }

  /** Adds a key: bytes, or a latin1 string of them. */
  add(key: Uint8Array | string): void {
    let last = this.layers[this.layers.length - 1]!;
    if (last.full) this.layers.push((last = new BloomFilter(last.capacity * 2)));
    last.addHashes(hashes(key));
  }

  mayContain(key: Uint8Array | string): boolean {
    const h = hashes(key);
    for (const l of this.layers) if (l.hasHashes(h)) return true;
    return false;
  }

  /**
   * add() that also answers mayContain() as it was before the add (the key hashed once); the
   * key is prefix ‖ key when `from` is hashState(prefix).
   */
  addChecked(key: Uint8Array | string, from?: HashState): boolean {
    const h = hashes(key, from);
    let had = false;
    for (let i = 0; i < this.layers.length && !had; i++) had = this.layers[i]!.hasHashes(h);
    let last = this.layers[this.layers.length - 1]!;
    if (last.full) this.layers.push((last = new BloomFilter(last.capacity * 2)));
    last.addHashes(h);
    return had;
  }
}
