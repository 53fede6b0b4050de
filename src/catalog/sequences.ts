/**
 * catalog/: Sequences rows behind serial and identity columns, and the Meta key/value rows
 * for engine state. nextval commits before it returns (synchronous=FULL), so a value handed
 * out is never handed out again, even after a crash.
 */
import { DbError, SqlState } from '../errors/index.ts';
import type { CatalogDb } from './catalog-db.ts';

const INT8_MAX = 9223372036854775807n;
const INT8_MIN = -9223372036854775808n;

/** Options of CREATE SEQUENCE; defaults as PostgreSQL's for the sign of increment. */
export interface SequenceOptions {
  start?: number | bigint;
  increment?: number | bigint;
  min?: number | bigint;
  max?: number | bigint;
  cycle?: boolean;
}

interface SequenceRowDb {
  value: bigint | null;
  increment: bigint;
  min: bigint;
  max: bigint;
  cycle: bigint;
}

function badOption(message: string): DbError {
  return new DbError(SqlState.InvalidParameterValue, message);
}

/** CREATE SEQUENCE; 42P07 when the name is taken, 22023 for inconsistent bounds. */
export function createSequence(cdb: CatalogDb, name: string, opts: SequenceOptions = {}): void {
  const increment = BigInt(opts.increment ?? 1);
  if (increment === 0n) throw badOption('INCREMENT must not be zero');
  const min = BigInt(opts.min ?? (increment > 0n ? 1n : INT8_MIN));
  const max = BigInt(opts.max ?? (increment > 0n ? INT8_MAX : -1n));
  if (min >= max) throw badOption(`MINVALUE (${min}) must be less than MAXVALUE (${max})`);
  const start = BigInt(opts.start ?? (increment > 0n ? min : max));
  if (start < min) throw badOption(`START value (${start}) cannot be less than MINVALUE (${min})`);
  if (start > max) throw badOption(`START value (${start}) cannot be greater than MAXVALUE (${max})`);
  cdb.tx(() => {
    if (cdb.get('SELECT 1 FROM Sequences WHERE name = ?', name) !== undefined) {
      throw new DbError(SqlState.DuplicateTable, `relation "${name}" already exists`);
    }
    cdb.run('INSERT INTO Sequences (name, value, increment, min, max, cycle) VALUES (?, ?, ?, ?, ?, ?)',
      name, start, increment, min, max, opts.cycle === true ? 1 : 0);
  });
}

/** DROP SEQUENCE; 42P01 when it does not exist. */
export function dropSequence(cdb: CatalogDb, name: string): void {
  cdb.tx(() => {
    if (cdb.run('DELETE FROM Sequences WHERE name = ?', name).changes === 0) {
      throw new DbError(SqlState.UndefinedTable, `sequence "${name}" does not exist`);
    }
  });
}

/** Deletes the named sequences that exist (a dropped table's or column's), inside the caller's transaction. */
export function deleteSequences(cdb: CatalogDb, names: readonly string[]): void {
  for (const n of names) cdb.run('DELETE FROM Sequences WHERE name = ?', n);
}

/** True when the sequence exists. */
export function sequenceExists(cdb: CatalogDb, name: string): boolean {
  return cdb.get('SELECT 1 FROM Sequences WHERE name = ?', name) !== undefined;
}

/**
 * Hands out count consecutive values (step = increment) and returns the first. Committed
 * before returning. Past the bound: 2200H unless the sequence cycles, when the range
 * restarts at MINVALUE (MAXVALUE for a descending sequence).
 */
export function nextval(cdb: CatalogDb, name: string, count = 1): bigint {
  if (!Number.isSafeInteger(count) || count < 1) throw new DbError(SqlState.InternalError, `nextval: count ${count} must be a positive integer`);
  return cdb.tx(() => {
    const row = cdb.stmt('SELECT value, increment, min, max, cycle FROM Sequences WHERE name = ?', true).get(name) as SequenceRowDb | undefined;
    if (row === undefined) throw new DbError(SqlState.UndefinedTable, `relation "${name}" does not exist`);
    const ascending = row.increment > 0n;
    const span = row.increment * BigInt(count - 1);
    const inRange = (v: bigint): boolean => v >= row.min && v <= row.max;
    const exhausted = (): DbError =>
      new DbError(SqlState.SequenceGeneratorLimitExceeded,
        `nextval: reached ${ascending ? 'maximum' : 'minimum'} value of sequence "${name}" (${ascending ? row.max : row.min})`);
    let first = row.value;
    if (first === null || !inRange(first + span)) {
      if (row.cycle === 0n) throw exhausted();
      first = ascending ? row.min : row.max;
      if (!inRange(first + span)) throw exhausted();
    }
    const following = first + span + row.increment;
    const stored = inRange(following) ? following : row.cycle !== 0n ? (ascending ? row.min : row.max) : null;
    cdb.run('UPDATE Sequences SET value = ? WHERE name = ?', stored, name);
    return first;
  });
}

/** A sequence's row (value: the next value to hand out, null once exhausted), or undefined. */
export function sequenceState(cdb: CatalogDb, name: string): { value: bigint | null; increment: bigint; min: bigint; max: bigint } | undefined {
  return cdb.stmt('SELECT value, increment, min, max FROM Sequences WHERE name = ?', true).get(name) as
    { value: bigint | null; increment: bigint; min: bigint; max: bigint } | undefined;
}

/** A Meta value, or undefined. */
export function getMeta(cdb: CatalogDb, key: string): string | undefined {
  return cdb.get<{ value: string }>('SELECT value FROM Meta WHERE key = ?', key)?.value;
}

/** Sets a Meta value; durable when it returns. */
export function setMeta(cdb: CatalogDb, key: string, value: string): void {
  cdb.tx(() => {
    cdb.run('INSERT INTO Meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
  });
}

/** Removes a Meta value (absent keys are not an error). */
export function deleteMeta(cdb: CatalogDb, key: string): void {
  cdb.tx(() => {
    cdb.run('DELETE FROM Meta WHERE key = ?', key);
  });
}

/** Meta entries whose key starts with `prefix`, in key order. */
export function metaWithPrefix(cdb: CatalogDb, prefix: string): { key: string; value: string }[] {
  return cdb.all<{ key: string; value: string }>('SELECT key, value FROM Meta WHERE substr(key, 1, ?) = ? ORDER BY key', prefix.length, prefix);
}

/** Allocates the next segment id from Meta 'next_segment_id'; persistent and monotonic. */
export function nextSegmentId(cdb: CatalogDb): number {
  return cdb.tx(() => {
    const id = Number(getMeta(cdb, 'next_segment_id') ?? '1');
    cdb.run('INSERT INTO Meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', 'next_segment_id', String(id + 1));
    return id;
  });
}
