/**
 * The SQL front door: parses a query string with libpg-query (PostgreSQL's own grammar,
 * compiled to WASM) and converts each statement to our AST. Syntax errors become 42601
 * with PostgreSQL's message and a 1-based byte position (session/ turns it into characters). Call initParser() once before parsing.
 */
import { loadModule, parseSync } from 'libpg-query';
import { DbError, SqlState } from '../errors/index.ts';
import type { ParsedStatement } from './ast.ts';
import { convertStatement } from './convert.ts';

let loaded: Promise<void> | null = null;

/** Loads the WASM parser; idempotent. */
export function initParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

interface RawParseResult {
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
    result = parseSync(sql) as RawParseResult;
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
