/** Unit tests for flag/env parsing (src/server/config.ts) and the --help text. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ConfigError, parseConfig, type ServerConfig } from '../src/server/index.ts';
import { REPO_ROOT } from './support/tessera.ts';

const cfg = (argv: string[], env: NodeJS.ProcessEnv = {}): ServerConfig => {
  const c = parseConfig(argv, env);
  assert.notEqual(c, 'help');
  return c as ServerConfig;
};

test('embedded defaults: ./data, 127.0.0.1:5432, trust', () => {
  const c = cfg([]);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 5432);
  assert.equal(c.dataDir, './data');
  assert.equal(c.auth, 'trust');
});

test('flags override environment, environment overrides defaults', () => {
  assert.equal(cfg([], { TESSERA_PORT: '7000', TESSERA_DATA: '/d' }).port, 7000);
  assert.equal(cfg(['--port', '7001'], { TESSERA_PORT: '7000' }).port, 7001);
  assert.equal(cfg(['--data=/x'], { TESSERA_DATA: '/d' }).dataDir, '/x');
});

test('a password switches to SCRAM; beyond loopback needs one', () => {
  assert.equal(cfg([], { TESSERA_PASSWORD: 'pw' }).auth, 'scram-sha-256');
  assert.throws(() => cfg(['--host', '0.0.0.0']), ConfigError);
  assert.equal(cfg(['--host', '0.0.0.0'], { TESSERA_PASSWORD: 'pw' }).auth, 'scram-sha-256');
  assert.throws(() => cfg(['--auth', 'password'], { TESSERA_PASSWORD: 'pw' }), /needs TLS/);
});

test('bad flags are reported clearly', () => {
  assert.throws(() => cfg(['--nope']), /unknown flag --nope/);
  assert.throws(() => cfg(['--port', 'abc']), /--port must be an integer/);
  assert.throws(() => cfg(['--port']), /--port needs a value/);
});

test('npm start -- --help lists every flag', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0);
  for (const flag of ['--port', '--data', '--host', '--auth', '--password', '--users-file', '--tls-cert', '--tls-key', '--max-message-bytes']) {
    assert.match(r.stdout, new RegExp(flag));
  }
});
