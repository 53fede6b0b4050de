/**
 * Test support for storage/: temp data directories, a file catalog with one table, engine
 * open/reopen, and scan collection.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Catalog, type ColumnDef, type TableDef } from '../../src/catalog/index.ts';
import { StorageEngine, type StorageEngineOptions, type TableSnapshot, type WriteTx } from '../../src/storage/index.ts';
import { LocalObjectStore, type ObjectStore } from '../../src/tiering/index.ts';

export const silent = pino({ level: 'silent' });

export function tempDir(prefix = 'tessera-storage-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function col(attnum: number, name: string, typeOid: number): ColumnDef {
  return { attnum, name, typeOid, typmod: -1, notNull: false, defaultExpr: null, missingValue: null, identity: null, sequence: null, dropped: false };
}

export function createTable(catalog: Catalog, name: string, columns: ColumnDef[], options: Record<string, string> = {}, segmentSizeBytes = 1 << 30): TableDef {
  return catalog.createTable({ schema: 'public', name, columns, constraints: [], segmentSizeBytes, options }, false)!;
}

export interface Env {
  dir: string;
  catalog: Catalog;
  store: ObjectStore;
  engine: StorageEngine;
  reopen(overrides?: Partial<StorageEngineOptions>): Promise<StorageEngine>;
  close(): Promise<void>;
}

/** A data dir with a file catalog and a local object store; `reopen` closes (or abandons) the engine and opens a new one. */
export async function openEnv(overrides: Partial<StorageEngineOptions> = {}, dir = tempDir()): Promise<Env> {
  const catalog = Catalog.open(path.join(dir, 'catalog.db'));
  const base = new LocalObjectStore(path.join(dir, 'objects'));
  const options = (o: Partial<StorageEngineOptions>): StorageEngineOptions => ({
    dataDir: dir, catalog, objectStore: base, log: silent, fsync: false, maintenanceIntervalMs: 0, ...overrides, ...o,
  });
  const env: Env = {
    dir, catalog, store: overrides.objectStore ?? base,
    engine: await StorageEngine.open(options({})),
    async reopen(o = {}) {
      await env.engine.close();
      env.engine = await StorageEngine.open(options(o));
      return env.engine;
    },
    async close() {
      await env.engine.close();
      catalog.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

/** Every visible row of a snapshot as [rowId, ...values]. */
export async function scanAll(engine: StorageEngine, snap: TableSnapshot, tx: WriteTx | null, attnums: number[], batchRows?: number): Promise<{ ids: number[]; rows: unknown[][] }> {
  const ids: number[] = [];
  const rows: unknown[][] = [];
  for await (const b of engine.scan(snap, tx, attnums, batchRows === undefined ? {} : { batchRows })) {
    ids.push(...b.rowIds);
    rows.push(...b.rows);
  }
  return { ids, rows };
}

/** Scan of a fresh snapshot, released afterwards. */
export async function rowsOf(engine: StorageEngine, tableId: number, attnums: number[], tx: WriteTx | null = null): Promise<unknown[][]> {
  const snap = engine.snapshot(tableId);
  try {
    return (await scanAll(engine, snap, tx, attnums)).rows;
  } finally {
    snap.release();
  }
}

/** Commits `rows` in one transaction. */
export async function insertCommit(engine: StorageEngine, tableId: number, attnums: number[], rows: unknown[][]): Promise<number[]> {
  const tx = engine.begin();
  tx.insert(tableId, rows, attnums);
  await tx.commit();
  return tx.assignedRowIds(tableId);
}
