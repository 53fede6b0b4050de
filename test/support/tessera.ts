/**
 * Test support: runs the Tessera server (src/main.ts) as a child process on a free loopback
 * port with a throw-away data dir, waits until it answers `SELECT 1`, and stops, kills or
 * restarts exactly that child (by pid). Used by conformance/, bench/ and crash tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './free-port.ts';

/** The repository root (this file lives in test/support/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;
const OUTPUT_LIMIT_CHARS = 2_000_000;

export interface StartTesseraOptions {
  /** Extra CLI flags after `--port P --data D` (a `--host` here replaces the default). */
  args?: string[];
  /** Extra environment variables for the child (merged over process.env). */
  env?: Record<string, string>;
  /** Use this data dir (kept on stop) instead of a fresh temp dir (removed on stop). */
  dataDir?: string;
  /** Script to run instead of `src/main.ts` (absolute, or relative to the repo root); for testing this helper. */
  entry?: string;
  /** Extra node flags before the script (e.g. `--cpu-prof`, which NODE_OPTIONS does not allow). */
  nodeArgs?: string[];
}

export interface TesseraServer {
  readonly host: string;
  readonly port: number;
  /** `postgres://postgres@host:port/postgres`. */
  readonly url: string;
  /** The current child's pid (changes after restart()). */
  readonly pid: number;
  readonly dataDir: string;
  /** SIGTERM, wait for exit, then remove the data dir if startTessera created it. */
  stop(): Promise<void>;
  /** Sends `signal` (default SIGKILL), waits for exit; keeps the data dir. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the child gracefully if it is running, then starts it again on the same port and data dir. */
  restart(): Promise<void>;
  /** Everything the child(ren) wrote to stdout and stderr so far, across restarts. */
  output(): string;
}

/** Children still running, killed if the test process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
  });
}

/**
 * Starts Tessera and resolves once a TCP connect and a `pg` `SELECT 1` succeed. Rejects after
 * 20 s, or as soon as the child exits, with the child's captured output in the message.
 */
export async function startTessera(opts: StartTesseraOptions = {}): Promise<TesseraServer> {
  installExitHook();
  const args = opts.args ?? [];
  const hostFlag = args.indexOf('--host');
  const host = hostFlag >= 0 && args[hostFlag + 1] !== undefined ? args[hostFlag + 1]! : '127.0.0.1';
  const port = await freePort();
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-data-'));
  const url = `postgres://postgres@${host}:${port}/postgres`;
  const verbose = Boolean(process.env.TESSERA_TEST_VERBOSE);
  let output = '';
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const append = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output += text;
    if (output.length > OUTPUT_LIMIT_CHARS) output = output.slice(output.length - OUTPUT_LIMIT_CHARS);
    if (verbose) process.stderr.write(text);
  };

  const running = (): boolean =>
    child !== null && child.pid !== undefined && child.exitCode === null && child.signalCode === null;

  const spawnChild = (): void => {
    const argv = [...(opts.nodeArgs ?? []), '--import', 'tsx', opts.entry ?? 'src/main.ts', '--port', String(port), '--data', dataDir];
    if (hostFlag < 0) argv.push('--host', host);
    argv.push(...args);
    const c = spawn(process.execPath, argv, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    live.add(c);
    c.stdout!.on('data', append);
    c.stderr!.on('data', append);
    exited = new Promise<void>((resolve) => {
      // 'close' waits for stdio to drain (complete output); 'exit' + 1 s guards against a pipe held open elsewhere.
      c.once('close', () => { live.delete(c); resolve(); });
      c.once('exit', () => {
        live.delete(c);
        // tsx's esbuild helper inherits the child's stderr and can hold the pipe open for
        // seconds after the server exited: stop reading once the output had time to drain.
        setTimeout(() => {
          c.stdout?.destroy();
          c.stderr?.destroy();
          resolve();
        }, 1000).unref();
      });
      c.once('error', (err) => { append(Buffer.from(`spawn error: ${err.message}\n`)); live.delete(c); resolve(); });
    });
  };

  const waitReady = async (): Promise<void> => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastError = '';
    while (Date.now() < deadline) {
      if (!running()) {
        await exited;
        const c = child!;
        throw new Error(`tessera exited before it was ready (code ${c.exitCode}, signal ${c.signalCode})\n--- output ---\n${output}`);
      }
      try {
        await tcpProbe(host, port, Math.max(100, deadline - Date.now()));
        await selectOne(url, Math.max(500, deadline - Date.now()));
        return;
      } catch (e) {
        lastError = (e as Error).message;
      }
      await sleep(100);
    }
    const pid = child?.pid;
    if (pid !== undefined && running()) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      await exited;
    }
    throw new Error(`tessera not ready after ${READY_TIMEOUT_MS} ms (last error: ${lastError})\n--- output ---\n${output}`);
  };

  const signalAndWait = async (signal: NodeJS.Signals): Promise<void> => {
    if (!running()) { await exited; return; }
    const pid = child!.pid!;
    process.kill(pid, signal);
    const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
    if (timedOut) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      await exited;
      throw new Error(`tessera (pid ${pid}) did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}; sent SIGKILL\n--- output ---\n${output}`);
    }
  };

  spawnChild();
  try {
    await waitReady();
  } catch (e) {
    if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }

  return {
    host,
    port,
    url,
    get pid(): number { return child?.pid ?? -1; },
    dataDir,
    async stop(): Promise<void> {
      try {
        await signalAndWait('SIGTERM');
      } finally {
        if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
      await signalAndWait(signal);
    },
    async restart(): Promise<void> {
      await signalAndWait('SIGTERM');
      spawnChild();
      await waitReady();
    },
    output: () => output,
  };
}

/** A delay that does not keep the process alive (a stop timeout must not hold the test runner for 15 s). */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('tcp connect timed out')); }, timeoutMs);
    socket.once('connect', () => { clearTimeout(timer); socket.end(); resolve(); });
    socket.once('error', (err) => { clearTimeout(timer); socket.destroy(); reject(err); });
  });
}

async function selectOne(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => { /* reported through the awaited calls */ });
  try {
    await client.connect();
    const res = await client.query('SELECT 1');
    if (res.rows.length !== 1) throw new Error(`SELECT 1 returned ${res.rows.length} rows`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
