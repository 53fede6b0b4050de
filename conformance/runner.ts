/**
 * Conformance: executes parsed `.test` files against a Target (Tessera or the PostgreSQL
 * oracle) through real `pg` connections, compares results, and in rewrite mode regenerates
 * expected blocks, type codes and SQLSTATEs from the oracle. Flow: run.ts → runTestPath →
 * parseTestFile → Target.openFile → per record execute + compare → FileResult.
 */
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import {
  formatTypeSpec, parseTestFile, renderRow, splitRow, TestFileSyntaxError,
  type ProtocolMode, type QueryRecord, type StatementRecord, type TestFile, type TestRecord, type TypeSpec,
} from './parser.ts';
import type { FileSession, Target } from './targets.ts';

export interface RunOptions {
  /** Rewrite expected blocks / SQLSTATEs / type codes in place from this target's answers. */
  rewrite?: boolean;
  /** Per statement or query; a record that takes longer fails and its connection is dropped. */
  recordTimeoutMs?: number;
}

/** One failed record (or a file-level problem, at line 0 or the record's line). */
export interface Failure {
  readonly line: number;
  /** First line: what failed; following lines: SQL and a diff, already indented. */
  readonly message: string;
}

export interface FileResult {
  readonly path: string;
  readonly target: string;
  passed: number;
  failed: number;
  skipped: number;
  /** Records whose expectations were rewritten (rewrite mode only). */
  rewritten: number;
  readonly failures: Failure[];
  /** Server log tail, attached when something failed. */
  diagnostics: string;
  durationMs: number;
}

const DEFAULT_RECORD_TIMEOUT_MS = 30_000;

/** Type names of built-in types by OID (pg_type.typname), enough to classify result columns. */
const CORE_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [16, 'bool'], [17, 'bytea'], [18, 'char'], [19, 'name'], [20, 'int8'], [21, 'int2'], [22, 'int2vector'],
  [23, 'int4'], [24, 'regproc'], [25, 'text'], [26, 'oid'], [27, 'tid'], [28, 'xid'], [29, 'cid'],
  [30, 'oidvector'], [114, 'json'], [142, 'xml'], [194, 'pg_node_tree'], [199, '_json'], [650, 'cidr'],
  [700, 'float4'], [701, 'float8'], [705, 'unknown'], [774, 'macaddr8'], [790, 'money'], [829, 'macaddr'],
  [869, 'inet'], [1000, '_bool'], [1001, '_bytea'], [1002, '_char'], [1003, '_name'], [1005, '_int2'],
  [1006, '_int2vector'], [1007, '_int4'], [1009, '_text'], [1014, '_bpchar'], [1015, '_varchar'],
  [1016, '_int8'], [1021, '_float4'], [1022, '_float8'], [1028, '_oid'], [1033, 'aclitem'], [1034, '_aclitem'],
  [1042, 'bpchar'], [1043, 'varchar'], [1082, 'date'], [1083, 'time'], [1114, 'timestamp'], [1115, '_timestamp'],
  [1182, '_date'], [1183, '_time'], [1184, 'timestamptz'], [1185, '_timestamptz'], [1186, 'interval'],
  [1187, '_interval'], [1231, '_numeric'], [1266, 'timetz'], [1270, '_timetz'], [1560, 'bit'], [1561, '_bit'],
  [1562, 'varbit'], [1563, '_varbit'], [1700, 'numeric'], [2202, 'regprocedure'], [2205, 'regclass'],
  [2206, 'regtype'], [2249, 'record'], [2275, 'cstring'], [2278, 'void'], [2287, '_record'], [2950, 'uuid'],
  [2951, '_uuid'], [3220, 'pg_lsn'], [3614, 'tsvector'], [3615, 'tsquery'], [3734, 'regconfig'],
  [3802, 'jsonb'], [3807, '_jsonb'], [4089, 'regnamespace'], [4096, 'regrole'],
]);

/** OIDs at or above this are not built in (PostgreSQL's FirstNormalObjectId): extension types. */
const FIRST_NORMAL_OID = 16384;

const CODE_BY_TYPE_NAME: Readonly<Record<string, string>> = {
  int2: 'I', int4: 'I', int8: 'I', oid: 'I',
  float4: 'R', float8: 'R', numeric: 'R',
  text: 'T', varchar: 'T', bpchar: 'T', name: 'T', unknown: 'T', char: 'T',
  bool: 'B',
  date: 'D', time: 'D', timetz: 'D', timestamp: 'D', timestamptz: 'D', interval: 'D',
  json: 'J', jsonb: 'J',
  uuid: 'U', bytea: 'X',
  vector: 'V', halfvec: 'V', sparsevec: 'V',
};

/** The type code letter for a type name (null name = unknown non-core type). */
export function typeCodeFor(oid: number, typeName: string | null): string {
  if (typeName !== null) {
    if (typeName.startsWith('_')) return 'A';
    const code = CODE_BY_TYPE_NAME[typeName];
    if (code !== undefined) return code;
  }
  return oid >= FIRST_NORMAL_OID && typeName === null ? 'V' : '?';
}

function codeMatches(expected: string, oid: number, typeName: string | null): boolean {
  if (expected === '?') return true;
  // An extension type whose name we could not look up may still be a vector type.
  if (expected === 'V' && typeName === null && oid >= FIRST_NORMAL_OID) return true;
  return typeCodeFor(oid, typeName) === expected;
}

/** Lists `.test` files under the given files/directories, sorted, de-duplicated. */
export function findTestFiles(paths: readonly string[]): string[] {
  const out = new Set<string>();
  const walk = (p: string): void => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) walk(path.join(p, entry));
    } else if (p.endsWith('.test')) {
      out.add(path.resolve(p));
    }
  };
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new Error(`no such file or directory: ${p}`);
    if (fs.statSync(p).isFile() && !p.endsWith('.test')) throw new Error(`not a .test file: ${p}`);
    walk(p);
  }
  return [...out].sort();
}

/** Reads, parses and runs one `.test` file; parse errors become a single failure. */
export async function runTestPath(filePath: string, target: Target, opts: RunOptions = {}): Promise<FileResult> {
  let file: TestFile;
  try {
    file = parseTestFile(filePath, fs.readFileSync(filePath, 'utf8'));
  } catch (e) {
    if (!(e instanceof TestFileSyntaxError)) throw e;
    const result = emptyResult(filePath, target.name);
    result.failed = 1;
    result.failures.push({ line: e.line, message: `syntax error in test file: ${e.detail}` });
    return result;
  }
  return runTestFile(file, target, opts);
}

function emptyResult(filePath: string, target: string): FileResult {
  return { path: filePath, target, passed: 0, failed: 0, skipped: 0, rewritten: 0, failures: [], diagnostics: '', durationMs: 0 };
}

type ExecOutcome =
  | { readonly ok: true; readonly result: pg.QueryArrayResult }
  | { readonly ok: false; readonly code: string | null; readonly message: string };

/** A pending in-place edit: replace lines [start, end) with `lines`. */
interface Edit { readonly start: number; readonly end: number; readonly lines: readonly string[] }

/**
 * Runs a parsed file in a fresh FileSession of `target`. Records run in order; `halt` stops;
 * a failed `restart` or server start fails every remaining statement/query record.
 */
export async function runTestFile(file: TestFile, target: Target, opts: RunOptions = {}): Promise<FileResult> {
  const started = Date.now();
  const result = emptyResult(file.path, target.name);
  const timeoutMs = opts.recordTimeoutMs ?? DEFAULT_RECORD_TIMEOUT_MS;
  const edits: Edit[] = [];
  const countable = (r: TestRecord): boolean => r.kind === 'statement' || r.kind === 'query';

  let session: FileSession;
  try {
    session = await target.openFile();
  } catch (e) {
    result.failed = file.records.filter(countable).length || 1;
    result.failures.push({ line: 0, message: `could not start ${target.name}: ${(e as Error).message}` });
    result.durationMs = Date.now() - started;
    return result;
  }

  const runner = new ConnectionSet(session, file.protocol, timeoutMs);
  try {
    for (let index = 0; index < file.records.length; index++) {
      const record = file.records[index]!;
      if (!shouldRun(record, target.name)) {
        if (countable(record)) result.skipped++;
        continue;
      }
      if (record.kind === 'halt') break;
      if (record.kind === 'connection') { runner.use(record.name); continue; }
      if (record.kind === 'restart') {
        try {
          await runner.closeAll();
          await session.restart();
          continue;
        } catch (e) {
          const remaining = file.records.slice(index + 1).filter(countable).length;
          result.failed += remaining || 1;
          result.failures.push({ line: record.line, message: `restart failed: ${(e as Error).message}` });
          break;
        }
      }
      const failure = record.kind === 'statement'
        ? await runStatement(record, runner, opts.rewrite === true, edits)
        : await runQuery(record, runner, opts.rewrite === true, edits, file);
      if (failure === 'rewritten') {
        result.passed++;
        result.rewritten++;
      } else if (failure === null) {
        result.passed++;
      } else {
        result.failed++;
        result.failures.push({ line: record.line, message: failure });
      }
    }
  } finally {
    await runner.closeAll();
    if (result.failed > 0) result.diagnostics = session.diagnostics();
    try {
      await session.dispose();
    } catch (e) {
      result.failed++;
      result.failures.push({ line: 0, message: `shutting down ${target.name} failed: ${(e as Error).message.split('\n')[0]}` });
      result.diagnostics = session.diagnostics();
    }
  }
  if (opts.rewrite && edits.length > 0) applyEdits(file, edits);
  result.durationMs = Date.now() - started;
  return result;
}

function shouldRun(record: TestRecord, target: string): boolean {
  return record.conditions.every((c) => (c.kind === 'skipif' ? c.target !== target : c.target === target));
}

/** The named connections of one file run, opened lazily; `default` is current at start. */
class ConnectionSet {
  private readonly clients = new Map<string, pg.Client>();
  private current = 'default';
  private typeNames = new Map<number, string | null>();
  private meta: pg.Client | null = null;

  constructor(
    private readonly session: FileSession,
    private readonly protocol: ProtocolMode,
    private readonly timeoutMs: number,
  ) {}

  use(name: string): void { this.current = name; }

  /** Runs `sql` on the current connection; for multi-statement text the last result counts. */
  async exec(sql: string): Promise<ExecOutcome> {
    const name = this.current;
    let client = this.clients.get(name);
    if (!client) {
      try {
        client = await this.session.connect();
      } catch (e) {
        return { ok: false, code: null, message: `could not connect (connection ${name}): ${(e as Error).message}` };
      }
      this.clients.set(name, client);
      const opened = client;
      // A connection the server closed (FATAL, restart, crash) is forgotten; the next record reconnects.
      opened.on('end', () => { if (this.clients.get(name) === opened) this.clients.delete(name); });
    }
    const config = { text: sql, rowMode: 'array' as const, ...(this.protocol === 'extended' ? { queryMode: 'extended' } : {}) };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), this.timeoutMs); });
    try {
      const res = await Promise.race([client.query(config as pg.QueryArrayConfig), timeout]);
      if (res === 'timeout') {
        this.clients.delete(name);
        void client.end().catch(() => undefined);
        return { ok: false, code: null, message: `timed out after ${this.timeoutMs} ms (connection ${name} dropped)` };
      }
      const results = res as unknown as pg.QueryArrayResult | pg.QueryArrayResult[];
      return { ok: true, result: Array.isArray(results) ? results[results.length - 1]! : results };
    } catch (e) {
      const err = e as Error & { code?: string };
      if (!err.code) {
        // Not a server ErrorResponse (e.g. the connection died): drop it so the next record reconnects.
        this.clients.delete(name);
        void client.end().catch(() => undefined);
      }
      return { ok: false, code: err.code ?? null, message: err.message };
    } finally {
      clearTimeout(timer);
    }
  }

  /** pg_type.typname for an OID; built-ins from a table, others looked up on a side connection. */
  async typeName(oid: number): Promise<string | null> {
    const core = CORE_TYPE_NAMES.get(oid);
    if (core !== undefined) return core;
    if (this.typeNames.has(oid)) return this.typeNames.get(oid)!;
    let name: string | null = null;
    try {
      this.meta ??= await this.session.connect();
      const res = await this.meta.query<{ typname: string }>(`SELECT typname FROM pg_catalog.pg_type WHERE oid = ${oid}`);
      name = res.rows[0]?.typname ?? null;
    } catch {
      name = null;
    }
    this.typeNames.set(oid, name);
    return name;
  }

  async closeAll(): Promise<void> {
    const all = [...this.clients.values(), ...(this.meta ? [this.meta] : [])];
    this.clients.clear();
    this.meta = null;
    await Promise.all(all.map((c) => c.end().catch(() => undefined)));
  }
}

function indent(text: string, prefix = '    '): string {
  return text.split('\n').map((l) => prefix + l).join('\n');
}

async function runStatement(
  record: StatementRecord, conns: ConnectionSet, rewrite: boolean, edits: Edit[],
): Promise<string | null | 'rewritten'> {
  const out = await conns.exec(record.sql);
  const sql = indent(record.sql);
  if (record.expect.kind === 'ok') {
    if (out.ok) return null;
    return `statement failed: ${out.code ?? 'no SQLSTATE'} ${out.message}\n${sql}`;
  }
  const { sqlstate, messageRegex } = record.expect;
  if (out.ok) return `statement succeeded but error ${sqlstate ?? '(any)'} was expected\n${sql}`;
  if (messageRegex !== null && !new RegExp(messageRegex).test(out.message)) {
    return `error message does not match /${messageRegex}/: ${out.code ?? ''} ${out.message}\n${sql}`;
  }
  if (sqlstate === null || sqlstate === out.code) {
    if (rewrite && sqlstate === null && out.code) {
      edits.push({ start: record.line - 1, end: record.line, lines: [statementErrorHeader(out.code, messageRegex)] });
      return 'rewritten';
    }
    return null;
  }
  if (rewrite && out.code) {
    edits.push({ start: record.line - 1, end: record.line, lines: [statementErrorHeader(out.code, messageRegex)] });
    return 'rewritten';
  }
  return `expected SQLSTATE ${sqlstate}, got ${out.code ?? 'none'}: ${out.message}\n${sql}`;
}

function statementErrorHeader(code: string, messageRegex: string | null): string {
  return `statement error ${code}${messageRegex !== null ? ' ' + messageRegex : ''}`;
}

async function runQuery(
  record: QueryRecord, conns: ConnectionSet, rewrite: boolean, edits: Edit[], file: TestFile,
): Promise<string | null | 'rewritten'> {
  const out = await conns.exec(record.sql);
  const sql = indent(record.sql);
  if (!out.ok) return `query failed: ${out.code ?? 'no SQLSTATE'} ${out.message}\n${sql}`;
  const { fields, rows } = out.result;
  const problems: string[] = [];

  // Column types.
  const names = await Promise.all(fields.map((f) => conns.typeName(f.dataTypeID)));
  const actualSpec = deriveTypeSpec(record.types, fields.map((f) => f.dataTypeID), names);
  const wantCount = record.types.kind === 'codes' ? record.types.codes.length : record.types.names.length;
  let typesOk = wantCount === fields.length;
  if (!typesOk) {
    problems.push(`expected ${wantCount} columns (${formatTypeSpec(record.types)}), got ${fields.length} (${formatTypeSpec(actualSpec)})`);
  } else {
    fields.forEach((f, i) => {
      const name = names[i] ?? null;
      const ok = record.types.kind === 'codes'
        ? codeMatches(record.types.codes[i]!, f.dataTypeID, name)
        : record.types.names[i] === name;
      if (!ok) {
        typesOk = false;
        const want = record.types.kind === 'codes' ? `type code ${record.types.codes[i]}` : `type ${record.types.names[i]}`;
        problems.push(`column ${i + 1} (${f.name}): expected ${want}, got ${name ?? 'unknown type'} (oid ${f.dataTypeID})`);
      }
    });
  }

  // Rows.
  const actualRows = rows.map((r) => renderRow(r.map((v) => (v === null || v === undefined ? null : String(v)))));
  const [want, got] = arrangeForComparison(record, actualRows);
  const rowsOk = want.length === got.length && want.every((w, i) => w === got[i]);

  if (typesOk && rowsOk) return null;
  if (rewrite) {
    const header = typesOk ? file.lines[record.line - 1]! : queryHeader(actualSpec, record.sortToken);
    const sqlLines = record.sql.split('\n');
    const expectedLines = record.sort === 'rowsort' ? [...actualRows].sort() : actualRows;
    const body = expectedLines.length > 0 || record.separatorIndex !== null ? ['----', ...expectedLines] : [];
    edits.push({ start: record.line - 1, end: record.endIndex, lines: [header, ...sqlLines, ...body] });
    return 'rewritten';
  }
  const lines = [`query result differs${record.sort !== 'nosort' ? ` (${record.sort})` : ''}`, sql];
  for (const p of problems) lines.push('    ' + p);
  if (!rowsOk) {
    lines.push('    --- expected', '    +++ actual');
    for (const d of diffLines(want, got)) lines.push('    ' + d);
  }
  return lines.join('\n');
}

function queryHeader(spec: TypeSpec, sortToken: string | null): string {
  return `query ${formatTypeSpec(spec)}${sortToken !== null ? ' ' + sortToken : ''}`;
}

/** The TypeSpec the server's columns satisfy, in the same form as `want`; `?` codes are kept. */
function deriveTypeSpec(want: TypeSpec, oids: readonly number[], names: readonly (string | null)[]): TypeSpec {
  if (want.kind === 'names') return { kind: 'names', names: oids.map((oid, i) => names[i] ?? `oid${oid}`) };
  const keep = want.codes.length === oids.length;
  return { kind: 'codes', codes: oids.map((oid, i) => (keep && want.codes[i] === '?' ? '?' : typeCodeFor(oid, names[i] ?? null))) };
}

/** Applies the record's sort mode to expected and actual lines; valuesort compares single values. */
function arrangeForComparison(record: QueryRecord, actualRows: readonly string[]): [string[], string[]] {
  switch (record.sort) {
    case 'nosort': return [[...record.expected], [...actualRows]];
    case 'rowsort': return [[...record.expected].sort(), [...actualRows].sort()];
    case 'valuesort': return [record.expected.flatMap(splitRow).sort(), actualRows.flatMap(splitRow).sort()];
  }
}

/** A small LCS line diff: ' ' common, '-' only expected, '+' only actual. */
export function diffLines(want: readonly string[], got: readonly string[]): string[] {
  const n = want.length;
  const m = got.length;
  if (n * m > 4_000_000) return [...want.map((l) => '-' + l), ...got.map((l) => '+' + l)];
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = want[i] === got[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (want[i] === got[j]) { out.push(' ' + want[i]); i++; j++; }
    else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) { out.push('-' + want[i]); i++; }
    else { out.push('+' + got[j]); j++; }
  }
  while (i < n) out.push('-' + want[i++]);
  while (j < m) out.push('+' + got[j++]);
  return out;
}

function applyEdits(file: TestFile, edits: readonly Edit[]): void {
  const lines = [...file.lines];
  for (const e of [...edits].sort((a, b) => b.start - a.start)) lines.splice(e.start, e.end - e.start, ...e.lines);
  fs.writeFileSync(file.path, lines.join('\n') + '\n');
}

const MAX_FAILURES_SHOWN = 40;

/** Formats one file's result: a PASS/FAIL line, then each failure with file:line. */
export function formatFileResult(result: FileResult, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, result.path) || result.path;
  const status = result.failed === 0 ? 'PASS' : 'FAIL';
  const extra = [`${result.passed} passed`, `${result.failed} failed`];
  if (result.skipped > 0) extra.push(`${result.skipped} skipped`);
  if (result.rewritten > 0) extra.push(`${result.rewritten} rewritten`);
  const lines = [`${status} ${rel} [${result.target}] (${extra.join(', ')}; ${(result.durationMs / 1000).toFixed(1)} s)`];
  for (const f of result.failures.slice(0, MAX_FAILURES_SHOWN)) lines.push(`  ${rel}:${f.line}: ${f.message}`);
  if (result.failures.length > MAX_FAILURES_SHOWN) lines.push(`  … and ${result.failures.length - MAX_FAILURES_SHOWN} more failures`);
  if (result.failed > 0 && result.diagnostics) {
    lines.push(`  --- ${result.target} output (tail) ---`, indent(result.diagnostics, '  | '));
  }
  return lines.join('\n');
}
