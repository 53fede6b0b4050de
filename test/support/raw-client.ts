/**
 * Test support: a byte-level PostgreSQL client for protocol tests. Frontend messages are
 * built with pg-protocol's serializer (the client codec node-postgres uses) or by hand for
 * malformed input; backend messages are decoded with pg-protocol's parser, so our encoder
 * is checked by an independent decoder.
 */
import net from 'node:net';
import { serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';

export { serialize };

export class RawClient {
  readonly messages: BackendMessage[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  /** DataRow fields as raw bytes (pg-protocol decodes them as UTF-8 text only). */
  readonly rawRows: (Buffer | null)[][] = [];
  private pending = Buffer.alloc(0);

  private constructor(readonly socket: net.Socket) {
    const parser = new Parser();
    socket.on('data', (chunk: Buffer) => {
      this.collectRawRows(chunk);
      parser.parse(chunk, (msg) => {
        this.messages.push(msg);
        this.wake();
      });
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private collectRawRows(chunk: Buffer): void {
    let buf = Buffer.concat([this.pending, chunk]);
    while (buf.length >= 5 && buf.length >= 1 + buf.readInt32BE(1)) {
      const len = buf.readInt32BE(1);
      if (buf[0] === 0x44) {
        const row: (Buffer | null)[] = [];
        let at = 7;
        for (let i = buf.readInt16BE(5); i > 0; i--) {
          const n = buf.readInt32BE(at);
          at += 4;
          row.push(n < 0 ? null : Buffer.from(buf.subarray(at, at + n)));
          if (n > 0) at += n;
        }
        this.rawRows.push(row);
      }
      buf = buf.subarray(1 + len);
    }
    this.pending = buf;
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** Opens a TCP connection; with `startup`, also completes the trust-auth startup. */
  static async connect(port: number, startup = true): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new RawClient(socket);
    if (startup) {
      c.send(serialize.startup({ user: 'postgres', database: 'postgres' }));
      await c.until('readyForQuery');
      c.messages.length = 0;
      c.rawRows.length = 0;
    }
    return c;
  }

  send(...bufs: Buffer[]): void {
    this.socket.write(Buffer.concat(bufs));
  }

  /** Waits until a message with the given name arrives (or the socket closes); returns all messages so far and clears them. */
  async until(name: string, timeoutMs = 5000): Promise<BackendMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.messages.some((m) => m.name === name)) {
      if (this.closed) break;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${name}; got ${this.messages.map((m) => m.name).join(',')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const idx = this.messages.findIndex((m) => m.name === name);
    return this.messages.splice(0, idx < 0 ? this.messages.length : idx + 1);
  }

  /** Resolves when the server closes the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('server did not close the connection');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Names of messages, for compact assertions. */
export function names(msgs: readonly BackendMessage[]): string[] {
  return msgs.map((m) => m.name);
}
