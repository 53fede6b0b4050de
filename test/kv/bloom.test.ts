/**
 * kv/bloom: no false negatives ever, about 1% false positives at capacity, and a filter read
 * back from its bytes answers exactly as the original; foreign bytes are refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BloomFilter, encodeKey, GrowingBloomFilter, hashState } from '../../src/kv/index.ts';

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
  // Version 1 (bits spread over the whole filter) reads differently: refused, so the owner rebuilds.
  const v1 = f.toBytes();
  v1.writeUInt32LE(1, 4);
  assert.equal(BloomFilter.fromBytes(v1), null);
});

test('a growing filter adds layers of twice the capacity instead of re-reading keys; every added key may be contained', () => {
  const f = new GrowingBloomFilter(1000);
  const key = (i: number): Buffer => encodeKey([20], [BigInt(i) * 7919n])!;
  for (let i = 0; i < 7500; i++) f.add(key(i));
  // 1,000 + 2,000 + 4,000 + 8,000: the fourth layer holds the last 500.
  assert.deepEqual(f.layers.map((l) => l.capacity), [1000, 2000, 4000, 8000]);
  for (let i = 0; i < 7500; i++) assert.ok(f.mayContain(key(i)), `key ${i}`);
  let fp = 0;
  for (let i = 7500; i < 27500; i++) if (f.mayContain(key(i))) fp++;
  assert.ok(fp < 20000 * 0.06, `false positives ${fp} of 20,000`);
  // Layers saved and restored one by one answer the same.
  const back = new GrowingBloomFilter(0, f.layers.map((l) => BloomFilter.fromBytes(l.toBytes())!));
  for (let i = 0; i < 27500; i += 7) assert.equal(back.mayContain(key(i)), f.mayContain(key(i)));
});

test('a key hashed from its prefix\'s state sets the bits of prefix ‖ key', () => {
  const prefix = '\x00\x00\x00\x07pk\x00\x01';
  const state = hashState(prefix);
  const a = new GrowingBloomFilter(5000);
  const b = new GrowingBloomFilter(5000);
  for (let i = 0; i < 3000; i++) {
    const k = encodeKey([20], [BigInt(i) * 7919n])!.toString('latin1');
    assert.equal(a.addChecked(k, state), b.mayContain(Buffer.from(prefix + k, 'latin1')));
    b.add(Buffer.from(prefix + k, 'latin1'));
  }
  assert.deepEqual(a.layers.map((l) => [...l.bits]), b.layers.map((l) => [...l.bits]));
});
