/**
 * kv/bloom: no false negatives ever, about 1% false positives at capacity, and a filter read
 * back from its bytes answers exactly as the original; foreign bytes are refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BloomFilter, encodeKey } from '../../src/kv/index.ts';

const key = (i: number): Buffer => encodeKey([20, 25], [BigInt(i) * 7919n, `k${i}`])!;

test('every added key may be contained; unknown keys mostly are not', () => {
  const f = new BloomFilter(50_000);
  for (let i = 0; i < 50_000; i++) f.add(key(i));
  for (let i = 0; i < 50_000; i++) assert.ok(f.mayContain(key(i)), `false negative for ${i}`);
  let fp = 0;
  for (let i = 50_000; i < 150_000; i++) if (f.mayContain(key(i))) fp++;
  assert.ok(fp / 100_000 < 0.02, `false positive rate ${fp / 100_000}`);
  assert.equal(f.full, false);
  f.add(key(-1));
  assert.equal(f.full, true);
});

test('round trip through bytes; garbage is refused', () => {
  const f = new BloomFilter(1000);
  for (let i = 0; i < 500; i++) f.add(key(i));
  const g = BloomFilter.fromBytes(f.toBytes())!;
  assert.ok(g);
  assert.equal(g.added, 500);
  for (let i = 0; i < 2000; i++) assert.equal(g.mayContain(key(i)), f.mayContain(key(i)));
  assert.equal(BloomFilter.fromBytes(Buffer.from('nope')), null);
  const bad = f.toBytes();
  bad.write('XXXX', 0, 'latin1');
  assert.equal(BloomFilter.fromBytes(bad), null);
});
