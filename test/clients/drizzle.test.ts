/**
 * Client test: Drizzle. drizzle-kit (its CLI, offline) pushes test/clients/drizzle/schema.ts
 * to Tessera, a second push must find nothing to change (its introspection of pg_class,
 * pg_index, pg_opclass, pg_constraint... reads back what the first created), and pull writes a
 * schema with the same tables, constraints and indexes (and a view made with SQL, as a
 * pgView); then drizzle-orm queries with a vector column: parameterised DML, a rolled-back
 * transaction, NULLs, an error, and l2Distance ordering.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { and, asc, eq, gt, isNull, l2Distance, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { REPO_ROOT, startTessera, type TesseraServer } from '../support/tessera.ts';
import { authors, posts } from './drizzle/schema.ts';
import { makeVectors, nearestL2 } from './support.ts';

const run = promisify(execFile);
const SCHEMA = path.join(REPO_ROOT, 'test', 'clients', 'drizzle', 'schema.ts');
const DRIZZLE_KIT = path.join(REPO_ROOT, 'node_modules', 'drizzle-kit', 'bin.cjs');

describe('Drizzle client', () => {
  let server: TesseraServer;
  let dir: string;
  before(async () => {
    server = await startTessera();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-drizzle-'));
    fs.writeFileSync(path.join(dir, 'drizzle.config.json'), JSON.stringify({
      dialect: 'postgresql', schema: SCHEMA, out: path.join(dir, 'out'), dbCredentials: { url: server.url },
    }));
    const c = new pg.Client(server.url);
    await c.connect();
    await c.query('CREATE EXTENSION IF NOT EXISTS vector');
    await c.end();
  });
  after(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs drizzle-kit; returns its output without the spinner lines. */
  const kit = async (...args: string[]): Promise<string> => {
    const { stdout, stderr } = await run(process.execPath, [DRIZZLE_KIT, ...args, '--config', path.join(dir, 'drizzle.config.json')], { cwd: REPO_ROOT, timeout: 60_000 });
    return `${stdout}\n${stderr}`.split('\n').filter((l) => !/\[[✓⣷⣯⣟⡿⢿⣻⣽⣾]\]/.test(l)).join('\n');
  };

  test('drizzle-kit push, push again (no changes), pull', async () => {
    const first = await kit('push', '--force', '--verbose');
    assert.match(first, /CREATE TABLE "authors"/);
    assert.match(first, /CREATE INDEX "posts_embedding_idx" ON "posts" USING hnsw \("embedding" vector_l2_ops\)/);
    assert.doesNotMatch(first, /error/i);

    const second = await kit('push', '--force', '--verbose');
    assert.match(second, /No changes detected/, `the second push wants to change something:\n${second}`);

    // A view made outside drizzle: pull introspects it (pg_views, pg_get_viewdef, its columns) into a pgView.
    const c = new pg.Client(server.url);
    await c.connect();
    await c.query('CREATE VIEW karma_authors AS SELECT id, name, karma FROM authors WHERE karma > 0');
    await c.end();
    await kit('pull');
    const pulled = fs.readFileSync(path.join(dir, 'out', 'schema.ts'), 'utf8');
    assert.match(pulled, /export const karmaAuthors = pgView\("karma_authors", \{/);
    assert.match(pulled, /karma: integer\(\)/);
    assert.match(pulled, /SELECT id, name, karma FROM authors WHERE karma > 0|SELECT authors\.id,\s+authors\.name,\s+authors\.karma\s+FROM authors\s+WHERE authors\.karma > 0/);
    assert.match(pulled, /export const authors = pgTable\("authors"/);
    assert.match(pulled, /embedding: vector\(\{ dimensions: 3 \}\)/);
    assert.match(pulled, /unique\("authors_email_unique"\)\.on\(table\.email\)/);
    assert.match(pulled, /check\("karma_nonneg"/);
    assert.match(pulled, /index\("posts_author_idx"\)\.using\("btree", table\.authorId\.asc\(\)\.nullsLast\(\)\.op\("int4_ops"\)\)/);
    // drizzle-kit writes every introspected key column with its order (hnsw's indoption is 0: ASC NULLS LAST).
    assert.match(pulled, /index\("posts_embedding_idx"\)\.using\("hnsw", table\.embedding\.asc\(\)\.nullsLast\(\)\.op\("vector_l2_ops"\)\)/);
  });

  test('drizzle-orm queries with a vector column', async () => {
    const pool = new pg.Pool({ connectionString: server.url, max: 2 });
    const db = drizzle(pool);
    try {
      await db.execute(sql`CREATE TABLE IF NOT EXISTS authors (id serial PRIMARY KEY, name varchar(80) NOT NULL, email text NOT NULL UNIQUE, karma integer NOT NULL DEFAULT 0 CONSTRAINT karma_nonneg CHECK (karma >= 0), born timestamptz)`);
      await db.execute(sql`CREATE TABLE IF NOT EXISTS posts (id bigint PRIMARY KEY, author_id integer NOT NULL, title text NOT NULL, published boolean DEFAULT false, rating numeric(4,1), meta jsonb, embedding vector(3))`);
      await db.delete(posts);
      await db.delete(authors);
      const [ann] = await db.insert(authors).values({ name: 'Ann', email: 'ann@x.io', karma: 5, born: new Date('1990-05-06T07:08:09Z') }).returning();
      assert.equal(ann!.born!.toISOString(), '1990-05-06T07:08:09.000Z');
      const [bob] = await db.insert(authors).values({ name: 'Bob', email: 'bob@x.io' }).returning({ id: authors.id, karma: authors.karma, born: authors.born });
      assert.deepEqual({ karma: bob!.karma, born: bob!.born }, { karma: 0, born: null });

      const vectors = makeVectors(30, 3, 3);
      const rows = vectors.map((v, i) => ({ id: i + 1, v }));
      await db.insert(posts).values(rows.map((r) => ({ id: r.id, authorId: r.id % 2 ? ann!.id : bob!.id, title: `post ${r.id}`, rating: r.id % 3 ? String(r.id / 2) : null, meta: { n: r.id }, embedding: r.v })));
      await db.insert(posts).values({ id: 100, authorId: bob!.id, title: 'no embedding' });

      const q = [0, 0.5, -1];
      const near = await db.select({ id: posts.id, d: l2Distance(posts.embedding, q) }).from(posts).orderBy(l2Distance(posts.embedding, q)).limit(5);
      assert.deepEqual(near.map((r) => r.id), nearestL2(rows, q, 5));
      const [one] = await db.select().from(posts).where(eq(posts.id, near[0]!.id));
      assert.deepEqual(one!.embedding, rows[near[0]!.id - 1]!.v.map((x) => Number(Math.fround(x).toPrecision(7))));
      assert.deepEqual(one!.meta, { n: near[0]!.id });

      const nulls = await db.select({ id: posts.id }).from(posts).where(isNull(posts.embedding));
      assert.deepEqual(nulls, [{ id: 100 }]);
      const upd = await db.update(posts).set({ published: true }).where(and(eq(posts.authorId, ann!.id), gt(posts.id, 20))).returning({ id: posts.id });
      assert.deepEqual(upd.map((r) => r.id).sort((a, b) => a - b), [21, 23, 25, 27, 29]);
      const del = await db.delete(posts).where(eq(posts.published, true)).returning({ id: posts.id });
      assert.equal(del.length, 5);

      await assert.rejects(db.transaction(async (tx) => {
        await tx.insert(authors).values({ name: 'Tmp', email: 'tmp@x.io' });
        await tx.update(authors).set({ karma: 99 });
        tx.rollback();
      }), /Rollback/);
      assert.deepEqual(await db.select({ name: authors.name, karma: authors.karma }).from(authors).orderBy(asc(authors.name)), [{ name: 'Ann', karma: 5 }, { name: 'Bob', karma: 0 }]);

      await assert.rejects(db.insert(authors).values({ name: 'Dup', email: 'ann@x.io' }), (e: Error & { cause?: { code?: string; constraint?: string } }) => {
        const cause = e.cause ?? (e as { code?: string; constraint?: string });
        assert.equal(cause.code, '23505');
        assert.equal(cause.constraint, 'authors_email_unique');
        return true;
      });
      await assert.rejects(db.update(authors).set({ karma: -1 }), (e: Error & { cause?: { code?: string } }) => (e.cause ?? (e as { code?: string })).code === '23514');
      const [{ n }] = (await db.select({ n: sql<number>`count(*)::int` }).from(posts)) as [{ n: number }];
      assert.equal(n, 26, 'the pool connection is usable after the errors');
    } finally {
      await pool.end();
    }
  });
});
