/**
 * Conformance: the servers a `.test` file runs against. Each file gets fresh state — a fresh
 * Tessera process and data dir, or a fresh database (CREATE DATABASE conf_<pid>_<n>) on the
 * private PostgreSQL 15 oracle cluster. The runner talks to both only through `pg` clients.
 */
import pg from 'pg';
import { startPostgres, postgresAvailable, type PgCluster } from '../test/support/pg-cluster.ts';
import { startTessera, type StartTesseraOptions, type TesseraServer } from '../test/support/tessera.ts';
import type { TargetName } from './parser.ts';

/** The state one `.test` file runs in. */
export interface FileSession {
  readonly target: TargetName;
  /** Opens a new connection to this file's database (values come back as raw text). */
  connect(): Promise<pg.Client>;
  /** Restarts the server keeping data. The caller has closed its connections first. */
  restart(): Promise<void>;
  /** Context for failure reports, e.g. the tail of the server's log; '' if none. */
  diagnostics(): string;
  /** Releases the file's state (stops the server / drops the database). */
  dispose(): Promise<void>;
}

/** A server kind the runner can check files against. */
export interface Target {
  readonly name: TargetName;
  openFile(): Promise<FileSession>;
  /** Stops anything the target started (e.g. the oracle cluster). */
  close(): Promise<void>;
}

/** Type parsers that keep every value as PostgreSQL's text output (no JS conversion). */
export const RAW_TEXT_TYPES: pg.CustomTypesConfig = {
  getTypeParser: (() => (value: string) => value) as unknown as pg.CustomTypesConfig['getTypeParser'],
};

/** Creates a pg client with raw-text values and a swallowed 'error' event (errors surface on awaits). */
export async function connectRaw(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, types: RAW_TEXT_TYPES, connectionTimeoutMillis: 10_000 });
  client.on('error', () => { /* a dead connection shows up as a failed query */ });
  await client.connect();
  return client;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}

export interface PostgresTargetOptions {
  /** Use this running server instead of starting a private cluster (must allow CREATE DATABASE). */
  url?: string;
}

/**
 * The oracle: real PostgreSQL. Starts a private cluster on first use unless `url` is given.
 * `restart` records are no-ops here (the runner still drops all connections, so session
 * state is lost as it is in Tessera).
 */
export function createPostgresTarget(opts: PostgresTargetOptions = {}): Target {
  let cluster: PgCluster | null = null;
  let baseUrl: string | null = opts.url ?? null;
  let admin: pg.Client | null = null;
  let counter = 0;

  // Memoised so concurrent openFile() calls share one cluster and one admin connection.
  let adminPromise: Promise<pg.Client> | null = null;
  const ensureAdmin = (): Promise<pg.Client> => {
    adminPromise ??= (async () => {
      if (baseUrl === null) {
        if (!postgresAvailable()) throw new Error('PostgreSQL 15 binaries not found (set TESSERA_PG_BIN, or pass a url)');
        cluster = await startPostgres();
        baseUrl = cluster.url;
      }
      admin = await connectRaw(baseUrl);
      return admin;
    })();
    return adminPromise;
  };

  return {
    name: 'postgres',
    async openFile(): Promise<FileSession> {
      const a = await ensureAdmin();
      const database = `conf_${process.pid}_${++counter}`;
      await a.query(`DROP DATABASE IF EXISTS ${database}`);
      await a.query(`CREATE DATABASE ${database}`);
      const url = withDatabase(baseUrl!, database);
      return {
        target: 'postgres',
        connect: () => connectRaw(url),
        restart: async () => { /* data persists; connections were closed by the runner */ },
        diagnostics: () => '',
        async dispose(): Promise<void> {
          await a.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        },
      };
    },
    async close(): Promise<void> {
      if (adminPromise) await adminPromise.catch(() => undefined);
      if (admin) await admin.end().catch(() => undefined);
      admin = null;
      adminPromise = null;
      if (cluster) await cluster.stop();
      cluster = null;
    },
  };
}

/** Creates a Tessera target: every file gets its own server process and temp data dir. */
export function createTesseraTarget(opts: Pick<StartTesseraOptions, 'args' | 'env'> = {}): Target {
  return {
    name: 'tessera',
    async openFile(): Promise<FileSession> {
      const server: TesseraServer = await startTessera(opts);
      return {
        target: 'tessera',
        connect: () => connectRaw(server.url),
        restart: () => server.restart(),
        diagnostics: () => tail(server.output(), 40),
        dispose: () => server.stop(),
      };
    },
    async close(): Promise<void> { /* each file's server is stopped by its session */ },
  };
}

function tail(text: string, lineCount: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-lineCount).join('\n');
}
