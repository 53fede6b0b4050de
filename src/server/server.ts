/**
 * The listener: accepts TCP connections, keeps the registry of backends for CancelRequest
 * (process id + secret key), derives SCRAM verifiers from the configured users, loads the
 * TLS context, and shuts down gracefully (FATAL 57P01 to every client, then close).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { initParser } from '../sql/index.ts';
import type { ServerConfig } from './config.ts';
import { Connection, type ConnectionHost } from './connection.ts';
import { makeScramVerifier, type ScramVerifier } from './scram.ts';
import { openDatabase } from './database.ts';

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  /** Stops accepting, terminates every connection, resolves when all are closed. */
  close(): Promise<void>;
}

/** Starts listening; resolves once the database is open, the port bound and the parser loaded. */
export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  await initParser();
  const db = await openDatabase(config.dataDir, log, config.fsync, config.tiering, config.memoryBudget);
  const verifiers = new Map<string, ScramVerifier>();
  for (const [user, password] of config.users) verifiers.set(user, makeScramVerifier(password));
  const tlsContext =
    config.tlsCertFile && config.tlsKeyFile
      ? tls.createSecureContext({ cert: fs.readFileSync(config.tlsCertFile), key: fs.readFileSync(config.tlsKeyFile) })
      : null;

  const connections = new Set<Connection>();
  const backends = new Map<number, Connection>();
  let nextProcessId = 1000 + crypto.randomInt(1000);
  let nextConnectionId = 1;

  const host: ConnectionHost = {
    config,
    db,
    log,
    tlsContext,
    verifiers,
    register(conn) {
      const processId = nextProcessId++;
      const secretKey = crypto.randomBytes(4).readInt32BE(0);
      backends.set(processId, conn);
      return { processId, secretKey };
    },
    unregister(conn) {
      connections.delete(conn);
      if (backends.get(conn.processId) === conn) backends.delete(conn.processId);
    },
    cancel(processId, secretKey) {
      const conn = backends.get(processId);
      // A wrong key is ignored silently, as PostgreSQL does, so keys cannot be probed.
      if (conn && conn.secretKey === secretKey) {
        log.info({ pid: processId }, 'cancel request');
        conn.cancel();
      }
    },
    get connectionCount() {
      return connections.size;
    },
  };

  const server = net.createServer((socket) => {
    connections.add(new Connection(socket, host, nextConnectionId++));
  });
  server.maxConnections = config.maxConnections + 10; // room to answer "too many clients" properly

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => {
      void db.close();
      reject(err);
    });
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  log.info({ host: config.host, port: address.port, dataDir: config.dataDir, auth: config.auth, tls: tlsContext !== null }, 'listening');

  return {
    port: address.port,
    host: config.host,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        void Promise.all([...connections].map((c) => c.terminate())).then(() => undefined);
      });
      await db.close();
    },
  };
}
