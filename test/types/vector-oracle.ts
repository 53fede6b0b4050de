/**
 * Test support for the pgvector types: PGlite with pgvector 0.8.0 as the oracle, and calls
 * into our function catalog by name and argument types, both reduced to the Outcome shape
 * of ./oracle.ts (text value, or SQLSTATE + message + detail).
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { functionsNamed, type ExecContext, type ScalarFunction } from '../../src/executor/index.ts';
import { defaultFormatContext, typeByOid } from '../../src/types/index.ts';
import { ours, type Outcome } from './oracle.ts';

export interface VectorOracle {
  /** First column of the first row, as text (queries should cast results to ::text). */
  text(sql: string, params?: readonly unknown[]): Promise<Outcome>;
  /** Every column of the first row, as text. */
  row(sql: string, params?: readonly unknown[]): Promise<Outcome[]>;
  close(): Promise<void>;
}

function pgError(e: unknown): Outcome {
  const err = e as { code?: string; message?: string; detail?: string };
  if (!err.code) throw e;
  return { ok: false, code: err.code, message: err.message ?? '', ...(err.detail ? { detail: err.detail } : {}) };
}

/** Starts PGlite and runs CREATE EXTENSION vector. */
export async function startVectorOracle(): Promise<VectorOracle> {
  const db = new PGlite({ extensions: { vector } });
  await db.exec('CREATE EXTENSION vector');
  const row = async (sql: string, params: readonly unknown[] = []): Promise<Outcome[]> => {
    try {
      const res = await db.query<unknown[]>(sql, params as unknown[], { rowMode: 'array' });
      const r = res.rows[0] ?? [];
      return r.map((v) => ({ ok: true, value: v === null || v === undefined ? null : String(v) }));
    } catch (e) {
      return [pgError(e)];
    }
  };
  return {
    text: async (sql, params) => (await row(sql, params))[0] ?? { ok: true, value: null },
    row,
    close: () => db.close(),
  };
}

const ctx = {} as ExecContext;

function overload(name: string, argTypes: readonly number[]): ScalarFunction {
  const f = functionsNamed(name).find((c) => c.argTypes.length === argTypes.length && c.argTypes.every((t, i) => t === argTypes[i]));
  if (!f) throw new Error(`no overload ${name}(${argTypes.join(',')})`);
  return f;
}

/** Calls our catalog's overload `name(argTypes)` and returns the raw value. */
export function callOursValue(name: string, argTypes: readonly number[], args: readonly unknown[]): unknown {
  return overload(name, argTypes).impl([...args], ctx);
}

/** Calls our catalog's overload `name(argTypes)` and prints the result with its type's output function. */
export function callOurs(name: string, argTypes: readonly number[], args: readonly unknown[]): Outcome {
  const f = overload(name, argTypes);
  return ours(() => {
    const v = f.impl([...args], ctx);
    if (v === null) return null;
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    return typeByOid(f.returnType)!.textOut(v, defaultFormatContext) as string;
  });
}

/** A deterministic pseudo-random generator (LCG), so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
