/**
 * Client test: Kysely (PostgresDialect over a pg Pool). Its schema builder, typed queries,
 * transactions, a view (createView) and its introspection API (db.introspection.getTables / getSchemas) run against
 * Tessera and PostgreSQL 15 and the transcripts must be equal; then pgvector's kysely helpers
 * (l2Distance) with an hnsw index against Tessera, checked against brute force.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kysely, PostgresDialect, sql, type Generated } from 'kysely';
import pg from 'pg';
import { l2Distance, toSql } from 'pgvector/kysely';
import { assertSameAsPostgres, makeVectors, nearestL2, plain, startServers, type Servers } from './support.ts';

interface Db {
  person: { id: Generated<number>; email: string; age: number | null; score: string | null; joined: Date | null; active: Generated<boolean> };
  pet: { id: Generated<number>; owner_id: number; name: string; kind: Generated<string> };
  embedding: { id: number; label: string | null; v: string | null };
}

function connect(url: string): Kysely<Db> {
  return new Kysely<Db>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) });
}

async function scenario(url: string): Promise<unknown[]> {
  const out: unknown[] = [];
  const db = connect(url);
  const note = (label: string, value: unknown): void => { out.push({ label, value: plain(value) }); };
  const fails = async (label: string, p: Promise<unknown>): Promise<void> => {
    try {
      await p;
      note(label, 'no error');
    } catch (e) {
      const err = e as pg.DatabaseError;
      note(label, { code: err.code, message: err.message, constraint: err.constraint ?? null });
    }
  };
  try {
    await db.schema.createTable('person')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('email', 'varchar(100)', (c) => c.notNull().unique())
      .addColumn('age', 'integer', (c) => c.check(sql`age >= 0`))
      .addColumn('score', 'numeric(6, 2)')
      .addColumn('joined', 'timestamptz')
      .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
      .execute();
    await db.schema.createTable('pet')
      .addColumn('id', 'bigserial', (c) => c.primaryKey())
      .addColumn('owner_id', 'integer', (c) => c.notNull()) // Tessera: FOREIGN KEY is 0A000
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull().defaultTo('cat'))
      .execute();
    await db.schema.createIndex('pet_owner').on('pet').column('owner_id').execute();

    note('insert', await db.insertInto('person').values([
      { email: 'ann@x.io', age: 31, score: '12.50', joined: new Date('2024-01-02T03:04:05Z') },
      { email: 'bob@x.io', age: null, score: null, joined: null },
      { email: 'cy@x.io', age: 7, score: '-1.25', joined: new Date('2023-12-31T23:59:59.5Z') },
    ]).returning(['id', 'email']).execute());
    note('insert pets', await db.insertInto('pet').values([
      { owner_id: 1, name: 'Tom' }, { owner_id: 1, name: 'Rex', kind: 'dog' }, { owner_id: 3, name: 'Nemo', kind: 'fish' },
    ]).returning('id').execute());
    note('select', await db.selectFrom('person').selectAll().where('age', 'is not', null).orderBy('id').execute());
    note('select nulls', await db.selectFrom('person').select(['email', 'age', 'score']).where('age', 'is', null).execute());
    note('join', await db.selectFrom('pet').innerJoin('person', 'person.id', 'pet.owner_id')
      .select(['person.email', 'pet.name', 'pet.kind']).where('pet.kind', '!=', 'fish').orderBy('pet.name').execute());
    note('group', await db.selectFrom('pet').select(['owner_id', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('owner_id').orderBy('owner_id').execute());
    note('update', Number((await db.updateTable('person').set({ age: 32 }).where('email', '=', 'ann@x.io').executeTakeFirst()).numUpdatedRows));
    note('delete', Number((await db.deleteFrom('pet').where('owner_id', 'in', db.selectFrom('person').select('id').where('age', '<', 10)).executeTakeFirst()).numDeletedRows));
    note('delete person', Number((await db.deleteFrom('person').where('id', '=', 3).executeTakeFirst()).numDeletedRows));
    note('pets left', await db.selectFrom('pet').select('name').orderBy('name').execute());

    await fails('rollback', db.transaction().execute(async (trx) => {
      await trx.insertInto('person').values({ email: 'tmp@x.io', age: 1, score: null, joined: null }).execute();
      await trx.updateTable('person').set({ score: '99.99' }).execute();
      throw new Error('roll back please');
    }));
    note('after rollback', await db.selectFrom('person').select(['email', 'score']).orderBy('email').execute());
    await fails('unique', db.insertInto('person').values({ email: 'ann@x.io', age: 1, score: null, joined: null }).execute());
    await fails('not null', db.insertInto('pet').values({ owner_id: null as unknown as number, name: 'Ghost' }).execute());
    await fails('check', db.updateTable('person').set({ age: -5 }).execute());
    note('usable', await db.selectFrom('person').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst());

    // A view: Kysely's schema builder creates it and its introspection lists it with isView.
    await db.schema.createView('adults').as(db.selectFrom('person').select(['id', 'email']).where('age', '>=', 18)).execute();
    note('view', await db.selectFrom('adults' as 'person').select(['id', 'email']).orderBy('id').execute());
    const tables = await db.introspection.getTables();
    note('getTables', tables.map((t) => ({ ...t, columns: [...t.columns] })).sort((a, b) => a.name.localeCompare(b.name)));
    note('getSchemas', (await db.introspection.getSchemas()).map((s) => s.name).filter((n) => n === 'public'));
  } finally {
    await db.destroy();
  }
  return out;
}

describe('Kysely client', () => {
  let servers: Servers;
  before(async () => {
    servers = await startServers();
  });
  after(async () => {
    await servers?.stop();
  });

  test('schema builder, queries, transactions and introspection as on PostgreSQL 15', async (t) => {
    const got = await scenario(servers.tessera.url);
    await assertSameAsPostgres(t, servers, got, async (url) => (await scenario(url)) as unknown[]);
  });

  test('pgvector kysely helpers with an hnsw index', async () => {
    const db = connect(servers.tessera.url);
    try {
      await sql`CREATE EXTENSION IF NOT EXISTS vector`.execute(db);
      await db.schema.createTable('embedding')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('label', 'text')
        .addColumn('v', sql`vector(4)`)
        .execute();
      await db.schema.createIndex('embedding_v').on('embedding').using('hnsw').expression(sql`v vector_l2_ops`).execute();
      const rows = makeVectors(50, 4, 11).map((v, i) => ({ id: i + 1, v }));
      await db.insertInto('embedding').values(rows.map((r) => ({ id: r.id, label: `e${r.id}`, v: toSql(r.v) as string }))).execute();
      await db.insertInto('embedding').values({ id: 99, label: null, v: null }).execute();
      const q = [0.5, 1, -1, 2];
      const near = await db.selectFrom('embedding').select(['id', 'label']).orderBy(l2Distance('v', q)).limit(5).execute();
      assert.deepEqual(near.map((r) => r.id), nearestL2(rows, q, 5));
      const tables = await db.introspection.getTables();
      const v = tables.find((t) => t.name === 'embedding')!.columns.find((c) => c.name === 'v')!;
      assert.deepEqual({ dataType: v.dataType, dataTypeSchema: v.dataTypeSchema, isNullable: v.isNullable }, { dataType: 'vector', dataTypeSchema: 'public', isNullable: true });
    } finally {
      await db.destroy();
    }
  });
});
