/**
 * tiering/: a fault-injecting ObjectStore wrapper for tests (SQLite-style "fail the Nth
 * write"): it delegates to a real store and rejects chosen puts before they reach it.
 */
import type { ObjectStore } from './object-store.ts';

/** Delegates to `inner`; the put numbered `failPutAt` (1-based, counting every put) rejects, as do all later ones while `failForever`. */
export class FaultyObjectStore implements ObjectStore {
  /** Number of put calls seen so far (failed ones included). */
  puts = 0;
  /** Put numbers that failed. */
  readonly failedPuts: number[] = [];

  constructor(
    readonly inner: ObjectStore,
    public failPutAt = 0,
    public failForever = false,
    /** Optional key filter: only puts whose key matches count towards `failPutAt`. */
    public keyFilter: (key: string) => boolean = () => true,
  ) {}

  async put(key: string, data: Uint8Array): Promise<void> {
    if (this.keyFilter(key)) {
      this.puts++;
      if (this.failPutAt > 0 && (this.puts === this.failPutAt || (this.failForever && this.puts > this.failPutAt))) {
        this.failedPuts.push(this.puts);
        throw Object.assign(new Error(`injected failure of put #${this.puts} (${key})`), { code: 'EINJECTED' });
      }
    }
    return this.inner.put(key, data);
  }

  /** Stops injecting failures. */
  heal(): void {
    this.failPutAt = 0;
    this.failForever = false;
  }

  get(key: string): Promise<Buffer> {
    return this.inner.get(key);
  }
  getRange(key: string, offset: number, length: number): Promise<Buffer> {
    return this.inner.getRange(key, offset, length);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }
  size(key: string): Promise<number> {
    return this.inner.size(key);
  }

  isLocal(key: string): boolean {
    return this.inner.isLocal?.(key) ?? false;
  }
}
