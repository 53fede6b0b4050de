/** storage/ columns and segment files: every codec path through WAL replay and sealed files; corruption is XX001. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FileState } from '../../src/catalog/index.ts';
import { DbError } from '../../src/errors/index.ts';
import { defaultFormatContext, Oid, typeByOid } from '../../src/types/index.ts';
import { ByteReader, ByteWriter } from '../../src/storage/index.ts';
import { decodeColumn, encodeColumn, ENCODE_STEP_ROWS } from '../../src/storage/column-codec.ts';
import { encodeSegmentFile, encodeSegmentFileAsync } from '../../src/storage/segment-file.ts';
import { col, createTable, insertCommit, openEnv, rowsOf } from './helpers.ts';

const VECTOR_OID = 990001; // not a core type: stored through the Float32Array fast path
const numeric = (s: string): unknown => typeByOid(1700)!.textIn(s, -1, defaultFormatContext);
const jsonb = (s: string): unknown => typeByOid(3802)!.textIn(s, -1, defaultFormatContext);

const columns = [
  col(1, 'b', 16), col(2, 'i2', 21), col(3, 'i4', 23), col(4, 'i8', 20), col(5, 'f4', 700), col(6, 'f8', 701), col(7, 'o', 26),
  col(8, 'd', 1082), col(9, 'ts', 1114), col(10, 'tstz', 1184), col(11, 't', 25), col(12, 'n', 1700), col(13, 'j', 3802), col(14, 'v', VECTOR_OID),
];
const attnums = columns.map((c) => c.attnum);
const sample = (): unknown[][] => [
  [true, -32768, -2147483648, -(2n ** 63n), 1.5, -1e300, 4294967295, -Infinity, -(2n ** 62n), 0n, '', numeric('-123.4500'), jsonb('{"a": [1, 2.50, null]}'), new Float32Array([1, -2.5, 3])],
  [false, 32767, 2147483647, 2n ** 63n - 1n, -0.25, Number.NaN, 0, Infinity, 2n ** 62n, 1234567890123n, 'héllo wörld ✓', numeric('NaN'), jsonb('"s"'), new Float32Array(0)],
  [null, null, null, null, null, null, null, null, null, null, null, null, null, null],
  [true, 1, 2, 3n, 4, 5, 6, 7, 8n, 9n, 'x'.repeat(5000), numeric('1e-20'), jsonb('{}'), new Float32Array(128).fill(0.125)],
];

/** Values in a comparable form (Numeric/Jsonb through their text output). */
function norm(rows: unknown[][]): unknown[][] {
  return rows.map((r) => r.map((v, i) => {
    if (v === null || v === undefined) return v;
    if (i === 11) return typeByOid(1700)!.textOut(v, defaultFormatContext);
    if (i === 12) return typeByOid(3802)!.textOut(v, defaultFormatContext);
    if (v instanceof Float32Array) return ['f32', ...v];
    return v;
  }));
}

test('column blocks round-trip NULLs and missing values', () => {
  const w = new ByteWriter();
  encodeColumn(23, [1, null, undefined, 4], w);
  encodeColumn(25, [undefined, 'a', null], w);
  const r = new ByteReader(w.finish(), 'test');
  assert.deepEqual(decodeColumn(r).values, [1, null, undefined, 4]);
  assert.deepEqual(decodeColumn(r).values, [undefined, 'a', null]);
  assert.equal(r.remaining, 0);
});

test('vector columns of views round-trip: runs back to back in one buffer, gaps, other buffers, NULLs, across encode steps', () => {
  const dim = 3;
  const shared = new Float32Array((ENCODE_STEP_ROWS + 50) * dim).map((_v, i) => i);
  const values: (Float32Array | null)[] = [];
  for (let i = 0; i < ENCODE_STEP_ROWS + 40; i++) {
    if (i % 97 === 5) values.push(null);
    else if (i % 31 === 7) values.push(new Float32Array([-i, i, 0.5])); // its own buffer
    else if (i % 53 === 11) values.push(shared.subarray((i + 1) * dim, (i + 2) * dim)); // out of line: a gap
    else values.push(shared.subarray(i * dim, (i + 1) * dim));
  }
  const w = new ByteWriter();
  encodeColumn(Oid.vector, values, w);
  const got = decodeColumn(new ByteReader(w.finish(), 'test')).values as (Float32Array | null)[];
  assert.equal(got.length, values.length);
  values.forEach((v, i) => assert.deepEqual(got[i] === null ? null : Array.from(got[i]!), v === null ? null : Array.from(v), `row ${i}`));
});

test('string columns are written as u32 length + the type\'s binary bytes (the generic layout), and read back', () => {
  const strings = ['', 'a', 'héllo wörld ✓', '😀 x', 'x'.repeat(3000), 'lone \ud800 surrogate'];
  for (const oid of [25, 1043, 1042, 19]) {
    const type = typeByOid(oid)!;
    const values = oid === 19 ? strings.filter((v) => v.length < 60) : strings; // name: < 64 bytes
    const fast = new ByteWriter(8);
    encodeColumn(oid, values, fast);
    const generic = new ByteWriter();
    generic.u8(30).u8(0).u32(oid).u32(values.length).u32(values.length);
    for (const v of values) {
      const b = type.binaryOut(v, defaultFormatContext);
      generic.u32(b.length).bytes(b);
    }
    assert.deepEqual(fast.finish(), generic.finish(), `type ${oid}`);
    const back = decodeColumn(new ByteReader(fast.finish(), 'test')).values;
    assert.deepEqual(back, values.map((v) => type.binaryIn(type.binaryOut(v, defaultFormatContext), -1, defaultFormatContext)));
  }
});

test('every fast-path type, generic types and NULLs survive the growing segment, WAL replay and segment files', async () => {
  const env = await openEnv();
  const t = createTable(env.catalog, 'all_types', columns);
  env.engine.attachTable(t);
  await insertCommit(env.engine, t.tableId, attnums, sample());
  const expected = norm(sample());
  assert.deepEqual(norm(await rowsOf(env.engine, t.tableId, attnums)), expected, 'growing segment');
  await env.reopen();
  assert.deepEqual(norm(await rowsOf(env.engine, t.tableId, attnums)), expected, 'after WAL replay');
  await env.reopen({ segmentMaxRows: 4 });
  await env.engine.maintain();
  assert.equal(env.catalog.files(t.tableId, [FileState.RAW]).length, 1);
  await env.reopen();
  assert.deepEqual(norm(await rowsOf(env.engine, t.tableId, attnums)), expected, 'from the segment file');
  // Projection reads only the requested columns, in the requested order.
  assert.deepEqual(await rowsOf(env.engine, t.tableId, [3, 1]), sample().map((r) => [r[2], r[0]]));
  await env.close();
});

test('zone maps prune sealed segments', async () => {
  const env = await openEnv();
  // A segment size below one commit's bytes: every commit seals its own file, and none merge.
  const t = createTable(env.catalog, 'zones', [col(1, 'id', 20), col(2, 'x', 701)], {}, 64);
  env.engine.attachTable(t);
  for (let s = 0; s < 3; s++) await insertCommit(env.engine, t.tableId, [1, 2], Array.from({ length: 10 }, (_x, i) => [BigInt(s * 10 + i), i / 2]));
  await env.engine.maintain();
  assert.equal(env.catalog.files(t.tableId, [FileState.RAW]).length, 3);
  const snap = env.engine.snapshot(t.tableId);
  const seen: bigint[] = [];
  for await (const b of env.engine.scan(snap, null, [1], { zoneFilter: (z) => (z.get(1)!.max as bigint) >= 25n })) seen.push(...b.rows.map((r) => r[0] as bigint));
  snap.release();
  assert.deepEqual(seen, Array.from({ length: 10 }, (_x, i) => BigInt(20 + i)));
  await env.close();
});

test('a flipped byte anywhere in a segment file is XX001, never served', async () => {
  const env = await openEnv({ segmentMaxRows: 4 });
  const t = createTable(env.catalog, 'flip', columns);
  env.engine.attachTable(t);
  await insertCommit(env.engine, t.tableId, attnums, sample());
  await env.engine.maintain();
  const [file] = env.catalog.files(t.tableId, [FileState.RAW]);
  const full = path.join(env.dir, 'objects', file!.location);
  const pristine = fs.readFileSync(full);
  for (const at of [0, 5, 13, 20, 40, Math.floor(pristine.length / 2), pristine.length - 1]) {
    const bad = Buffer.from(pristine);
    bad[at]! ^= 0x10;
    fs.writeFileSync(full, bad);
    await env.reopen();
    await assert.rejects(rowsOf(env.engine, t.tableId, attnums), (err: unknown) => {
      assert.ok(err instanceof DbError, String(err));
      assert.equal(err.code, 'XX001');
      assert.match(err.message, /invalid segment file/);
      return true;
    }, `byte ${at}`);
  }
  fs.writeFileSync(full, pristine);
  await env.reopen();
  assert.equal((await rowsOf(env.engine, t.tableId, attnums)).length, 4);
  await env.close();
});

test('encodeSegmentFileAsync writes the same bytes as encodeSegmentFile and lets the event loop turn meanwhile', async () => {
  const n = 100_000;
  const flat = new Float32Array(n * 128).map((_v, i) => Math.sin(i));
  const columns = [
    { attnum: 1, typeOid: Oid.int8, values: Array.from({ length: n }, (_v, i) => BigInt(i)) },
    { attnum: 2, typeOid: Oid.text, values: Array.from({ length: n }, (_v, i) => (i % 7 === 0 ? null : `t${i % 1000}`)) },
    { attnum: 3, typeOid: Oid.vector, values: Array.from({ length: n }, (_v, i) => flat.subarray(i * 128, (i + 1) * 128)) },
  ];
  const sync = encodeSegmentFile(3, 9, n, columns);
  let turns = 0;
  let ticking = true;
  const tick = (): void => {
    turns++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const stepped = await encodeSegmentFileAsync(3, 9, n, columns);
  ticking = false;
  assert.ok(stepped.bytes.equals(sync.bytes), 'byte-identical files');
  assert.deepEqual(stepped.zones, sync.zones);
  // 51 MB of vectors take well over one 10 ms slice anywhere: other work ran in between.
  assert.ok(turns >= 2, `${turns} event-loop turns during the encode`);
});
