/**
 * Test support: a real S3 endpoint — s3rver from npm — in this process on a free loopback
 * port with a temp directory. stop() closes it and cuts open connections (S3 "unreachable");
 * start() brings it back on the same port and directory. objectFile() finds an object's bytes
 * on disk so a test can corrupt them.
 */
import fs from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { freePort } from './free-port.ts';

export interface S3Server {
  readonly endpoint: string;
  readonly port: number;
  readonly dir: string;
  readonly bucket: string;
  running: boolean;
  start(): Promise<void>;
  /** Closes the listener and destroys open connections. */
  stop(): Promise<void>;
  /** Stops and removes the directory. */
  dispose(): Promise<void>;
  /** The file holding an object's bytes (s3rver's filesystem layout). */
  objectFile(key: string): string;
  /** Keys of all objects in the bucket under a prefix. */
  keys(prefix?: string): string[];
}

export async function startS3(bucket = 'tessera-test'): Promise<S3Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-s3-'));
  const port = await freePort();
  let srv: S3rver | undefined;
  const sockets = new Set<net.Socket>();
  const s3: S3Server = {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    dir,
    bucket,
    running: false,
    async start() {
      srv = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
      const http = await (srv as unknown as { run(): Promise<unknown> }).run();
      void http;
      const server = (srv as unknown as { httpServer: net.Server }).httpServer;
      server.on('connection', (sock: net.Socket) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
      });
      s3.running = true;
    },
    async stop() {
      if (!s3.running || srv === undefined) return;
      s3.running = false;
      const server = (srv as unknown as { httpServer: net.Server }).httpServer;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const sock of sockets) sock.destroy();
      sockets.clear();
      await closed;
    },
    async dispose() {
      await s3.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    objectFile(key: string) {
      return path.join(dir, bucket, `${key}._S3rver_object`);
    },
    keys(prefix = '') {
      const out: string[] = [];
      const walk = (d: string, rel: string): void => {
        if (!fs.existsSync(d)) return;
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const k = rel === '' ? e.name : `${rel}/${e.name}`;
          if (e.isDirectory()) walk(path.join(d, e.name), k);
          else if (e.name.endsWith('._S3rver_object')) out.push(k.slice(0, -'._S3rver_object'.length));
        }
      };
      walk(path.join(dir, bucket), '');
      return out.filter((k) => k.startsWith(prefix)).sort();
    },
  };
  await s3.start();
  return s3;
}
