/**
 * Client test: Prisma 7 with @prisma/adapter-pg. `prisma generate` (offline: the client with a
 * driver adapter compiles queries in WASM, no engine binary) builds a client from
 * test/clients/prisma/schema.prisma into a temp dir; the tables are created with plain SQL
 * through pg (`db push`/`db pull` need the schema-engine binary, which cannot be downloaded).
 * Client queries — create/findMany/findUnique/update/delete, filters, orderBy, take/skip,
 * relations, aggregates, interactive and batch $transaction rollbacks, NULLs, a unique violation
 * that leaves the client usable, $queryRaw/$executeRaw with parameters — run against Tessera and
 * PostgreSQL 15 and the transcripts must be equal; then a vector column through $executeRaw/
 * $queryRaw with an hnsw index and a nearest-neighbour query against Tessera, checked against
 * brute force.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { toSql } from 'pgvector';
import { REPO_ROOT } from '../support/tessera.ts';
import { assertSameAsPostgres, makeVectors, nearestL2, plain, startServers, type Servers } from './support.ts';

const run = promisify(execFile);
const PRISMA_CLI = path.join(REPO_ROOT, 'node_modules', 'prisma', 'build', 'index.js');
const SCHEMA = path.join(REPO_ROOT, 'test', 'clients', 'prisma', 'schema.prisma');

/* The generated client exists only at test time, so it is typed loosely here. */
type Client = any;
interface GeneratedModule {
  PrismaClient: new (options: { adapter: PrismaPg }) => Client;
  Prisma: { Decimal: new (value: string) => unknown };
}

/**
 * Runs `prisma generate` on a copy of the schema in a temp dir under node_modules/.cache (so the
 * generated code resolves @prisma/client from the repo) and imports the client. The CLI insists on
 * locating a schema-engine binary even though generate never runs it: a stub that fails stands in.
 */
async function generateClient(dir: string): Promise<GeneratedModule> {
  fs.copyFileSync(SCHEMA, path.join(dir, 'schema.prisma'));
  const stub = path.join(dir, 'schema-engine-stub');
  fs.writeFileSync(stub, '#!/bin/sh\necho "schema-engine is not available offline" >&2\nexit 1\n', { mode: 0o755 });
  await run(process.execPath, [PRISMA_CLI, 'generate', '--schema', path.join(dir, 'schema.prisma')], {
    cwd: dir,
    timeout: 60_000,
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
  return (await import(pathToFileURL(path.join(dir, 'client', 'client.ts')).href)) as GeneratedModule;
}

const DDL = [
  `CREATE TABLE author (id serial PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, name text NOT NULL,
     age integer CHECK (age >= 0), score numeric(6, 2), joined timestamptz, active boolean NOT NULL DEFAULT true,
     big bigint, ratio double precision, meta jsonb)`,
  // Tessera: FOREIGN KEY is 0A000, so the relation exists only in the Prisma schema.
  `CREATE TABLE post (id bigserial PRIMARY KEY, author_id integer NOT NULL, title text NOT NULL, body text)`,
  'CREATE INDEX post_author_id_idx ON post (author_id)',
];

/** JSON-comparable: Decimal via its toJSON, bigint as text (plain() does the rest). */
function json(value: unknown): unknown {
  return plain(JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))));
}

async function scenario(mod: GeneratedModule, url: string): Promise<unknown[]> {
  const out: unknown[] = [];
  const note = (label: string, value: unknown): void => { out.push({ label, value: json(value) }); };
  const fails = async (label: string, p: Promise<unknown>): Promise<void> => {
    try {
      await p;
      note(label, 'no error');
    } catch (e) {
      const err = e as { name?: string; code?: string; meta?: { driverAdapterError?: { cause?: unknown } }; message: string };
      note(label, { name: err.name ?? null, code: err.code ?? null, cause: err.meta?.driverAdapterError?.cause ?? null, message: err.code ? null : err.message });
    }
  };
  const c = new pg.Client(url);
  await c.connect();
  try {
    for (const sql of DDL) await c.query(sql);
  } finally {
    await c.end();
  }
  const prisma = new mod.PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }) });
  try {
    note('create', await prisma.author.create({
      data: {
        email: 'ann@x.io', name: 'Ann', age: 31, score: new mod.Prisma.Decimal('12.50'), joined: new Date('2024-01-02T03:04:05.123Z'),
        big: 9007199254740993n, ratio: 0.1, meta: { a: [1, 2], b: null, s: 'é' },
      },
    }));
    note('createMany', await prisma.author.createMany({
      data: [{ email: 'bob@x.io', name: 'Bob' }, { email: 'cy@x.io', name: 'Cy', age: 7, score: '-1.25', active: false }],
    }));
    note('create nested', await prisma.author.update({
      where: { email: 'ann@x.io' },
      data: { posts: { create: [{ title: 'Hello', body: 'first' }, { title: 'Again' }] } },
      include: { posts: { orderBy: { id: 'asc' } } },
    }));
    await prisma.post.create({ data: { title: 'Cy post', author: { connect: { email: 'cy@x.io' } } } });
    note('findMany', await prisma.author.findMany({ orderBy: { id: 'asc' } }));
    note('findUnique', await prisma.author.findUnique({ where: { email: 'cy@x.io' }, select: { id: true, age: true, active: true } }));
    note('findUnique missing', await prisma.author.findUnique({ where: { id: 999 } }));
    note('findFirst', await prisma.author.findFirst({ where: { age: { lt: 30 } }, orderBy: { email: 'desc' }, select: { email: true } }));
    note('where or/null/insensitive', await prisma.author.findMany({
      where: { OR: [{ age: null }, { age: { gte: 30 } }], name: { contains: 'O', mode: 'insensitive' } }, select: { email: true },
    }));
    note('where in/not/startsWith', await prisma.author.findMany({
      where: { id: { in: [1, 2, 3] }, NOT: { email: { startsWith: 'b' } }, score: { not: null } }, orderBy: { score: 'asc' }, select: { email: true, score: true },
    }));
    note('where json/date', await prisma.author.findMany({
      where: { joined: { gt: new Date('2024-01-01T00:00:00Z') }, meta: { path: ['a'], array_contains: [2] } }, select: { email: true, joined: true },
    }));
    note('orderBy nulls take skip', await prisma.author.findMany({ orderBy: [{ age: { sort: 'desc', nulls: 'last' } }, { id: 'asc' }], take: 2, skip: 1, select: { email: true, age: true } }));
    note('relation filter include', await prisma.author.findMany({
      where: { posts: { some: { title: { contains: 'o' } } } }, orderBy: { id: 'asc' },
      include: { posts: { select: { title: true }, orderBy: { title: 'asc' } }, _count: { select: { posts: true } } },
    }));
    note('update', await prisma.author.update({ where: { email: 'bob@x.io' }, data: { age: 40, meta: { tags: ['x'] }, ratio: null } }));
    note('update increment', await prisma.author.update({ where: { email: 'bob@x.io' }, data: { age: { increment: 2 } }, select: { age: true } }));
    note('updateMany', await prisma.author.updateMany({ where: { active: false }, data: { score: '3.5' } }));
    note('upsert', await prisma.author.upsert({ where: { email: 'dee@x.io' }, create: { email: 'dee@x.io', name: 'Dee' }, update: { name: 'never' }, select: { id: true, name: true } }));
    note('count', await prisma.author.count({ where: { active: true } }));
    note('aggregate', await prisma.author.aggregate({ _sum: { age: true }, _avg: { age: true }, _max: { score: true }, _min: { joined: true }, _count: { _all: true, age: true } }));
    note('groupBy', await prisma.author.groupBy({ by: ['active'], _count: { _all: true }, orderBy: { active: 'asc' } }));

    await fails('interactive tx rollback', prisma.$transaction(async (tx: Client) => {
      await tx.author.create({ data: { email: 'tmp@x.io', name: 'Tmp' } });
      await tx.author.updateMany({ data: { score: '99.99' } });
      throw new Error('roll back please');
    }));
    await fails('batch tx rollback', prisma.$transaction([
      prisma.author.create({ data: { email: 'tmp2@x.io', name: 'Tmp2' } }),
      prisma.author.create({ data: { email: 'ann@x.io', name: 'Dup' } }),
    ]));
    note('after rollbacks', await prisma.author.findMany({ select: { email: true, score: true }, orderBy: { email: 'asc' } }));
    note('tx commit', await prisma.$transaction(async (tx: Client) => {
      const a = await tx.author.create({ data: { email: 'eve@x.io', name: 'Eve', age: 22 } });
      return tx.post.create({ data: { authorId: a.id, title: 'Eve post' }, select: { title: true, author: { select: { email: true } } } });
    }));
    await fails('unique', prisma.author.create({ data: { email: 'ann@x.io', name: 'Dup' } }));
    await fails('check', prisma.author.update({ where: { email: 'ann@x.io' }, data: { age: -1 } }));
    await fails('update missing', prisma.author.update({ where: { id: 999 }, data: { age: 1 } }));
    note('usable', await prisma.author.count());

    note('queryRaw', await prisma.$queryRaw`SELECT email, age, score FROM author WHERE age > ${6} AND email <> ${'x'} ORDER BY id`);
    note('queryRaw types', await prisma.$queryRaw`SELECT ${1}::int AS i, ${'t'}::text AS t, ${null}::text AS n, ${true} AS b, 2::bigint AS big, 1.50::numeric AS num`);
    note('executeRaw', await prisma.$executeRaw`UPDATE author SET name = upper(name) WHERE age IS NOT NULL AND age < ${30}`);
    note('queryRawUnsafe', await prisma.$queryRawUnsafe('SELECT name FROM author WHERE id = $1 OR email = $2 ORDER BY id', 3, 'eve@x.io'));

    note('delete', await prisma.post.delete({ where: { id: 3n } }));
    note('deleteMany', await prisma.post.deleteMany({ where: { author: { email: 'ann@x.io' } } }));
    note('delete author', await prisma.author.delete({ where: { email: 'cy@x.io' }, select: { id: true } }));
    note('left', await prisma.author.findMany({ select: { id: true, email: true, posts: { select: { title: true } } }, orderBy: { id: 'asc' } }));
  } finally {
    await prisma.$disconnect();
  }
  return out;
}

describe('Prisma 7 client (@prisma/adapter-pg)', () => {
  let servers: Servers;
  let dir: string;
  let mod: GeneratedModule;
  before(async () => {
    const cache = path.join(REPO_ROOT, 'node_modules', '.cache');
    fs.mkdirSync(cache, { recursive: true });
    dir = fs.mkdtempSync(path.join(cache, 'tessera-prisma-'));
    [servers, mod] = await Promise.all([startServers(), generateClient(dir)]);
  });
  after(async () => {
    await servers?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('client queries, transactions, errors and raw SQL as on PostgreSQL 15', async (t) => {
    const got = await scenario(mod, servers.tessera.url);
    await assertSameAsPostgres(t, servers, got, (url) => scenario(mod, url));
  });

  test('a vector column through $executeRaw/$queryRaw with an hnsw index', async () => {
    const prisma = new mod.PrismaClient({ adapter: new PrismaPg({ connectionString: servers.tessera.url, max: 2 }) });
    try {
      await prisma.$executeRaw`CREATE EXTENSION IF NOT EXISTS vector`;
      await prisma.$executeRawUnsafe('CREATE TABLE doc (id integer PRIMARY KEY, label text, embedding vector(4))');
      await prisma.$executeRawUnsafe('CREATE INDEX doc_embedding_idx ON doc USING hnsw (embedding vector_l2_ops)');
      const rows = makeVectors(60, 4, 13).map((v, i) => ({ id: i + 1, v }));
      let inserted = 0;
      for (const r of rows) inserted += await prisma.$executeRaw`INSERT INTO doc (id, label, embedding) VALUES (${r.id}, ${`d${r.id}`}, ${toSql(r.v)}::vector)`;
      assert.equal(inserted, rows.length);
      await prisma.doc.create({ data: { id: 100, label: null } }); // the Unsupported column is left NULL
      assert.deepEqual(await prisma.doc.findUnique({ where: { id: 100 } }), { id: 100, label: null });
      assert.equal(await prisma.doc.count(), rows.length + 1);

      const q = [0.5, 1, -1, 2];
      const near = await prisma.$queryRaw`SELECT id, label, embedding::text AS v FROM doc ORDER BY embedding <-> ${toSql(q)}::vector LIMIT ${5}` as { id: number; label: string; v: string }[];
      const want = nearestL2(rows, q, 5);
      assert.deepEqual(near.map((r) => r.id), want);
      assert.deepEqual(near.map((r) => r.label), want.map((id) => `d${id}`));
      assert.deepEqual(near.map((r) => JSON.parse(r.v) as number[]), want.map((id) => rows[id - 1]!.v));

      const within = await prisma.$queryRaw`SELECT count(*)::int AS n FROM doc WHERE embedding <-> ${toSql(q)}::vector < ${5}`;
      assert.deepEqual(within, [{ n: rows.filter((r) => Math.hypot(...r.v.map((x, i) => x - q[i]!)) < 5).length }]);
      await prisma.$executeRaw`UPDATE doc SET embedding = ${toSql(q)}::vector WHERE id = ${100}`;
      const first = await prisma.$queryRaw`SELECT id FROM doc ORDER BY embedding <-> ${toSql(q)}::vector LIMIT 1`;
      assert.deepEqual(first, [{ id: 100 }]);
    } finally {
      await prisma.$disconnect();
    }
  });
});
