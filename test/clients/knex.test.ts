/**
 * Client test: Knex. Its migrator (knex_migrations + knex_migrations_lock, hasTable through
 * information_schema, migrate.latest / rollback / latest again), schema builder, query
 * builder and transactions run against Tessera and PostgreSQL 15 and the transcripts must be
 * equal; then pgvector's knex helpers (t.vector, l2Distance) with an hnsw index on Tessera.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import knexFactory, { type Knex } from 'knex';
import { toSql } from 'pgvector/knex'; // also registers the knex extensions below (untyped)
import { assertSameAsPostgres, makeVectors, nearestL2, plain, startServers, type Servers } from './support.ts';

interface Migration { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }

const migrations: Record<string, Migration> = {
  '001_accounts': {
    async up(k) {
      await k.schema.createTable('accounts', (t) => {
        t.increments('id').primary();
        t.string('login', 40).notNullable().unique(); // ALTER TABLE ... ADD CONSTRAINT ... UNIQUE
        t.integer('balance').notNullable().defaultTo(0);
        t.decimal('rate', 8, 3);
        t.boolean('vip').defaultTo(false);
        t.date('since');
        t.jsonb('prefs');
        t.timestamps(true, true);
      });
    },
    async down(k) { await k.schema.dropTable('accounts'); },
  },
  '002_ledger': {
    async up(k) {
      await k.schema.createTable('ledger', (t) => {
        t.bigIncrements('id');
        t.integer('account_id').notNullable().index();
        t.bigInteger('amount').notNullable();
        t.text('memo');
        t.unique(['account_id', 'memo'], { indexName: 'ledger_account_memo', useConstraint: false }); // CREATE UNIQUE INDEX
      });
      await k.schema.alterTable('accounts', (t) => { t.text('nickname'); });
    },
    async down(k) {
      await k.schema.alterTable('accounts', (t) => { t.dropColumn('nickname'); });
      await k.schema.dropTable('ledger');
    },
  },
};

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};

function connect(url: string): Knex {
  return knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
}

async function scenario(url: string): Promise<unknown[]> {
  const out: unknown[] = [];
  const k = connect(url);
  const note = (label: string, value: unknown): void => { out.push({ label, value: plain(value) }); };
  const fails = async (label: string, p: Promise<unknown>): Promise<void> => {
    try {
      await p;
      note(label, 'no error');
    } catch (e) {
      const err = e as { code?: string; constraint?: string; message: string };
      note(label, { code: err.code ?? null, constraint: err.constraint ?? null, message: err.message });
    }
  };
  const columns = async (table: string): Promise<unknown> => {
    const info = await k(table).columnInfo();
    return Object.fromEntries(Object.entries(info).sort(([a], [b]) => a.localeCompare(b)));
  };
  try {
    note('latest', await k.migrate.latest({ migrationSource }));
    note('status', await k.migrate.currentVersion({ migrationSource }));
    note('has tables', [await k.schema.hasTable('accounts'), await k.schema.hasTable('ledger'), await k.schema.hasColumn('accounts', 'nickname')]);
    note('accounts columns', await columns('accounts'));
    note('rollback', await k.migrate.rollback({ migrationSource }, true));
    note('after rollback', [await k.schema.hasTable('accounts'), await k.schema.hasTable('ledger')]);
    note('latest again', await k.migrate.latest({ migrationSource }));
    note('migrations', (await k('knex_migrations').select('id', 'name', 'batch').orderBy('id')));
    note('lock', await k('knex_migrations_lock').select('*'));

    note('insert', await k('accounts').insert([
      { login: 'ann', balance: 10, rate: '1.125', vip: true, since: '2020-02-02', prefs: JSON.stringify({ dark: true }) },
      { login: 'bob', rate: null, prefs: null },
      { login: 'cyd', balance: 5 },
    ]).returning(['id', 'login', 'balance', 'vip']));
    await k('ledger').insert([{ account_id: 1, amount: '9000000000' }, { account_id: 1, amount: -3 }, { account_id: 3, amount: 7, memo: 'x' }]);
    note('select', await k('accounts').select('login', 'balance', 'rate', 'vip', 'since', 'prefs', 'nickname').where('balance', '>=', 0).orderBy('login'));
    note('nulls', await k('accounts').whereNull('rate').pluck('login'));
    note('join sum', await k('accounts as a').join('ledger as l', 'l.account_id', 'a.id').groupBy('a.login').select('a.login').sum({ total: 'l.amount' }).orderBy('a.login'));
    note('update', await k('accounts').where({ login: 'bob' }).update({ balance: 42, nickname: 'bobby' }));
    note('increment', await k('accounts').where('login', 'cyd').increment('balance', 3));
    note('delete', await k('ledger').where('amount', '<', 0).del());
    await fails('rollback', k.transaction(async (trx) => {
      await trx('accounts').insert({ login: 'tmp' });
      await trx('accounts').update({ balance: 0 });
      throw new Error('roll back please');
    }));
    note('after tx rollback', await k('accounts').select('login', 'balance').orderBy('login'));
    await fails('primary key', k('accounts').insert({ id: 1, login: 'dup' }));
    await fails('unique', k('accounts').insert({ login: 'ann' }));
    await fails('unique index', k('ledger').insert({ account_id: 3, amount: 1, memo: 'x' }));
    await fails('not null', k('ledger').insert({ account_id: 1 }));
    await fails('bad syntax', k.raw('SELEC 1'));
    note('usable', (await k('accounts').count({ n: '*' }))[0]);
    note('first', await k('accounts').where('login', 'ann').first('login', 'balance'));
    note('raw bindings', (await k.raw('SELECT ?::int + ?::int AS s, ?::text AS t', [1, 2, null])).rows);
  } finally {
    await k.destroy();
  }
  return out;
}

/** What `pgvector/knex` adds to Knex at run time (its typings declare none of it). */
interface PgvectorKnex {
  schema: { enableExtension(name: string): Promise<unknown> };
  l2Distance(column: string, value: number[]): Knex.Raw;
}
type VectorTableBuilder = Knex.CreateTableBuilder & { vector(name: string, opts: { dimensions: number }): Knex.ColumnBuilder };

describe('Knex client', () => {
  let servers: Servers;
  before(async () => {
    servers = await startServers();
  });
  after(async () => {
    await servers?.stop();
  });

  test('migrations up/down/up, queries and transactions as on PostgreSQL 15', async (t) => {
    const got = await scenario(servers.tessera.url);
    await assertSameAsPostgres(t, servers, got, async (url) => (await scenario(url)) as unknown[]);
  });

  test('pgvector knex helpers with an hnsw index', async () => {
    const k = connect(servers.tessera.url);
    try {
      await (k as unknown as PgvectorKnex).schema.enableExtension('vector');
      await k.schema.createTable('items', (t) => {
        t.increments('id');
        (t as VectorTableBuilder).vector('embedding', { dimensions: 3 });
      });
      await k.raw('CREATE INDEX items_embedding ON items USING hnsw (embedding vector_l2_ops)');
      const rows = makeVectors(40, 3, 5).map((v, i) => ({ id: i + 1, v }));
      await k('items').insert(rows.map((r) => ({ embedding: toSql(r.v) })));
      const q = [1, 1, 1];
      const near = await k('items').select('id').orderBy((k as unknown as PgvectorKnex).l2Distance('embedding', q)).limit(5);
      assert.deepEqual(near.map((r: { id: number }) => r.id), nearestL2(rows, q, 5));
      const info = await k('items').columnInfo();
      assert.equal(info.embedding!.type, 'USER-DEFINED');
    } finally {
      await k.destroy();
    }
  });
});
