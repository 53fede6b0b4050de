/**
 * Server configuration from command-line flags and TESSERA_* environment variables (flags
 * win). Defaults are the embedded ones: data in ./data, 127.0.0.1:5432, trust on loopback.
 * Listening beyond loopback without a password is refused at start-up.
 */
import fs from 'node:fs';

export type AuthMethod = 'trust' | 'scram-sha-256' | 'password';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly auth: AuthMethod;
  /** user name → password (plain; SCRAM verifiers are derived at start-up). */
  readonly users: ReadonlyMap<string, string>;
  readonly tlsCertFile: string | null;
  readonly tlsKeyFile: string | null;
  readonly maxMessageBytes: number;
  readonly maxConnections: number;
  readonly logLevel: string;
  /** fsync the WAL before acknowledging a commit (PostgreSQL's fsync); off only for throw-away data. */
  readonly fsync: boolean;
  /** Tiered storage on S3 (docs/tiering.md); null = local only. */
  readonly tiering: TieringConfig | null;
  /** Bytes of vector data loaded sealed columns may hold in memory (storage/column-cache.ts); null = 40% of RAM. */
  readonly memoryBudget: number | null;
  /** Directory of the Unix-domain socket `.s.PGSQL.<port>` (PostgreSQL's unix_socket_directories); null = none. */
  readonly unixSocketDir: string | null;
}

/** --s3-* and --cache-size: sealed files go to S3 with the data dir as a local cache. */
export interface TieringConfig {
  /** e.g. http://127.0.0.1:9000 (path-style); null = AWS S3 itself. */
  readonly endpoint: string | null;
  readonly bucket: string;
  readonly prefix: string;
  /** Local cache budget in bytes; 0 = unlimited. */
  readonly cacheBytes: number;
  /** How long a read of cold data may retry before 58030. */
  readonly timeoutMs: number;
}

interface FlagSpec {
  readonly flag: string;
  readonly env: string;
  readonly arg: string;
  readonly help: string;
  readonly defaultValue?: string;
}

const FLAGS: readonly FlagSpec[] = [
  { flag: '--host', env: 'TESSERA_HOST', arg: '<addr>', help: 'address to listen on', defaultValue: '127.0.0.1' },
  { flag: '--port', env: 'TESSERA_PORT', arg: '<port>', help: 'TCP port', defaultValue: '5432' },
  { flag: '--unix-socket-dir', env: 'TESSERA_UNIX_SOCKET_DIR', arg: '<dir>', help: 'also listen on the Unix-domain socket <dir>/.s.PGSQL.<port>, as PostgreSQL (psql -h <dir>)' },
  { flag: '--data', env: 'TESSERA_DATA', arg: '<dir>', help: 'data directory', defaultValue: './data' },
  { flag: '--auth', env: 'TESSERA_AUTH', arg: '<method>', help: 'trust | scram-sha-256 | password (cleartext, TLS only); default: trust on loopback without users, else scram-sha-256' },
  { flag: '--password', env: 'TESSERA_PASSWORD', arg: '<pw>', help: 'password of the user named by --user (prefer the env var)' },
  { flag: '--user', env: 'TESSERA_USER', arg: '<name>', help: 'user the --password belongs to', defaultValue: 'postgres' },
  { flag: '--users-file', env: 'TESSERA_USERS_FILE', arg: '<file>', help: 'file of "name:password" lines, one user each' },
  { flag: '--tls-cert', env: 'TESSERA_TLS_CERT', arg: '<file>', help: 'PEM certificate; enables TLS (SSLRequest answered S)' },
  { flag: '--tls-key', env: 'TESSERA_TLS_KEY', arg: '<file>', help: 'PEM private key for --tls-cert' },
  { flag: '--max-message-bytes', env: 'TESSERA_MAX_MESSAGE_BYTES', arg: '<n>', help: 'largest protocol message accepted', defaultValue: String(256 * 1024 * 1024) },
  { flag: '--max-connections', env: 'TESSERA_MAX_CONNECTIONS', arg: '<n>', help: 'concurrent connections accepted', defaultValue: '100' },
  { flag: '--log-level', env: 'TESSERA_LOG_LEVEL', arg: '<level>', help: 'pino log level (trace..fatal)', defaultValue: 'info' },
  { flag: '--fsync', env: 'TESSERA_FSYNC', arg: '<on|off>', help: 'fsync the WAL before a commit is acknowledged (off loses recent commits on a crash)', defaultValue: 'on' },
  { flag: '--s3-endpoint', env: 'TESSERA_S3_ENDPOINT', arg: '<url>', help: 'S3-compatible endpoint (path-style); omit for AWS S3 (credentials/region from AWS_*)' },
  { flag: '--s3-bucket', env: 'TESSERA_S3_BUCKET', arg: '<name>', help: 'bucket for sealed files and catalog snapshots; enables tiered storage' },
  { flag: '--s3-prefix', env: 'TESSERA_S3_PREFIX', arg: '<path>', help: 'key prefix inside the bucket (default: the bucket root)' },
  { flag: '--memory-budget', env: 'TESSERA_MEMORY_BUDGET', arg: '<bytes|4GB|auto>', help: 'memory for columns read from sealed segments (LRU; auto = 40% of RAM; the JS heap part is capped at half the heap limit)', defaultValue: 'auto' },
  { flag: '--cache-size', env: 'TESSERA_CACHE_SIZE', arg: '<bytes|64MB>', help: 'local cache budget with --s3-bucket (0 = unlimited)', defaultValue: '0' },
  { flag: '--s3-timeout', env: 'TESSERA_S3_TIMEOUT', arg: '<ms>', help: 'how long a read of cold data retries before failing with 58030', defaultValue: '10000' },
];

/** "123", "64MB", "1.5GB", "512kB" → bytes. */
export function parseByteSize(flag: string, v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|kB|KB|K|MB|M|GB|G|TB|T)?\s*$/i.exec(v);
  if (m === null) throw new ConfigError(`${flag} must be a size in bytes or with a unit (kB, MB, GB, TB), got "${v}"`);
  const unit = (m[2] ?? 'B').toUpperCase()[0]!;
  const mult = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[unit as 'B']!;
  return Math.round(Number(m[1]) * mult);
}

export class ConfigError extends Error {}

function onOff(flag: string, v: string): boolean {
  if (/^(on|true|1|yes)$/i.test(v)) return true;
  if (/^(off|false|0|no)$/i.test(v)) return false;
  throw new ConfigError(`${flag} must be on or off, got "${v}"`);
}

export function helpText(): string {
  const lines = ['Usage: npm start -- [flags]   (or: tsx src/main.ts [flags])', '', 'Flags (each also settable by its environment variable):'];
  for (const f of FLAGS) {
    const left = `  ${f.flag} ${f.arg}`.padEnd(32);
    const dflt = f.defaultValue !== undefined ? ` [default: ${f.defaultValue}]` : '';
    lines.push(`${left}${f.help}${dflt}  (${f.env})`);
  }
  lines.push(`  ${'--help'.padEnd(30)}show this help`);
  return lines.join('\n');
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Parses argv (without node and script) and env into a config. Throws ConfigError with a clear message. */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig | 'help' {
  const values = new Map<string, string>();
  for (const f of FLAGS) {
    const v = env[f.env];
    if (v !== undefined && v !== '') values.set(f.flag, v);
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return 'help';
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const spec = FLAGS.find((f) => f.flag === flag);
    if (!spec) throw new ConfigError(`unknown flag ${a} (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value ${spec.arg}`);
    values.set(flag, value);
  }
  const get = (flag: string): string | undefined => values.get(flag) ?? FLAGS.find((f) => f.flag === flag)!.defaultValue;
  const int = (flag: string, min: number, max: number): number => {
    const s = get(flag)!;
    const n = Number(s);
    if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${flag} must be an integer in ${min}..${max}, got "${s}"`);
    return n;
  };

  const users = new Map<string, string>();
  const password = get('--password');
  if (password !== undefined) users.set(get('--user')!, password);
  const usersFile = get('--users-file');
  if (usersFile !== undefined) {
    for (const line of fs.readFileSync(usersFile, 'utf8').split(/\r?\n/)) {
      if (line.trim() === '' || line.startsWith('#')) continue;
      const i = line.indexOf(':');
      if (i <= 0) throw new ConfigError(`${usersFile}: expected "name:password" lines`);
      users.set(line.slice(0, i), line.slice(i + 1));
    }
  }
  const host = get('--host')!;
  const tlsCertFile = get('--tls-cert') ?? null;
  const tlsKeyFile = get('--tls-key') ?? null;
  if ((tlsCertFile === null) !== (tlsKeyFile === null)) throw new ConfigError('--tls-cert and --tls-key go together');
  const authGiven = get('--auth');
  const auth = (authGiven ?? (users.size > 0 || !isLoopback(host) ? 'scram-sha-256' : 'trust')) as AuthMethod;
  if (!['trust', 'scram-sha-256', 'password'].includes(auth)) throw new ConfigError(`--auth must be trust, scram-sha-256 or password, got "${auth}"`);
  if (!isLoopback(host) && (auth === 'trust' || users.size === 0)) {
    throw new ConfigError(`listening on ${host} (beyond loopback) requires a password: set TESSERA_PASSWORD or --users-file (SCRAM-SHA-256)`);
  }
  if (auth !== 'trust' && users.size === 0) throw new ConfigError(`--auth ${auth} needs users: set TESSERA_PASSWORD or --users-file`);
  if (auth === 'password' && tlsCertFile === null) throw new ConfigError('--auth password sends cleartext passwords and needs TLS (--tls-cert/--tls-key)');
  return {
    host,
    port: int('--port', 0, 65535),
    dataDir: get('--data')!,
    auth,
    users,
    tlsCertFile,
    tlsKeyFile,
    maxMessageBytes: int('--max-message-bytes', 1024, 1024 * 1024 * 1024),
    maxConnections: int('--max-connections', 1, 100000),
    logLevel: get('--log-level')!,
    fsync: onOff('--fsync', get('--fsync')!),
    tiering: tieringConfig(get, int),
    memoryBudget: get('--memory-budget') === 'auto' ? null : parseByteSize('--memory-budget', get('--memory-budget')!),
    unixSocketDir: get('--unix-socket-dir') || null,
  };
}

function tieringConfig(get: (flag: string) => string | undefined, int: (flag: string, min: number, max: number) => number): TieringConfig | null {
  const bucket = get('--s3-bucket');
  const endpoint = get('--s3-endpoint') ?? null;
  if (bucket === undefined || bucket === '') {
    if (endpoint !== null) throw new ConfigError('--s3-endpoint needs --s3-bucket');
    parseByteSize('--cache-size', get('--cache-size')!);
    return null;
  }
  if (endpoint !== null && !/^https?:\/\/[^/]+/.test(endpoint)) throw new ConfigError(`--s3-endpoint must be an http:// or https:// URL, got "${endpoint}"`);
  return {
    endpoint,
    bucket,
    prefix: (get('--s3-prefix') ?? '').replace(/^\/+|\/+$/g, ''),
    cacheBytes: parseByteSize('--cache-size', get('--cache-size')!),
    timeoutMs: int('--s3-timeout', 100, 3_600_000),
  };
}
