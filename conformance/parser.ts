/**
 * Conformance: parses sqllogictest-style `.test` files (format in conformance/README.md) into
 * records, and renders result values in the file's row convention. Pure: no I/O beyond what
 * the caller passes in. The runner (runner.ts) executes records; run.ts is the CLI.
 */

/** Which server a `skipif` / `onlyif` condition names. */
export type TargetName = 'tessera' | 'postgres';

/** A `skipif X` or `onlyif X` line attached to the record that follows it. */
export interface Condition {
  readonly kind: 'skipif' | 'onlyif';
  readonly target: TargetName;
}

/** How a query's rows are ordered before comparison. */
export type SortMode = 'nosort' | 'rowsort' | 'valuesort';

/** Result column type expectations: one letter per column, or exact pg_type names. */
export type TypeSpec =
  | { readonly kind: 'codes'; readonly codes: readonly string[] }
  | { readonly kind: 'names'; readonly names: readonly string[] };

interface RecordBase {
  /** 1-based line of the record's header line (`statement ...`, `query ...`). */
  readonly line: number;
  readonly conditions: readonly Condition[];
}

/** `statement ok` / `statement error [SQLSTATE] [message regex]`. */
export interface StatementRecord extends RecordBase {
  readonly kind: 'statement';
  readonly expect:
    | { readonly kind: 'ok' }
    | { readonly kind: 'error'; readonly sqlstate: string | null; readonly messageRegex: string | null };
  readonly sql: string;
}

/** `query <types> [sort]`, SQL, `----`, expected rows. */
export interface QueryRecord extends RecordBase {
  readonly kind: 'query';
  readonly types: TypeSpec;
  /** The sort token as written, or null when omitted (means nosort). */
  readonly sortToken: SortMode | null;
  readonly sort: SortMode;
  readonly sql: string;
  /** Expected rendered rows; empty when the `----` block is absent or empty. */
  readonly expected: readonly string[];
  /** 0-based index of the `----` line, or null if absent (rewrite inserts one). */
  readonly separatorIndex: number | null;
  /** 0-based index one past the last line of the record (SQL or expected rows). */
  readonly endIndex: number;
}

export interface RestartRecord extends RecordBase { readonly kind: 'restart' }
export interface ConnectionRecord extends RecordBase { readonly kind: 'connection'; readonly name: string }
export interface HaltRecord extends RecordBase { readonly kind: 'halt' }

export type TestRecord = StatementRecord | QueryRecord | RestartRecord | ConnectionRecord | HaltRecord;

/** Protocol used for every statement and query in a file. */
export type ProtocolMode = 'simple' | 'extended';

export interface TestFile {
  readonly path: string;
  /** The file's lines (no trailing newline characters), kept for in-place rewriting. */
  readonly lines: readonly string[];
  readonly protocol: ProtocolMode;
  readonly records: readonly TestRecord[];
}

/** A malformed `.test` file; the message starts with `path:line:`. */
export class TestFileSyntaxError extends Error {
  override readonly name = 'TestFileSyntaxError';
  constructor(
    readonly path: string,
    /** 1-based line of the problem. */
    readonly line: number,
    /** The problem without the `path:line:` prefix. */
    readonly detail: string,
  ) {
    super(`${path}:${line}: ${detail}`);
  }
}

/** Letters accepted in `query <codes>`; the meaning of each is in README.md. */
export const TYPE_CODE_LETTERS = 'IRTBDJAUXV?';

const SORT_MODES: readonly SortMode[] = ['nosort', 'rowsort', 'valuesort'];
const SQLSTATE_RE = /^[0-9A-Z]{5}$/;

/** Parses the text of one `.test` file. Throws TestFileSyntaxError on malformed input. */
export function parseTestFile(path: string, text: string): TestFile {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const records: TestRecord[] = [];
  let protocol: ProtocolMode = 'simple';
  let pending: Condition[] = [];
  let i = 0;
  const fail = (index: number, message: string): never => {
    throw new TestFileSyntaxError(path, index + 1, message);
  };
  const isBlank = (index: number): boolean => lines[index]!.trim() === '';

  /** Collects lines from `start` up to a blank line, EOF or (optionally) `----`. */
  const collect = (start: number, stopAtSeparator: boolean): number => {
    let j = start;
    while (j < lines.length && !isBlank(j) && !(stopAtSeparator && lines[j] === '----')) j++;
    return j;
  };

  while (i < lines.length) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed === '') { i++; continue; }
    if (trimmed.startsWith('#')) {
      const m = /^#\s*protocol:\s*(\S+)\s*$/.exec(trimmed);
      if (m) {
        if (m[1] !== 'simple' && m[1] !== 'extended') fail(i, `unknown protocol "${m[1]}" (simple or extended)`);
        if (records.length > 0) fail(i, '"# protocol:" must come before the first record');
        protocol = m[1] as ProtocolMode;
      }
      i++;
      continue;
    }
    const [word, ...rest] = trimmed.split(/\s+/);
    const line = i + 1;
    switch (word) {
      case 'skipif':
      case 'onlyif': {
        const target = rest[0];
        if (target !== 'tessera' && target !== 'postgres') fail(i, `${word} needs "tessera" or "postgres"`);
        const hasTrailingReason = /#\s*\S/.test(rest.slice(1).join(' '));
        const prev = i > 0 ? lines[i - 1]!.trim() : '';
        const hasReasonAbove = /^#\s*\S/.test(prev) || /^(skipif|onlyif)\b/.test(prev);
        if (rest.length > 1 && !rest[1]!.startsWith('#')) fail(i, `unexpected text after ${word} ${target}`);
        if (!hasTrailingReason && !hasReasonAbove) fail(i, `${word} needs a reason: a "# why" comment on the line above or at the end of the line`);
        pending.push({ kind: word, target: target as TargetName });
        i++;
        continue;
      }
      case 'statement': {
        const end = collect(i + 1, false);
        if (end === i + 1) fail(i, 'statement without SQL');
        const sql = lines.slice(i + 1, end).join('\n');
        let expect: StatementRecord['expect'];
        if (rest[0] === 'ok' && rest.length === 1) {
          expect = { kind: 'ok' };
        } else if (rest[0] === 'error') {
          const m = /^\s*statement\s+error(?:\s+(\S+))?(?:\s+(.*\S))?\s*$/.exec(raw)!;
          const code = m[1] ?? null;
          if (code !== null && !SQLSTATE_RE.test(code)) fail(i, `"${code}" is not a SQLSTATE (five characters, 0-9 A-Z)`);
          const messageRegex = m[2] ?? null;
          if (messageRegex !== null) {
            try { new RegExp(messageRegex); } catch (e) { fail(i, `bad message regex: ${(e as Error).message}`); }
          }
          expect = { kind: 'error', sqlstate: code, messageRegex };
        } else {
          return fail(i, 'expected "statement ok" or "statement error [SQLSTATE] [regex]"');
        }
        records.push({ kind: 'statement', line, conditions: pending, expect, sql });
        pending = [];
        i = end;
        continue;
      }
      case 'query': {
        if (rest.length < 1 || rest.length > 2) fail(i, 'expected "query <types> [nosort|rowsort|valuesort]"');
        const types = parseTypeSpec(rest[0]!, (msg) => fail(i, msg));
        let sortToken: SortMode | null = null;
        if (rest[1] !== undefined) {
          if (!SORT_MODES.includes(rest[1] as SortMode)) fail(i, `unknown sort mode "${rest[1]}"`);
          sortToken = rest[1] as SortMode;
        }
        const sqlEnd = collect(i + 1, true);
        if (sqlEnd === i + 1) fail(i, 'query without SQL');
        const sql = lines.slice(i + 1, sqlEnd).join('\n');
        let separatorIndex: number | null = null;
        let expected: string[] = [];
        let endIndex = sqlEnd;
        if (sqlEnd < lines.length && lines[sqlEnd] === '----') {
          separatorIndex = sqlEnd;
          endIndex = collect(sqlEnd + 1, false);
          expected = lines.slice(sqlEnd + 1, endIndex);
        }
        records.push({
          kind: 'query', line, conditions: pending, types, sortToken, sort: sortToken ?? 'nosort',
          sql, expected, separatorIndex, endIndex,
        });
        pending = [];
        i = endIndex;
        continue;
      }
      case 'restart':
      case 'halt':
        if (rest.length > 0) fail(i, `unexpected text after ${word}`);
        records.push({ kind: word, line, conditions: pending });
        pending = [];
        i++;
        continue;
      case 'connection':
        if (rest.length !== 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(rest[0]!)) fail(i, 'expected "connection <name>"');
        records.push({ kind: 'connection', line, conditions: pending, name: rest[0]! });
        pending = [];
        i++;
        continue;
      default:
        fail(i, `unknown directive "${word}"`);
    }
  }
  if (pending.length > 0) fail(lines.length - 1, 'skipif/onlyif at end of file with no record after it');
  return { path, lines, protocol, records };
}

function parseTypeSpec(token: string, fail: (msg: string) => never): TypeSpec {
  if (token.startsWith('type:')) {
    const names = token.slice('type:'.length).split(',');
    if (names.some((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) fail(`bad type list "${token}" (e.g. type:int4,text)`);
    return { kind: 'names', names };
  }
  const codes = [...token];
  for (const c of codes) {
    if (!TYPE_CODE_LETTERS.includes(c)) fail(`unknown type code "${c}" (one of ${TYPE_CODE_LETTERS})`);
  }
  return { kind: 'codes', codes };
}

/** Prints a TypeSpec back in the file's syntax. */
export function formatTypeSpec(spec: TypeSpec): string {
  return spec.kind === 'codes' ? spec.codes.join('') : `type:${spec.names.join(',')}`;
}

/** Separator between the values of one row in expected blocks. */
export const VALUE_SEPARATOR = ' | ';

/**
 * Renders one value (PostgreSQL's text format, or null) so that rows are unambiguous:
 * NULL → `NULL`, '' → `(empty)`; `\` `|` newline CR tab are escaped as `\\` `\|` `\n` `\r` `\t`;
 * leading/trailing spaces become `\s`; a value that would read as `NULL`/`(empty)` gets a `\` prefix.
 */
export function renderValue(value: string | null): string {
  if (value === null) return 'NULL';
  if (value === '') return '(empty)';
  let out = value
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/^ +| +$/g, (m) => '\\s'.repeat(m.length));
  if (out === 'NULL' || out === '(empty)') out = '\\' + out;
  return out;
}

/** Renders a row of values as one expected-block line. */
export function renderRow(values: readonly (string | null)[]): string {
  return values.map(renderValue).join(VALUE_SEPARATOR);
}

/** Splits an expected-block line into rendered values (valid because values never contain ` | `). */
export function splitRow(line: string): string[] {
  return line.split(VALUE_SEPARATOR);
}
