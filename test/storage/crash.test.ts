/**
 * storage/ crash safety: a child commits in a loop and is SIGKILLed at random moments, again
 * and again. After every restart each acknowledged commit is present (unless a later
 * transaction deleted it) and no transaction is half there.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Catalog } from '../../src/catalog/index.ts';
import { StorageEngine } from '../../src/storage/index.ts';
import { LocalObjectStore } from '../../src/tiering/index.ts';
import { col, createTable, rowsOf, silent, tempDir } from './helpers.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-child.ts');
const RUNS = 6;

/** Runs the child from `start` and kills it at a random time after its first commit; returns the acknowledged seqs. */
function runChild(dir: string, start: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: number[] = [];
    let buf = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('ok ')) {
          acked.push(Number(line.slice(3)));
          timer ??= setTimeout(() => child.kill('SIGKILL'), 150 + Math.random() * 900);
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code}: ${stderr}`));
      else resolve(acked);
    });
  });
}

test('SIGKILL at random moments never loses an acknowledged commit nor leaves one half applied', { timeout: 120_000 }, async () => {
  const dir = tempDir('tessera-crash-');
  const setup = Catalog.open(path.join(dir, 'catalog.db'));
  createTable(setup, 'ca', [col(1, 'seq', 23), col(2, 'j', 23), col(3, 's', 25)]);
  createTable(setup, 'cb', [col(1, 'seq', 20), col(2, 'v', 990001)]);
  setup.close();

  const acked = new Set<number>();
  const runStarts: number[] = [];
  let next = 1;
  let sealedFiles = 0;
  for (let run = 0; run < RUNS; run++) {
    runStarts.push(next);
    for (const s of await runChild(dir, next)) acked.add(s);
    // Recover in this process and check.
    const catalog = Catalog.open(path.join(dir, 'catalog.db'));
    const engine = await StorageEngine.open({
      dataDir: dir, catalog, objectStore: new LocalObjectStore(path.join(dir, 'objects')), log: silent, fsync: true, maintenanceIntervalMs: 0, segmentMaxRows: 40,
    });
    const a = new Map<number, number>();
    const b = new Map<number, number>();
    for (const r of await rowsOf(engine, catalog.getTable('public', 'ca')!.tableId, [1, 2])) a.set(r[0] as number, (a.get(r[0] as number) ?? 0) + 1);
    for (const r of await rowsOf(engine, catalog.getTable('public', 'cb')!.tableId, [1, 2])) {
      const s = Number(r[0]);
      b.set(s, (b.get(s) ?? 0) + 1);
      if (r[1] !== null) assert.deepEqual(r[1], new Float32Array([s, s / 2]));
    }
    const maxSeq = Math.max(0, ...acked, ...a.keys(), ...b.keys());
    const present = (s: number): boolean => {
      const na = a.get(s) ?? 0;
      const nb = b.get(s) ?? 0;
      assert.ok((na === 0 && nb === 0) || (na === 3 && nb === 2), `seq ${s} is half there: ${na} rows in ca, ${nb} in cb`);
      return na === 3;
    };
    // Which run committed seq s (deletes only target seqs of the same run).
    const runOf = (s: number): number => runStarts.filter((st) => st <= s).length - 1;
    for (let s = 1; s <= maxSeq; s++) {
      const deleter = s + 3;
      const deletedBy = deleter % 5 === 0 && runOf(deleter) === runOf(s) && deleter <= maxSeq && present(deleter);
      if (present(s)) assert.ok(!deletedBy, `seq ${s} should have been deleted by ${deleter}`);
      else if (acked.has(s)) assert.ok(deletedBy, `acknowledged seq ${s} is missing`);
    }
    sealedFiles = catalog.files(catalog.getTable('public', 'ca')!.tableId).length;
    await engine.close();
    catalog.close();
    next = maxSeq + 1;
  }
  assert.ok(acked.size > RUNS * 5, `the child made progress (${acked.size} commits acknowledged)`);
  assert.ok(sealedFiles > 0, 'segments were sealed along the way');
  fs.rmSync(dir, { recursive: true, force: true });
});
