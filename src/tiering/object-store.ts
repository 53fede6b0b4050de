/**
 * tiering/: the ObjectStore seam under storage/. Sealed segments, delete files and (later)
 * index files are immutable objects addressed by key; LocalObjectStore keeps them under a
 * directory, and an S3 store will implement the same interface.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A flat key → bytes store. Keys are `/`-separated relative paths (`tables/7/segments/12.seg`).
 * `put` is atomic and durable: once it resolves, a crash leaves either the whole new object
 * or (if it never resolved) the old state — never a partial object.
 */
export interface ObjectStore {
  put(key: string, data: Uint8Array): Promise<void>;
  /** The whole object; rejects with code ENOENT when absent. */
  get(key: string): Promise<Buffer>;
  /** `length` bytes from `offset`; rejects when the object is shorter. */
  getRange(key: string, offset: number, length: number): Promise<Buffer>;
  /** Removes the object; absent objects are not an error. */
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Size in bytes; rejects with code ENOENT when absent. */
  size(key: string): Promise<number>;
  /** Whether reading the object now costs local I/O only (absent: it may need the network). */
  isLocal?(key: string): boolean;
}

/** Objects as files under `rootDir`, written through temp file + fsync + rename + fsync(dir). */
export class LocalObjectStore implements ObjectStore {
  constructor(readonly rootDir: string, private readonly fsync = true) {}

  private pathOf(key: string): string {
    if (key.length === 0 || key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '.' || p === '')) {
      throw new Error(`invalid object key ${JSON.stringify(key)}`);
    }
    return path.join(this.rootDir, ...key.split('/'));
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const file = this.pathOf(key);
    const dir = path.dirname(file);
    await fs.mkdir(dir, { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      if (this.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fs.rename(tmp, file);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
    if (this.fsync) await syncDir(dir);
  }

  get(key: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(key));
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    const fh = await fs.open(this.pathOf(key), 'r');
    try {
      const buf = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
        if (bytesRead === 0) throw Object.assign(new Error(`short read of ${key} at ${offset + done}`), { code: 'ESHORT' });
        done += bytesRead;
      }
      return buf;
    } finally {
      await fh.close();
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        const key = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(path.join(dir, e.name), key);
        } else if (!e.name.endsWith('.tmp') && key.startsWith(prefix)) {
          out.push(key);
        }
      }
    };
    await walk(this.rootDir, '');
    return out.sort();
  }

  async size(key: string): Promise<number> {
    return (await fs.stat(this.pathOf(key))).size;
  }

  isLocal(): boolean {
    return true;
  }
}

/** fsyncs a directory so a rename or unlink in it is durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
