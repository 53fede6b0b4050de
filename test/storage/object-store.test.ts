/** tiering/ ObjectStore: the local store's contract and the fault-injecting wrapper. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FaultyObjectStore, LocalObjectStore } from '../../src/tiering/index.ts';
import { tempDir } from './helpers.ts';

test('LocalObjectStore: put/get/getRange/size/list/delete', async () => {
  const dir = tempDir();
  const store = new LocalObjectStore(dir);
  await store.put('tables/1/segments/2.seg', Buffer.from('hello world'));
  await store.put('tables/1/deletes/2.del', Buffer.from('x'));
  await store.put('tables/10/segments/3.seg', Buffer.from('y'));
  assert.equal((await store.get('tables/1/segments/2.seg')).toString(), 'hello world');
  assert.equal((await store.getRange('tables/1/segments/2.seg', 6, 5)).toString(), 'world');
  await assert.rejects(store.getRange('tables/1/segments/2.seg', 6, 50));
  assert.equal(await store.size('tables/1/segments/2.seg'), 11);
  assert.deepEqual(await store.list('tables/1/'), ['tables/1/deletes/2.del', 'tables/1/segments/2.seg']);
  assert.deepEqual(await store.list('tables/1/segments/'), ['tables/1/segments/2.seg']);
  await store.put('tables/1/segments/2.seg', Buffer.from('replaced'));
  assert.equal((await store.get('tables/1/segments/2.seg')).toString(), 'replaced');
  await store.delete('tables/1/segments/2.seg');
  await store.delete('tables/1/segments/2.seg');
  await assert.rejects(store.get('tables/1/segments/2.seg'), { code: 'ENOENT' });
  assert.throws(() => store.get('../escape'), /invalid object key/);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'tables/1/segments')), [], 'no temp files left');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('FaultyObjectStore fails exactly the Nth put and writes nothing for it', async () => {
  const dir = tempDir();
  const store = new FaultyObjectStore(new LocalObjectStore(dir), 2);
  await store.put('a', Buffer.from('1'));
  await assert.rejects(store.put('b', Buffer.from('2')), { code: 'EINJECTED' });
  await store.put('c', Buffer.from('3'));
  assert.deepEqual(await store.list(''), ['a', 'c']);
  assert.deepEqual(store.failedPuts, [2]);
  fs.rmSync(dir, { recursive: true, force: true });
});
