/**
 * Test support for types/: a private PostgreSQL 15 (the oracle) and a checker that compares
 * our text/binary conversions with what the real server does for the same literal: text
 * output, binary output, binary input of PostgreSQL's bytes, and errors (SQLSTATE + message).
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { DbError } from '../../src/errors/index.ts';
import { defaultFormatContext, type FormatContext, type PgType } from '../../src/types/index.ts';
import { startPostgres, type PgCluster } from '../support/pg-cluster.ts';

/** What a conversion produced: a text value, raw bytes, or an error. */
export type Outcome =
  | { readonly ok: true; readonly value: string | null }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly detail?: string; readonly hint?: string };

export interface Oracle {
  readonly client: pg.Client;
  /** Runs a query with text parameters and returns the first column of the first row as text. */
  text(sql: string, params?: readonly (string | Buffer | null)[]): Promise<Outcome>;
  /** Runs statements (SET …) without results. */
  exec(sql: string): Promise<void>;
  stop(): Promise<void>;
}

const raw = { getTypeParser: () => (v: unknown) => v } as unknown as pg.CustomTypesConfig;

function errorOutcome(e: unknown): Outcome {
  const err = e as { code?: string; message?: string; detail?: string; hint?: string };
  if (!err.code) throw e;
  return { ok: false, code: err.code, message: err.message ?? '', ...(err.detail ? { detail: err.detail } : {}), ...(err.hint ? { hint: err.hint } : {}) };
}

/** Starts the oracle cluster and connects one client. */
export async function startOracle(): Promise<Oracle> {
  const cluster: PgCluster = await startPostgres();
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  const run = async (sql: string, params: readonly (string | Buffer | null)[]): Promise<Outcome> => {
    try {
      const res = await client.query({ text: sql, values: params as unknown[], types: raw, rowMode: 'array' });
      const v = (res.rows[0] as unknown[] | undefined)?.[0];
      return { ok: true, value: v === null || v === undefined ? null : String(v) };
    } catch (e) {
      return errorOutcome(e);
    }
  };
  return {
    client,
    text: (sql, params = []) => run(sql, params),
    exec: async (sql) => {
      await client.query(sql);
    },
    stop: async () => {
      await client.end().catch(() => undefined);
      await cluster.stop();
    },
  };
}

const SEND_FUNCTIONS: Record<string, string> = {
  bool: 'boolsend', bytea: 'byteasend', char: 'charsend', name: 'namesend', int8: 'int8send', int2: 'int2send', int4: 'int4send',
  text: 'textsend', oid: 'oidsend', json: 'json_send', float4: 'float4send', float8: 'float8send', unknown: 'unknownsend',
  bpchar: 'bpcharsend', varchar: 'varcharsend', date: 'date_send', time: 'time_send', timestamp: 'timestamp_send',
  timestamptz: 'timestamptz_send', interval: 'interval_send', numeric: 'numeric_send', uuid: 'uuid_send', jsonb: 'jsonb_send',
  void: 'void_send', record: 'record_send',
};

/**
 * The name of PostgreSQL's send function for a type. The binary format is read through it
 * (`encode(int4send(x), 'hex')`) because node-postgres decodes binary DataRow fields as UTF-8,
 * which corrupts bytes >= 0x80.
 */
export function sendFunction(type: PgType<any>): string {
  if (type.category === 'A') return 'array_send';
  const f = SEND_FUNCTIONS[type.name];
  if (!f) throw new Error(`no send function for ${type.name}`);
  return f;
}

/** Runs one of our conversions, turning a DbError into an error outcome. */
export function ours(fn: () => string | Uint8Array | null): Outcome {
  try {
    const v = fn();
    return { ok: true, value: v === null ? null : typeof v === 'string' ? v : Buffer.from(v).toString('hex') };
  } catch (e) {
    if (!(e instanceof DbError)) throw e;
    return { ok: false, code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}), ...(e.hint ? { hint: e.hint } : {}) };
  }
}

export interface LiteralCase {
  /** SQL type spelling used in the cast, e.g. "numeric(5,2)". */
  readonly sqlType: string;
  readonly type: PgType<any>;
  /** Typmod handed to textIn/binaryIn (interval casts pass it to the input function). */
  readonly inputTypmod?: number;
  /** Typmod applied afterwards as an explicit cast (varchar/bpchar/numeric/timestamp lengths). */
  readonly castTypmod?: number;
  readonly ctx?: FormatContext;
  /** Embed the literal in the SQL text (a typed literal, whose typmod reaches the input function) instead of binding it. */
  readonly inlineLiteral?: boolean;
}

/**
 * Compares, for each literal, PostgreSQL's `SELECT $1::sqlType` (text and binary results)
 * with our textIn→textOut, textIn→binaryOut and binaryIn(PostgreSQL's bytes)→textOut.
 * Returns one line per disagreement (empty when all agree).
 */
export async function compareLiterals(oracle: Oracle, c: LiteralCase, literals: readonly string[]): Promise<string[]> {
  const ctx = c.ctx ?? defaultFormatContext;
  const problems: string[] = [];
  const sql = `SELECT $1::${c.sqlType}`;
  for (const lit of literals) {
    const quoted = `'${lit.replace(/'/g, "''")}'`;
    const fields = /^interval (.+)$/.exec(c.sqlType);
    const typed = fields ? `interval ${quoted} ${fields[1]}` : `${c.sqlType} ${quoted}`;
    const pgText = c.inlineLiteral ? await oracle.text(`SELECT ${typed}`) : await oracle.text(sql, [lit]);
    const pgBin = c.inlineLiteral
      ? await oracle.text(`SELECT encode(${sendFunction(c.type)}(${typed}), 'hex')`)
      : await oracle.text(`SELECT encode(${sendFunction(c.type)}($1::${c.sqlType}), 'hex')`, [lit]);
    const parse = (): unknown => {
      let v = c.type.textIn(lit, c.inputTypmod ?? -1, ctx);
      if (c.castTypmod !== undefined && c.type.applyTypmod) v = c.type.applyTypmod(v, c.castTypmod, true);
      return v;
    };
    const ourText = ours(() => c.type.textOut(parse(), ctx));
    const label = `${c.sqlType} ${JSON.stringify(lit)}`;
    if (!sameOutcome(pgText, ourText)) problems.push(`${label}: text PG ${show(pgText)} vs ours ${show(ourText)}`);
    if (!pgText.ok) continue;
    const ourBin = ours(() => c.type.binaryOut(parse(), ctx));
    if (!sameOutcome(pgBin, ourBin)) problems.push(`${label}: binary PG ${show(pgBin)} vs ours ${show(ourBin)}`);
    if (ourBin.ok && ourBin.value !== null && c.type.name !== 'void') {
      const recv = await oracle.text(sql, [Buffer.from(ourBin.value, 'hex')]);
      if (!sameOutcome(pgText, recv)) problems.push(`${label}: PG recv(our bytes) ${show(recv)} vs PG text ${show(pgText)}`);
    }
    if (pgBin.ok && pgBin.value !== null) {
      const back = ours(() => c.type.textOut(c.type.binaryIn(Buffer.from(pgBin.value!, 'hex'), c.inputTypmod ?? -1, ctx), ctx));
      if (!sameOutcome(pgText, back)) problems.push(`${label}: binaryIn(PG bytes) ${show(back)} vs PG text ${show(pgText)}`);
    }
  }
  return problems;
}

/** Outcomes agree: same value, or same SQLSTATE, message and (when PostgreSQL has one) detail. */
export function sameOutcome(a: Outcome, b: Outcome): boolean {
  if (a.ok !== b.ok) return false;
  if (a.ok && b.ok) return a.value === b.value;
  if (!a.ok && !b.ok) return a.code === b.code && a.message === b.message && (a.detail ?? '') === (b.detail ?? '') && (a.hint ?? '') === (b.hint ?? '');
  return false;
}

export function show(o: Outcome): string {
  return o.ok ? JSON.stringify(o.value) : `ERROR ${o.code} ${JSON.stringify(o.message)}${o.detail ? ` DETAIL ${JSON.stringify(o.detail)}` : ''}${o.hint ? ` HINT ${JSON.stringify(o.hint)}` : ''}`;
}

/** Asserts an empty problem list, printing every disagreement. */
export function assertNoProblems(problems: readonly string[]): void {
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
}

/** A FormatContext with overrides. */
export function context(over: Partial<FormatContext>): FormatContext {
  return { ...defaultFormatContext, ...over };
}
