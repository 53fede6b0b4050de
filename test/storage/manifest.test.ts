/** storage/ snapshot manifests: shared while nothing changes, pins released with the last holder, tenant segment lookup. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Segment } from '../../src/storage/segment.ts';
import { Manifest, PinSet } from '../../src/storage/snapshot.ts';
import { findRun } from '../../src/storage/tenants.ts';
import { rng } from '../vector-support.ts';
import { col, createTable, insertCommit, openEnv, scanAll } from './helpers.ts';

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_x, i) => from + i);

test('snapshots share one manifest until a commit, delete or segment change; each still reads its own moment', async () => {
  const env = await openEnv({ segmentMaxRows: 1000 });
  const t = createTable(env.catalog, 'mf', [col(1, 'id', 23)]);
  env.engine.attachTable(t);
  const ids = await insertCommit(env.engine, t.tableId, [1], range(10).map((i) => [i]));
  const s1 = env.engine.snapshot(t.tableId);
  const s2 = env.engine.snapshot(t.tableId);
  assert.equal(s1.segments, s2.segments, 'nothing changed: the same manifest');
  const del = env.engine.begin();
  del.delete(t.tableId, [ids[0]!]);
  await del.commit();
  const s3 = env.engine.snapshot(t.tableId);
  assert.notEqual(s3.segments, s1.segments, 'a delete makes a new manifest');
  await insertCommit(env.engine, t.tableId, [1], [[10]]);
  const s4 = env.engine.snapshot(t.tableId);
  assert.notEqual(s4.segments, s3.segments, 'a commit makes a new manifest');
  const count = async (s: typeof s1): Promise<number> => (await scanAll(env.engine, s, null, [1])).rows.length;
  assert.deepEqual([await count(s1), await count(s2), await count(s3), await count(s4)], [10, 10, 9, 10]);
  for (const s of [s1, s2, s3, s4]) s.release();
  await env.close();
});

test('a manifest pins its segments while current or held, and unpins once retired and released', () => {
  const pins = new PinSet();
  const segs = [new Segment(1, 7, 'sealed', 5), new Segment(1, 8, 'sealed', 0)];
  const m = new Manifest(0, segs, pins);
  assert.deepEqual(m.segments.map((r) => r.segment.segmentId), [7], 'empty segments are not part of it');
  assert.ok(pins.isPinned(7) && !pins.isPinned(8));
  assert.ok(m.fresh(0) && !m.fresh(1));
  m.acquire();
  m.retire();
  assert.ok(pins.isPinned(7), 'held by a snapshot');
  assert.ok(!m.fresh(0), 'retired');
  m.release();
  assert.ok(!pins.isPinned(7), 'retired and released');
  m.acquire();
  assert.ok(pins.isPinned(7), 'an imported snapshot re-pins');
  m.release();
  assert.equal(pins.size, 0);
  segs[1]!.rowCount = 3;
  const m2 = new Manifest(0, segs, pins);
  segs[0]!.deletes.set(1);
  assert.ok(!m2.fresh(0), 'a delete after creation');
  const m3 = new Manifest(0, segs, pins);
  segs[1]!.rowCount = 4;
  assert.ok(!m3.fresh(0), 'a growing segment appended');
});

test('segmentsFor returns every segment that holds a key (and the unclustered ones), in snapshot order', () => {
  const r = rng(42);
  const key = (i: number): string => `t${String(i).padStart(4, '0')}`;
  const segs: Segment[] = [];
  for (let s = 0; s < 120; s++) {
    const seg = new Segment(1, s + 1, 'sealed', 100);
    const kind = r.int(4);
    if (kind === 0) {
      segs.push(seg); // not clustered
      continue;
    }
    // Own files (one key), or packed ranges that may overlap (not yet levelled).
    const n = kind === 1 ? 1 : 1 + r.int(30);
    const first = r.int(2000);
    const keys = [...new Set(range(n).map(() => key(first + r.int(kind === 3 ? 600 : 60))))].sort();
    seg.tenantDir = { keys, starts: Int32Array.from(range(keys.length + 1), (i) => Math.round((i * 100) / keys.length)) };
    segs.push(seg);
  }
  const m = new Manifest(0, segs, new PinSet());
  for (let q = 0; q < 400; q++) {
    const keys = range(1 + r.int(3)).map(() => key(r.int(2700)));
    const got = m.segmentsFor(keys).map((x) => x.segment.segmentId);
    const holders = segs.filter((s) => s.tenantDir === null || keys.some((k) => findRun(s.tenantDir!, k) >= 0)).map((s) => s.segmentId);
    for (const h of holders) assert.ok(got.includes(h), `segment ${h} holds one of ${keys}`);
    assert.deepEqual(got, [...got].sort((a, b) => a - b), 'snapshot order');
    for (const id of got) {
      const dir = segs[id - 1]!.tenantDir;
      assert.ok(dir === null || keys.some((k) => dir.keys[0]! <= k && k <= dir.keys[dir.keys.length - 1]!), `segment ${id}'s range covers a key`);
    }
  }
});
