/**
 * Resolved COPY options with PostgreSQL's defaults and checks: text uses tab and \N,
 * csv uses comma, "" and the double quote; binary takes none of them.
 */
import { DbError, SqlState, notSupported } from '../../errors/index.ts';

export interface CopyOptions {
  readonly format: 'text' | 'csv' | 'binary';
  readonly delimiter: string;
  readonly nullString: string;
  readonly header: boolean;
  readonly quote: string;
  readonly escape: string;
}

export interface CopyOptionsInput {
  readonly format: 'text' | 'csv' | 'binary';
  readonly delimiter: string | null;
  readonly null: string | null;
  readonly header: boolean;
  readonly quote: string | null;
  readonly escape: string | null;
}

const invalid = (message: string): DbError => new DbError(SqlState.FeatureNotSupported, message);

export function resolveCopyOptions(i: CopyOptionsInput, direction: 'from' | 'to'): CopyOptions {
  const csv = i.format === 'csv';
  if (i.format === 'binary' && (i.delimiter !== null || i.null !== null || i.header)) {
    throw new DbError(SqlState.SyntaxError, 'cannot specify DELIMITER, NULL or HEADER in BINARY mode');
  }
  if (!csv && (i.quote !== null || i.escape !== null)) {
    throw invalid(i.quote !== null ? 'COPY quote available only in CSV mode' : 'COPY escape available only in CSV mode');
  }
  if (i.header && i.format === 'text' && direction === 'from') {
    // PostgreSQL 15 allows HEADER in text mode.
  }
  const delimiter = i.delimiter ?? (csv ? ',' : '\t');
  if (Buffer.byteLength(delimiter) !== 1) throw invalid('COPY delimiter must be a single one-byte character');
  if (delimiter === '\n' || delimiter === '\r') throw new DbError(SqlState.InvalidParameterValue, 'COPY delimiter cannot be newline or carriage return');
  const quote = i.quote ?? '"';
  if (Buffer.byteLength(quote) !== 1) throw invalid('COPY quote must be a single one-byte character');
  const escape = i.escape ?? quote;
  if (Buffer.byteLength(escape) !== 1) throw invalid('COPY escape must be a single one-byte character');
  if (csv && delimiter === quote) throw invalid('COPY delimiter and quote must be different');
  const nullString = i.null ?? (csv ? '' : '\\N');
  if (nullString.includes('\n') || nullString.includes('\r')) {
    throw new DbError(SqlState.InvalidParameterValue, 'COPY null representation cannot use newline or carriage return');
  }
  if (i.format === 'binary' && direction === 'from' && i.header) throw notSupported('HEADER in binary COPY');
  return { format: i.format, delimiter, nullString, header: i.header, quote, escape };
}
