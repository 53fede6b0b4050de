/**
 * kv/key-encoding: byte order of encoded keys equals SQL order (C collation for text),
 * composite keys order column by column, NULLs are not encoded, and keys decode back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeKey, encodeKey, encodeKeyLatin1 } from '../../src/kv/index.ts';
import { mulberry32 } from '../support/prng.ts';

const rng = mulberry32;

const sign = (x: number): number => (x < 0 ? -1 : x > 0 ? 1 : 0);
const cmpBig = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
/** C collation: compare UTF-8 bytes. */
const cmpText = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

test('bigint keys: byte order = numeric order, including extremes', () => {
  const r = rng(7);
  const vals = [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 1n, 255n, 256n, -256n];
  for (let i = 0; i < 500; i++) vals.push(BigInt(Math.floor((r() - 0.5) * 2 ** 53)) * BigInt(1 + Math.floor(r() * 1000)));
  for (const a of vals) {
    for (const b of vals.slice(0, 60)) {
      assert.equal(sign(Buffer.compare(encodeKey([20], [a])!, encodeKey([20], [b])!)), cmpBig(a, b), `${a} vs ${b}`);
    }
    assert.deepEqual(decodeKey(encodeKey([20], [a])!), [BigInt.asIntN(64, a)]);
  }
});

test('int2/int4 and int8 share one encoding', () => {
  assert.deepEqual(encodeKey([23], [-5]), encodeKey([20], [-5n]));
  assert.deepEqual(encodeKey([21], [7]), encodeKey([20], [7n]));
});

test('text keys: byte order = C collation, with NUL-free and multi-byte strings', () => {
  const r = rng(11);
  const alphabet = ['a', 'b', 'z', 'A', ' ', 'é', '€', '😀', '\u0001', 'ÿ'];
  const vals = ['', 'a', 'ab', 'a b', 'b'];
  for (let i = 0; i < 300; i++) vals.push(Array.from({ length: Math.floor(r() * 5) }, () => alphabet[Math.floor(r() * alphabet.length)]).join(''));
  for (const a of vals) {
    for (const b of vals.slice(0, 60)) assert.equal(sign(Buffer.compare(encodeKey([25], [a])!, encodeKey([25], [b])!)), sign(cmpText(a, b)), `${a} vs ${b}`);
    assert.deepEqual(decodeKey(encodeKey([25], [a])!), [a]);
  }
});

test('uuid keys order like PostgreSQL (bytewise) and round-trip', () => {
  const a = '00000000-0000-0000-0000-000000000001';
  const b = 'ffffffff-0000-0000-0000-000000000000';
  const c = '10000000-0000-0000-0000-000000000000';
  const sorted = [b, a, c].sort((x, y) => Buffer.compare(encodeKey([2950], [x])!, encodeKey([2950], [y])!));
  assert.deepEqual(sorted, [a, c, b]);
  assert.deepEqual(decodeKey(encodeKey([2950], [c])!), [c]);
});

test('composite keys order by first column, then second; a text prefix never collides', () => {
  const r = rng(3);
  const rows: [string, bigint][] = [];
  for (let i = 0; i < 300; i++) rows.push([['', 'a', 'ab', 'b'][Math.floor(r() * 4)]!, BigInt(Math.floor((r() - 0.5) * 100))]);
  for (const x of rows) {
    for (const y of rows.slice(0, 50)) {
      const want = sign(cmpText(x[0], y[0])) || cmpBig(x[1], y[1]);
      assert.equal(sign(Buffer.compare(encodeKey([25, 20], x)!, encodeKey([25, 20], y)!)), want);
    }
  }
  // ("a", "b|...") vs ("ab", ...): the terminator keeps them apart and ordered.
  assert.ok(Buffer.compare(encodeKey([25, 25], ['a', 'bc'])!, encodeKey([25, 25], ['ab', ''])!) < 0);
});

test('a NULL anywhere in the key: not encoded', () => {
  assert.equal(encodeKey([20, 25], [1n, null]), null);
  assert.equal(encodeKey([20], [null]), null);
});

test('float keys order numerically; -0 equals 0', () => {
  const vals = [-Infinity, -1e300, -1, -0.5, 0, 0.5, 1, 1e300, Infinity, NaN];
  for (let i = 0; i + 1 < vals.length; i++) assert.ok(Buffer.compare(encodeKey([701], [vals[i]])!, encodeKey([701], [vals[i + 1]])!) < 0, `${vals[i]}`);
  assert.deepEqual(encodeKey([701], [-0]), encodeKey([701], [0]));
});

test('encodeKeyLatin1 (the index\'s in-memory form, fast path for one integer column) = encodeKey as latin1', () => {
  let seed = 7;
  const r = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const ints: (number | bigint)[] = [0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, -(2 ** 32), 2 ** 32 - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER,
    0n, -1n, 9223372036854775807n, -9223372036854775808n, 4294967296n, -4294967297n];
  for (let i = 0; i < 2000; i++) {
    const n = Math.floor((r() - 0.5) * 2 ** (1 + Math.floor(r() * 53)));
    ints.push(n, BigInt(n), BigInt(n) * 1000003n);
  }
  for (const oid of [20, 21, 23, 26]) {
    for (const v of ints) {
      if (typeof v === 'bigint' && (v > 9223372036854775807n || v < -9223372036854775808n)) continue;
      assert.equal(encodeKeyLatin1([oid], [v]), encodeKey([oid], [v])!.toString('latin1'), `${oid} ${v}`);
    }
  }
  assert.equal(encodeKeyLatin1([20], [null]), null);
  for (const [oids, vals] of [[[25], ['a\u0000b']], [[20, 25], [5n, 'x']], [[2950], ['00000000-0000-0000-0000-000000000001']], [[701], [-1.5]]] as const) {
    assert.equal(encodeKeyLatin1(oids, vals), encodeKey(oids, vals)!.toString('latin1'));
  }
});
