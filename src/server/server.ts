/**
 * The listener: accepts TCP connections (and, with --unix-socket-dir, Unix-domain ones on
 * `.s.PGSQL.<port>`, as PostgreSQL), keeps the registry of backends for CancelRequest
 * (process id + secret key), derives SCRAM verifiers from the configured users, loads the
 * TLS context, and shuts down gracefully (FATAL 57P01 to every client, then close).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
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
  /** The Unix-domain socket's path, or null. */
  readonly socketPath: string | null;
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

  const accept = (local: boolean) => (socket: net.Socket): void => {
    connections.add(new Connection(socket, host, nextConnectionId++, local));
  };
  const server = net.createServer(accept(false));
  server.maxConnections = config.maxConnections + 10; // room to answer "too many clients" properly
  let unixServer: net.Server | null = null;
  let socketPath: string | null = null;
  try {
    await listen(server, (done) => server.listen(config.port, config.host, done));
    if (config.unixSocketDir !== null) {
      socketPath = path.join(config.unixSocketDir, `.s.PGSQL.${(server.address() as net.AddressInfo).port}`);
      await removeStaleSocket(socketPath);
      unixServer = net.createServer(accept(true));
      unixServer.maxConnections = server.maxConnections;
      await listen(unixServer, (done) => unixServer!.listen(socketPath!, done));
    }
  } catch (err) {
    server.close();
    await db.close();
    throw err;
  }
  const address = server.address() as net.AddressInfo;
  log.info({ host: config.host, port: address.port, socket: socketPath, dataDir: config.dataDir, auth: config.auth, tls: tlsContext !== null }, 'listening');

  return {
    port: address.port,
    host: config.host,
    socketPath,
    async close() {
      // Each listener's close() resolves once its connections have ended.
      const listeners = [server, unixServer].filter((srv) => srv !== null);
      const closed = Promise.all(listeners.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
      void Promise.all([...connections].map((c) => c.terminate())).then(() => undefined);
      await closed;
      if (socketPath !== null) fs.rmSync(socketPath, { force: true });
      await db.close();
    },
  };
}

/** Starts `srv` listening; rejects with the listen error. */
function listen(srv: net.Server, start: (done: () => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    start(() => {
      srv.off('error', reject);
      resolve();
    });
  });
}

/**
 * A socket file left by a server that is gone (killed: nothing removed it) is removed; one a
 * server still answers on is an error, as PostgreSQL's lock file makes it.
 */
async function removeStaleSocket(file: string): Promise<void> {
  if (!fs.existsSync(file)) return;
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(file);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`another server is listening on ${file}`);
  fs.rmSync(file, { force: true });
}
