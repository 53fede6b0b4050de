/**
 * kv/: BufferedKv — an in-memory write buffer (a memtable: key → value or tombstone) in
 * front of another KvStore, flushed to it in key order as one atomic batch when it holds
 * `flushEntries` keys, and on close(). Random-order puts into a B-tree touch one page per
 * key per commit; batching many commits' keys into one sorted flush writes each touched
 * page once. Reads see the buffer first. Writes that are not yet flushed are lost by a
 * crash, so use it only for derived data that is rebuilt after a crash (the primary-key
 * index is: docs/pk-index.md).
 *
 * A big batch of puts can be handed over whole as a KvLayer (putLayer): it is read in place
 * until the flush packs it, instead of costing a map insert and a value Buffer per key.
 */
import { type KvLayer, MapLayer } from './kv-layer.ts';
import { type KvEntry, type KvStore, prefixEnd } from './kv-store.ts';
import type { SqliteFlusher } from './sqlite-flusher.ts';

const key = (k: Uint8Array): string => Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('latin1');

/** A key's value in `layers`, newest first (undefined: in none of them). */
function inLayers(layers: readonly KvLayer[], s: string): Buffer | null | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const v = layers[i]!.get(s);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The entries of `layers` merged, the newest value of each key winning. */
function merged(layers: readonly KvLayer[]): Map<string, Buffer | null> {
  if (layers.length === 1 && layers[0] instanceof MapLayer) return layers[0].map;
  const out = new Map<string, Buffer | null>();
  for (const l of layers) l.forEach((k, v) => out.set(k, v));
  return out;
}

export class BufferedKv implements KvStore {
  /** Pending writes: latin1 key → value, or null for a delete. */
  private memtable = new Map<string, Buffer | null>();
  /**
   * Undo log of the outermost atomic() call: (key, value before the write) pairs, flattened,
   * for writes to keys the buffer held; keys new to it are the ones after `undoSize` in the
   * buffer's insertion order (nothing is removed from it inside atomic()), so most writes of a
   * big commit log nothing.
   */
  private undo: (string | Buffer | null)[] | null = null;
  private undoSize = 0;
  /** Flushes done (for tests and reports). */
  flushes = 0;

  /** Older buffered entries, frozen (oldest first): a memtable set aside by putLayer(), and the layers put. */
  private layers: KvLayer[] = [];
  private layersSize = 0;

  /**
   * A full buffer handed to the flusher's worker and not yet committed there (reads look in
   * it after the buffer), with the batch's generation.
   */
  private flushing: { layers: KvLayer[]; gen: number } | null = null;

  /**
   * @param flusher when given, a full buffer is written by its worker thread while writes go
   *   on into a new buffer; reads see both. Anything that reads or changes the base store
   *   itself (scans, range deletes, rewrites, close) first waits for that write (settle()).
   */
  constructor(
    readonly base: KvStore,
    private readonly flushEntries = 100_000,
    private readonly flusher: SqliteFlusher | null = null,
  ) {
    if (flusher !== null) flusher.onDone = (gen, error) => this.flushDone(gen, error);
  }

  /** The flusher finished batch `gen` (on the event loop, or found by settle()). */
  private flushDone(gen: number, error: string | undefined): void {
    const f = this.flushing;
    if (f === null || f.gen > gen) return;
    this.flushing = null;
    // Not written (a failed or dead worker): write it here, under any newer buffered values.
    if (error !== undefined) {
      const entries = merged(f.layers);
      this.writeBase(entries, [...entries.keys()].sort());
    }
    this.flushes++;
  }

  /** Waits for the flush in flight, if any, so that the base store holds it. */
  private settle(): void {
    const f = this.flushing;
    if (f === null) return;
    const ok = this.flusher!.wait(f.gen);
    this.flushDone(f.gen, ok ? undefined : 'not written');
  }

  /** The buffer and the layers as one list of layers, oldest first; the buffer starts empty. */
  private takeAll(): KvLayer[] {
    const all = this.layers;
    if (this.memtable.size > 0) all.push(new MapLayer(this.memtable));
    this.memtable = new Map();
    this.layers = [];
    this.layersSize = 0;
    return all;
  }

  /** A full buffer: to the worker when there is one and it is free (it sorts), else written here. */
  private autoFlush(): void {
    if (this.flusher === null || this.flusher.dead) return this.flush();
    if (this.flushing !== null) return; // the buffer grows until the write in flight is done
    const layers = this.takeAll();
    this.flushing = { layers, gen: this.flusher.start(layers) };
  }

  /** Entries buffered, counting a key once per layer that holds it. */
  private get bufferedEntries(): number {
    return this.memtable.size + this.layersSize;
  }

  /**
   * Takes a batch of puts (and deletes) whole, newer than everything buffered so far. The
   * layer must not change afterwards. Not inside atomic().
   */
  putLayer(layer: KvLayer): void {
    if (this.undo !== null) throw new Error('BufferedKv.putLayer inside atomic()');
    if (this.memtable.size > 0) {
      this.layers.push(new MapLayer(this.memtable));
      this.layersSize += this.memtable.size;
      this.memtable = new Map();
    }
    this.layers.push(layer);
    this.layersSize += layer.size;
    if (this.bufferedEntries >= this.flushEntries) this.autoFlush();
  }

  /** Writes entries (keys sorted) to the base store in one transaction. */
  private writeBase(mem: ReadonlyMap<string, Buffer | null>, keys: readonly string[]): void {
    const puts: [Buffer, Buffer][] = [];
    this.base.atomic(() => {
      for (const s of keys) {
        const v = mem.get(s)!;
        const k = Buffer.from(s, 'latin1');
        if (v === null) this.base.delete(k);
        else puts.push([k, v]);
      }
      // Every key occurs once, so the deletes and the (batched) puts do not overlap.
      this.base.batchPut(puts);
    });
  }

  private set(k: Uint8Array, v: Buffer | null): void {
    this.setLatin1(key(k), v);
  }

  private setLatin1(s: string, v: Buffer | null): void {
    if (this.undo !== null) {
      const before = this.memtable.get(s);
      if (before !== undefined) this.undo.push(s, before); // pairs, flat: no array per write
    }
    this.memtable.set(s, v);
    if (this.undo === null && this.bufferedEntries >= this.flushEntries) this.autoFlush();
  }

  /** Writes the buffer to the base store in key order, atomically, here and now (after any flush in flight). */
  flush(): void {
    this.settle();
    if (this.bufferedEntries === 0) return;
    const entries = merged(this.takeAll());
    // The default sort compares UTF-16 code units: for latin1 strings, the bytes' order.
    this.writeBase(entries, [...entries.keys()].sort());
    this.flushes++;
  }

  get pendingEntries(): number {
    return this.bufferedEntries;
  }

  put(k: Uint8Array, v: Uint8Array): void {
    this.set(k, Buffer.from(v));
  }

  /** put() of a key given as its latin1 string, taking `v` as it is (the caller does not reuse it). */
  putLatin1(s: string, v: Buffer): void {
    this.setLatin1(s, v);
  }

  /** A key's buffered state: the buffer's, the layers', else the batch in flight's (null: deleted; undefined: not buffered). */
  private buffered(s: string): Buffer | null | undefined {
    const v = this.memtable.get(s);
    if (v !== undefined) return v;
    if (this.layers.length > 0) {
      const l = inLayers(this.layers, s);
      if (l !== undefined) return l;
    }
    return this.flushing === null ? undefined : inLayers(this.flushing.layers, s);
  }

  /** get() of a key given as its latin1 string. */
  getLatin1(s: string): Buffer | undefined {
    const v = this.buffered(s);
    if (v !== undefined) return v === null ? undefined : v;
    return this.base.get(Buffer.from(s, 'latin1'));
  }

  batchPut(entries: readonly (readonly [Uint8Array, Uint8Array])[]): void {
    this.atomic(() => {
      for (const [k, v] of entries) this.set(k, Buffer.from(v));
    });
  }

  delete(k: Uint8Array): boolean {
    const had = this.get(k) !== undefined;
    if (had) this.set(k, null);
    return had;
  }

  /**
   * Removes a key without reading whether it was there (a tombstone in the buffer; deleting
   * an absent key at flush is a no-op). `delete` reads the key to answer its boolean, which
   * for a key only in the base store costs a point read.
   */
  discard(k: Uint8Array): void {
    this.set(k, null);
  }

  /**
   * Rewrites buffered values in place (outside atomic()): `fn` returns a new value, null to
   * delete the key, or undefined to keep the value. Tombstones are left alone.
   */
  rewriteBuffered(fn: (v: Buffer) => Buffer | null | undefined): void {
    if (this.undo !== null) throw new Error('BufferedKv.rewriteBuffered inside atomic()');
    this.settle(); // a flush in flight is in the base store afterwards, where the caller rewrites it
    if (this.layers.length > 0) this.memtable = merged(this.takeAll());
    for (const [k, v] of this.memtable) {
      if (v === null) continue;
      const next = fn(v);
      if (next !== undefined) this.memtable.set(k, next);
    }
  }

  batchDelete(keys: readonly Uint8Array[]): number {
    return this.atomic(() => keys.reduce((n, k) => n + (this.delete(k) ? 1 : 0), 0));
  }

  deleteRange(start: Uint8Array, end: Uint8Array): number {
    this.flush();
    return this.base.deleteRange(start, end);
  }

  deletePrefix(prefix: Uint8Array): number {
    this.flush();
    return this.base.deletePrefix(prefix);
  }

  get(k: Uint8Array): Buffer | undefined {
    return this.getLatin1(key(k));
  }

  batchGet(keys: readonly Uint8Array[]): (Buffer | undefined)[] {
    const out: (Buffer | undefined)[] = new Array(keys.length).fill(undefined);
    const miss: number[] = [];
    keys.forEach((k, i) => {
      const v = this.buffered(key(k));
      if (v === undefined) miss.push(i);
      else if (v !== null) out[i] = v;
    });
    if (miss.length > 0) {
      const got = this.base.batchGet(miss.map((i) => keys[i]!));
      miss.forEach((i, j) => (out[i] = got[j]));
    }
    return out;
  }

  scan(start: Uint8Array, end: Uint8Array | null, limit?: number): KvEntry[] {
    this.flush();
    return this.base.scan(start, end, limit);
  }

  scanPrefix(prefix: Uint8Array, limit?: number): KvEntry[] {
    return this.scan(prefix, prefixEnd(prefix), limit);
  }

  atomic<T>(fn: () => T): T {
    if (this.undo !== null) return fn();
    this.undo = [];
    this.undoSize = this.memtable.size;
    try {
      const r = fn();
      this.undo = null;
      if (this.bufferedEntries >= this.flushEntries) this.autoFlush();
      return r;
    } catch (err) {
      const log = this.undo ?? [];
      this.undo = null;
      // Restoring keeps a key's place in the insertion order, so the keys new to the buffer
      // (also those written twice, whose second write is in the log) are still the ones past undoSize.
      for (let i = log.length - 2; i >= 0; i -= 2) this.memtable.set(log[i] as string, log[i + 1] as Buffer | null);
      const added: string[] = [];
      let n = 0;
      for (const s of this.memtable.keys()) if (n++ >= this.undoSize) added.push(s);
      for (const s of added) this.memtable.delete(s);
      throw err;
    }
  }

  size(): number {
    this.flush();
    return this.base.size();
  }

  close(): void {
    this.flush();
    this.flusher?.close();
    this.base.close();
  }
}
