/**
 * The SQL front door: parses a query string with libpg-query (PostgreSQL's own grammar,
 * compiled to WASM) and converts each statement to our AST. Syntax errors become 42601
 * with PostgreSQL's message and a 1-based byte position (session/ turns it into characters). Call initParser() once before parsing.
 */
import { loadModule } from 'libpg-query';
import createPgQuery from 'libpg-query/wasm/libpg-query.js';
import { DbError, SqlState } from '../errors/index.ts';
import type { ParsedStatement } from './ast.ts';
import { convertStatement } from './convert.ts';

/** The parts of libpg-query's emscripten module parseRaw() calls. */
interface PgQueryModule {
  readonly HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _wasm_parse_query_raw(queryPtr: number): number;
  _wasm_free_parse_result(resultPtr: number): void;
  getValue(ptr: number, type: 'i32'): number;
  UTF8ToString(ptr: number): string;
}

let loaded: Promise<void> | null = null;
let pgQuery: PgQueryModule | null = null;

/** Loads the WASM parser (and the package's own instance, which view-deparse.ts uses); idempotent. */
export function initParser(): Promise<void> {
  loaded ??= Promise.all([loadModule(), (createPgQuery as () => Promise<PgQueryModule>)().then((m) => void (pgQuery = m))]).then(() => undefined);
  return loaded;
}

/**
 * libpg-query's parseSync with the strings moved natively: the query goes into WASM memory as
 * Buffer bytes and the JSON tree comes back through one UTF-8 decode. The package copies both
 * a character at a time in JavaScript — more than half of parsing a 1,000-row INSERT of
 * vector literals (1.3 MB: ~10 of ~19 ms).
 */
export function parseRaw(sql: string): RawParseResult {
  const m = pgQuery;
  if (m === null) throw new Error('the SQL parser is not loaded: call initParser() first');
  const bytes = Buffer.from(sql, 'utf8');
  const queryPtr = m._malloc(bytes.length + 1);
  try {
    m.HEAPU8.set(bytes, queryPtr);
    m.HEAPU8[queryPtr + bytes.length] = 0;
    const result = m._wasm_parse_query_raw(queryPtr);
    if (result === 0) throw new Error('the SQL parser is out of memory');
    try {
      // PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error }
      const error = m.getValue(result + 8, 'i32');
      if (error !== 0) {
        // PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos }
        const messagePtr = m.getValue(error, 'i32');
        const message = messagePtr === 0 ? 'syntax error' : m.UTF8ToString(messagePtr);
        const cursor = m.getValue(error + 16, 'i32');
        throw Object.assign(new Error(message), { sqlDetails: { message, cursorPosition: cursor > 0 ? cursor - 1 : 0 } });
      }
      const tree = m.getValue(result, 'i32');
      const heap = m.HEAPU8; // after the call: memory may have grown
      const end = heap.indexOf(0, tree);
      return JSON.parse(Buffer.from(heap.buffer, heap.byteOffset + tree, end - tree).toString('utf8')) as RawParseResult;
    } finally {
      m._wasm_free_parse_result(result);
    }
  } finally {
    m._free(queryPtr);
  }
}

export interface RawParseResult {
  stmts?: { stmt: unknown; stmt_location?: number; stmt_len?: number }[];
}

/**
 * Parses a query string into statements. An empty string (or only comments/semicolons)
 * yields []. Positions in errors are 1-based character offsets into `sql`.
 */
export function parseSql(sql: string): ParsedStatement[] {
  // libpg-query refuses an empty string; PostgreSQL answers it with EmptyQueryResponse.
  if (sql.trim() === '') return [];
  let result: RawParseResult;
  try {
    result = parseRaw(sql);
  } catch (err) {
    const details = (err as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
    const message = details?.message ?? (err instanceof Error ? err.message : String(err));
    const cursor = details?.cursorPosition;
    throw new DbError(SqlState.SyntaxError, message, cursor === undefined || cursor < 0 ? {} : { position: cursor + 1 });
  }
  const out: ParsedStatement[] = [];
  const bytes = Buffer.from(sql, 'utf8');
  for (const s of result.stmts ?? []) {
    const startByte = s.stmt_location ?? 0;
    const endByte = s.stmt_len ? startByte + s.stmt_len : bytes.length;
    const text = bytes.toString('utf8', startByte, endByte);
    const offset = startByte;
    out.push({ stmt: convertStatement(s.stmt), sql: text, offset });
  }
  return out;
}

/**
 * Converts a UTF-8 byte offset into a JavaScript string character offset. AST locations and
 * DbError positions are byte-based inside Tessera; session/ converts them for the client.
 */
export function charOffset(sql: string, byteOffset: number): number {
  if (byteOffset <= 0) return 0;
  // Fast path: pure ASCII strings have equal offsets.
  if (/^[\x00-\x7f]*$/.test(sql)) return byteOffset;
  return Buffer.from(sql, 'utf8').subarray(0, byteOffset).toString('utf8').length;
}
