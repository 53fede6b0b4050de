/**
 * Client test: TypeORM. `synchronize` creates the entities' tables, then a second DataSource's
 * schema builder must find nothing to change (TypeORM reads information_schema, pg_class,
 * pg_index, pg_constraint... to diff); repository and query-builder DML, a rolled-back
 * transaction, NULLs and an error. The transcript is compared with PostgreSQL 15; the vector
 * entity (a `vector` column + hnsw index, nearest neighbours) runs on Tessera alone.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DataSource, EntitySchema, IsNull, MoreThan } from 'typeorm';
import { assertSameAsPostgres, makeVectors, nearestL2, plain, startServers, type Servers } from './support.ts';

interface Customer { id: number; name: string; email: string; credit: string | null; vip: boolean; born: string | null; createdAt: Date }
interface Order { id: string; customerId: number; total: number; note: string | null }
interface Doc { id: number; title: string; embedding: string | null }

const CustomerEntity = new EntitySchema<Customer>({
  name: 'customer',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    name: { type: 'varchar', length: 60 },
    email: { type: 'text', unique: true },
    credit: { type: 'numeric', precision: 10, scale: 2, nullable: true },
    vip: { type: 'boolean', default: false },
    born: { type: 'date', nullable: true },
    createdAt: { type: 'timestamptz', createDate: true, name: 'created_at' },
  },
  checks: [{ name: 'credit_nonneg', expression: 'credit >= 0' }],
});

const OrderEntity = new EntitySchema<Order>({
  name: 'purchase',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    customerId: { type: 'int', name: 'customer_id' },
    total: { type: 'double precision' },
    note: { type: 'text', nullable: true },
  },
  indices: [{ name: 'purchase_customer_idx', columns: ['customerId'] }],
});

const DocEntity = new EntitySchema<Doc>({
  name: 'doc',
  columns: {
    id: { type: 'int', primary: true },
    title: { type: 'text' },
    embedding: { type: 'vector', length: 3, nullable: true },
  },
});

function dataSource(url: string, entities: EntitySchema<any>[]): DataSource { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new DataSource({ type: 'postgres', url, entities, synchronize: false, logging: false, poolSize: 2 });
}

/** The SQL a schema sync would run now (empty when the database matches the entities). */
async function pendingSchemaChanges(ds: DataSource): Promise<string[]> {
  const sqlInMemory = await ds.driver.createSchemaBuilder().log();
  return sqlInMemory.upQueries.map((q) => q.query);
}

async function scenario(url: string): Promise<unknown[]> {
  const out: unknown[] = [];
  const note = (label: string, value: unknown): void => { out.push({ label, value: plain(value) }); };
  const first = dataSource(url, [CustomerEntity, OrderEntity]);
  await first.initialize();
  try {
    note('first sync plan', await pendingSchemaChanges(first));
    await first.synchronize();
  } finally {
    await first.destroy();
  }
  const ds = dataSource(url, [CustomerEntity, OrderEntity]);
  await ds.initialize();
  try {
    note('second sync plan', await pendingSchemaChanges(ds));
    const customers = ds.getRepository(CustomerEntity);
    const orders = ds.getRepository(OrderEntity);
    const saved = await customers.save([
      { name: 'Ann', email: 'ann@x.io', credit: '10.50', vip: true, born: '1980-01-31' },
      { name: 'Bob', email: 'bob@x.io', credit: null, born: null },
    ]);
    note('saved', saved.map((c) => ({ id: c.id, vip: c.vip, credit: c.credit })));
    await orders.save([{ customerId: saved[0]!.id, total: 9.75 }, { customerId: saved[0]!.id, total: 0.25, note: 'tip' }, { customerId: saved[1]!.id, total: 3 }]);
    note('find', (await customers.find({ where: { credit: IsNull() }, order: { id: 'ASC' } })).map(({ createdAt, ...c }) => ({ ...c, hasCreated: createdAt instanceof Date })));
    note('find by', await orders.find({ where: { total: MoreThan(1) }, order: { id: 'ASC' }, select: { id: true, total: true, note: true } }));
    note('query builder', await ds.createQueryBuilder().select('c.name', 'name').addSelect('sum(o.total)', 'total').addSelect('count(o.note)', 'notes')
      .from('customer', 'c').innerJoin('purchase', 'o', 'o.customer_id = c.id').where('c.vip = :vip OR c.credit IS NULL', { vip: true })
      .groupBy('c.name').orderBy('c.name').getRawMany());
    note('update', (await customers.update({ email: 'bob@x.io' }, { credit: '1.00', vip: true })).affected);
    note('delete', (await orders.delete({ note: 'tip' })).affected);
    try {
      await ds.transaction(async (em) => {
        await em.getRepository(CustomerEntity).save({ name: 'Tmp', email: 'tmp@x.io' });
        await em.getRepository(OrderEntity).delete({});
        throw new Error('roll back please');
      });
    } catch (e) {
      note('transaction', (e as Error).message);
    }
    note('after rollback', [await customers.count(), await orders.count()]);
    // Thunks, run one at a time: a promise started early could reject before it is awaited.
    for (const [label, p] of [
      ['unique', () => customers.insert({ name: 'Dup', email: 'ann@x.io' })],
      ['check', () => customers.update({ name: 'Ann' }, { credit: '-1' })],
      ['not null', () => orders.insert({ customerId: null as unknown as number, total: 1 })],
    ] as const) {
      try {
        await p();
        note(label, 'no error');
      } catch (e) {
        const err = e as { driverError?: { code?: string; constraint?: string } };
        note(label, { code: err.driverError?.code ?? null, constraint: err.driverError?.constraint ?? null });
      }
    }
    note('usable', await ds.query('SELECT count(*)::int AS n FROM customer WHERE vip = $1', [true]));
  } finally {
    await ds.destroy();
  }
  return out;
}

describe('TypeORM client', () => {
  let servers: Servers;
  before(async () => {
    servers = await startServers();
  });
  after(async () => {
    await servers?.stop();
  });

  test('synchronize, then nothing to change; repositories and transactions as on PostgreSQL 15', async (t) => {
    const got = await scenario(servers.tessera.url);
    assert.deepEqual((got[1] as { value: unknown }).value, [], 'the second synchronize finds nothing to change');
    await assertSameAsPostgres(t, servers, got, async (url) => (await scenario(url)) as unknown[]);
  });

  test('a vector column with an hnsw index', async () => {
    const ds = dataSource(servers.tessera.url, [DocEntity]);
    await ds.initialize();
    try {
      await ds.query('CREATE EXTENSION IF NOT EXISTS vector');
      await ds.synchronize();
      assert.deepEqual(await pendingSchemaChanges(ds), [], 'the vector column reads back as declared');
      // An index the entities do not declare (TypeORM cannot declare USING hnsw): a sync would drop it, as on PostgreSQL.
      await ds.query('CREATE INDEX doc_embedding_idx ON doc USING hnsw (embedding vector_l2_ops)');
      assert.deepEqual(await pendingSchemaChanges(ds), ['DROP INDEX "public"."doc_embedding_idx"']);
      const rows = makeVectors(40, 3, 9).map((v, i) => ({ id: i + 1, v }));
      await ds.getRepository(DocEntity).save(rows.map((r) => ({ id: r.id, title: `d${r.id}`, embedding: `[${r.v.join(',')}]` })));
      await ds.getRepository(DocEntity).save({ id: 500, title: 'none', embedding: null });
      const q = [2, -1, 0.5];
      const near = await ds.getRepository(DocEntity).createQueryBuilder('d').select('d.id', 'id')
        .orderBy('d.embedding <-> :q').setParameters({ q: `[${q.join(',')}]` }).limit(5).getRawMany<{ id: number }>();
      assert.deepEqual(near.map((r) => r.id), nearestL2(rows, q, 5));
    } finally {
      await ds.destroy();
    }
  });
});
