/**
 * kv/: MemoryKv — the in-memory twin of SqliteKv: a sorted array of keys with binary
 * search. Inserts are O(n); it exists to check the durable store (property tests drive
 * both with the same operations) and for tests that need no disk.
 */
import { type KvEntry, type KvStore, prefixEnd } from './kv-store.ts';

export class MemoryKv implements KvStore {
  private keys: Buffer[] = [];
  private values: Buffer[] = [];
  /** Undo log of the outermost atomic() call, newest last. */
  private undo: (() => void)[] | null = null;

  /** Index of the first key >= key. */
  private lowerBound(key: Uint8Array): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(this.keys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private found(i: number, key: Uint8Array): boolean {
    return i < this.keys.length && Buffer.compare(this.keys[i]!, key) === 0;
  }

  private setAt(key: Uint8Array, value: Uint8Array): void {
    const k = Buffer.from(key);
    const v = Buffer.from(value);
    const i = this.lowerBound(k);
    if (this.found(i, k)) {
      const old = this.values[i]!;
      this.values[i] = v;
      this.undo?.push(() => this.setAt(k, old));
    } else {
      this.keys.splice(i, 0, k);
      this.values.splice(i, 0, v);
      this.undo?.push(() => this.removeKey(k));
    }
  }

  private removeAt(i: number): void {
    const k = this.keys[i]!;
    const v = this.values[i]!;
    this.keys.splice(i, 1);
    this.values.splice(i, 1);
    this.undo?.push(() => this.setAt(k, v));
  }

  private removeKey(key: Uint8Array): boolean {
    const i = this.lowerBound(key);
    if (!this.found(i, key)) return false;
    this.removeAt(i);
    return true;
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.setAt(key, value);
  }

  batchPut(entries: readonly (readonly [Uint8Array, Uint8Array])[]): void {
    this.atomic(() => {
      for (const [k, v] of entries) this.setAt(k, v);
    });
  }

  delete(key: Uint8Array): boolean {
    return this.removeKey(key);
  }

  batchDelete(keys: readonly Uint8Array[]): number {
    return this.atomic(() => keys.reduce((n, k) => n + (this.removeKey(k) ? 1 : 0), 0));
  }

  deleteRange(start: Uint8Array, end: Uint8Array): number {
    return this.atomic(() => {
      let n = 0;
      const i = this.lowerBound(start);
      while (i < this.keys.length && Buffer.compare(this.keys[i]!, end) < 0) {
        this.removeAt(i);
        n++;
      }
      return n;
    });
  }

  deletePrefix(prefix: Uint8Array): number {
    const end = prefixEnd(prefix);
    if (end !== null) return this.deleteRange(prefix, end);
    return this.atomic(() => {
      let n = 0;
      const i = this.lowerBound(prefix);
      while (i < this.keys.length) {
        this.removeAt(i);
        n++;
      }
      return n;
    });
  }

  get(key: Uint8Array): Buffer | undefined {
    const i = this.lowerBound(key);
    return this.found(i, key) ? this.values[i] : undefined;
  }

  batchGet(keys: readonly Uint8Array[]): (Buffer | undefined)[] {
    return keys.map((k) => this.get(k));
  }

  scan(start: Uint8Array, end: Uint8Array | null, limit = Infinity): KvEntry[] {
    const out: KvEntry[] = [];
    for (let i = this.lowerBound(start); i < this.keys.length && out.length < limit; i++) {
      if (end !== null && Buffer.compare(this.keys[i]!, end) >= 0) break;
      out.push({ key: this.keys[i]!, value: this.values[i]! });
    }
    return out;
  }

  scanPrefix(prefix: Uint8Array, limit?: number): KvEntry[] {
    return this.scan(prefix, prefixEnd(prefix), limit);
  }

  atomic<T>(fn: () => T): T {
    if (this.undo !== null) return fn();
    this.undo = [];
    try {
      const r = fn();
      this.undo = null;
      return r;
    } catch (err) {
      const log = this.undo ?? [];
      this.undo = null;
      for (let i = log.length - 1; i >= 0; i--) log[i]!();
      throw err;
    }
  }

  size(): number {
    return this.keys.length;
  }

  close(): void {
    this.keys = [];
    this.values = [];
  }
}
