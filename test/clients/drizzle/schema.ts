/**
 * Drizzle schema fixture for test/clients/drizzle.test.ts: drizzle-kit pushes it (twice) and
 * drizzle-orm queries it. Several types and constraints, a vector column and an hnsw index.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, numeric, pgTable, serial, text, timestamp, varchar, vector } from 'drizzle-orm/pg-core';

export const authors = pgTable('authors', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 80 }).notNull(),
  email: text('email').notNull().unique(),
  karma: integer('karma').notNull().default(0),
  born: timestamp('born', { withTimezone: true }),
}, (t) => [check('karma_nonneg', sql`${t.karma} >= 0`)]);

export const posts = pgTable('posts', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  authorId: integer('author_id').notNull(),
  title: text('title').notNull(),
  published: boolean('published').default(false),
  rating: numeric('rating', { precision: 4, scale: 1 }),
  meta: jsonb('meta'),
  embedding: vector('embedding', { dimensions: 3 }),
}, (t) => [
  index('posts_author_idx').on(t.authorId),
  index('posts_embedding_idx').using('hnsw', t.embedding.op('vector_l2_ops')),
]);
