/**
 * The graph temp dir (in /dev/shm when writable): a server killed with SIGKILL leaves its dir
 * behind, and the next server to start removes it — but never the dir of a process that runs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { memoryTmp } from '../src/ann/service.ts';
import { startTessera } from './support/tessera.ts';

const dirsOf = (pid: number): string[] => fs.readdirSync(memoryTmp()).filter((n) => n.startsWith(`tessera-ann-${pid}-`));

test('a killed server\'s graph temp dir is removed by the next start; a running process\'s is kept', async () => {
  const alive = fs.mkdtempSync(path.join(memoryTmp(), `tessera-ann-${process.pid}-`));
  fs.writeFileSync(path.join(alive, 'load-1.hnsw'), 'x');
  const server = await startTessera();
  try {
    const first = server.pid;
    assert.equal(dirsOf(first).length, 1, 'the server made its dir, named with its pid');
    fs.writeFileSync(path.join(memoryTmp(), dirsOf(first)[0]!, 'load-2.hnsw'), Buffer.alloc(1 << 20));
    await server.kill('SIGKILL');
    assert.equal(dirsOf(first).length, 1, 'SIGKILL left it behind');
    await server.restart();
    assert.notEqual(server.pid, first);
    assert.deepEqual(dirsOf(first), [], 'removed at the next start');
    assert.equal(dirsOf(server.pid).length, 1);
    assert.ok(fs.existsSync(path.join(alive, 'load-1.hnsw')), 'the dir of a running process stays');
  } finally {
    await server.stop();
    fs.rmSync(alive, { recursive: true, force: true });
  }
  assert.deepEqual(dirsOf(server.pid), [], 'a clean stop removes its own');
});
