/**
 * executor/: functions pg_dump calls beyond the everyday ones of functions-catalog.ts:
 * acldefault() (the built-in ACL an object has while its ACL column is NULL, which pg_dump
 * compares the stored ACL against to emit GRANT / REVOKE), pg_options_to_table() (FDW and
 * column options; Tessera has none, but the text[] is decoded as PostgreSQL does),
 * pg_get_triggerdef() (no triggers exist, so it is only ever asked about no trigger),
 * pg_export_snapshot() (pg_dump -j), and two internal ones the planner calls: name_subscript
 * (`typname[0]`) and tessera_sequence_relation (`SELECT last_value FROM seq`).
 */
import { DbError, SqlState } from '../errors/index.ts';
import { ArrayOid, Oid, PgArray } from '../types/index.ts';
import { defineFunction } from './functions.ts';
import type { ExecContext } from './context.ts';

/**
 * acldefault's object kinds (acldefault() in PostgreSQL's acl.c): privileges PUBLIC gets and
 * those the owner gets. Columns have none.
 */
const DEFAULT_ACLS: Readonly<Record<string, { world: string; owner: string }>> = {
  c: { world: '', owner: '' },
  r: { world: '', owner: 'arwdDxt' },
  s: { world: '', owner: 'rwU' },
  d: { world: 'Tc', owner: 'CTc' },
  f: { world: 'X', owner: 'X' },
  l: { world: 'U', owner: 'U' },
  L: { world: '', owner: 'rw' },
  n: { world: '', owner: 'UC' },
  t: { world: '', owner: 'C' },
  F: { world: '', owner: 'U' },
  S: { world: '', owner: 'U' },
  T: { world: 'U', owner: 'U' },
  p: { world: '', owner: 'sA' },
};

/** A role's name in aclitem text (quoted like an identifier when needed), its OID when it has none. */
function aclRoleName(ctx: ExecContext, oid: number): string {
  const name = ctx.roles?.nameOf(oid) ?? (oid === 10 ? 'postgres' : undefined);
  if (name === undefined) return String(oid);
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

defineFunction({
  name: 'acldefault',
  argTypes: [Oid.char, Oid.oid],
  returnType: ArrayOid.aclitem,
  strict: true,
  volatility: 'immutable',
  impl: ([kind, owner], ctx) => {
    const k = kind as string;
    const acl = DEFAULT_ACLS[k];
    if (!acl) throw new DbError(SqlState.InternalError, `unrecognized objtype abbreviation: ${k}`);
    const o = aclRoleName(ctx, owner as number);
    const items: string[] = [];
    if (acl.world) items.push(`=${acl.world}/${o}`);
    if (acl.owner) items.push(`${o}=${acl.owner}/${o}`);
    return PgArray.of(items);
  },
});

/** pg_options_to_table(text[]): each `name=value` item as (option_name, option_value); no '=' gives a NULL value. */
defineFunction({
  name: 'pg_options_to_table',
  argTypes: [ArrayOid.text],
  returnType: Oid.record,
  strict: true,
  volatility: 'stable',
  returnsSet: true,
  setColumns: [{ name: 'option_name', type: Oid.text }, { name: 'option_value', type: Oid.text }],
  impl: ([options]) =>
    (options as PgArray<string | null>).items.flatMap((item) => {
      if (item === null) return [];
      const eq = item.indexOf('=');
      return [eq < 0 ? [item, null] : [item.slice(0, eq), item.slice(eq + 1)]];
    }),
});

for (const argTypes of [[Oid.oid], [Oid.oid, Oid.bool]]) {
  defineFunction({ name: 'pg_get_triggerdef', argTypes, returnType: Oid.text, strict: true, volatility: 'stable', impl: () => null });
}

/** `name[i]` (planner/bind-expr.ts): byte i (from 0) of the name as "char"; '' past its end, NULL outside 0..63. */
defineFunction({
  name: 'name_subscript',
  argTypes: [Oid.name, Oid.int4],
  returnType: Oid.char,
  strict: true,
  volatility: 'immutable',
  impl: ([name, index]) => {
    const i = index as number;
    if (i < 0 || i >= 64) return null;
    const bytes = Buffer.from(name as string, 'utf8');
    return i < bytes.length ? String.fromCharCode(bytes[i]!) : '';
  },
});

/**
 * A sequence read as a relation (`SELECT last_value, log_cnt, is_called FROM seq`, which
 * pg_dump runs to emit setval()): planned by planner/plan-sequence.ts as a scan of this
 * function. Tessera stores the next value to hand out, so last_value is the one before it
 * with is_called true — or, while that would fall below MINVALUE (a fresh ascending
 * sequence), the next value with is_called false; a restore's setval() then continues alike.
 */
defineFunction({
  name: 'tessera_sequence_relation',
  argTypes: [Oid.text],
  returnType: Oid.record,
  strict: true,
  volatility: 'volatile',
  returnsSet: true,
  setColumns: [{ name: 'last_value', type: Oid.int8 }, { name: 'log_cnt', type: Oid.int8 }, { name: 'is_called', type: Oid.bool }],
  impl: ([name], ctx) => {
    const s = ctx.data.sequenceState?.(name as string);
    if (!s) throw new DbError(SqlState.UndefinedTable, `relation "${name as string}" does not exist`);
    const [value, increment, min, max] = [s.value, BigInt(s.increment), BigInt(s.min), BigInt(s.max)];
    if (value === null) return [[increment > 0n ? max : min, 0n, true]];
    const last = BigInt(value) - increment;
    if (last < min || last > max) return [[BigInt(value), 0n, false]];
    return [[last, 0n, true]];
  },
});

/** pg_export_snapshot(): the transaction's snapshot, for SET TRANSACTION SNAPSHOT in other sessions (pg_dump -j). */
defineFunction({
  name: 'pg_export_snapshot',
  argTypes: [],
  returnType: Oid.text,
  strict: false,
  volatility: 'volatile',
  impl: (_args, ctx) => {
    if (!ctx.data.exportSnapshot) throw new DbError(SqlState.FeatureNotSupported, 'pg_export_snapshot() needs a session');
    return ctx.data.exportSnapshot(ctx.backendPid);
  },
});
