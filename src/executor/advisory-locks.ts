/**
 * Advisory locks (pg_advisory_lock and friends): application-defined locks on bigint keys
 * (or pairs of int keys), shared by every session of the server. Session-level locks are
 * re-entrant and held until unlocked or the session ends; transaction-level ones until the
 * transaction ends. Waiting is cancellable (statement_timeout, pg_cancel_backend).
 * Migration tools (Prisma, Flyway, node-pg-migrate) take one around their runs.
 */
import { Oid } from '../types/index.ts';
import type { ExecContext } from './context.ts';
import { defineFunction } from './functions.ts';
import type { Value } from './value.ts';

interface Holder {
  /** Session-level acquisitions (re-entrant count) and transaction-level ones. */
  session: number;
  xact: number;
  shared: boolean;
}

/** key → holders by backend pid. */
const locks = new Map<string, Map<number, Holder>>();

function grantable(key: string, pid: number, shared: boolean): boolean {
  const holders = locks.get(key);
  if (!holders) return true;
  for (const [other, h] of holders) {
    if (other === pid) continue;
    if (!(shared && h.shared)) return false;
  }
  return true;
}

function acquire(key: string, pid: number, shared: boolean, level: 'session' | 'xact'): void {
  let holders = locks.get(key);
  if (!holders) locks.set(key, (holders = new Map()));
  const h = holders.get(pid) ?? { session: 0, xact: 0, shared };
  h[level]++;
  holders.set(pid, h);
}

/** The value of a void result: not NULL (it prints as an empty string). */
const VOID = '';

async function lockWait(key: string, shared: boolean, level: 'session' | 'xact', ctx: ExecContext): Promise<Value> {
  while (!grantable(key, ctx.backendPid, shared)) await ctx.sleep(5);
  acquire(key, ctx.backendPid, shared, level);
  return VOID;
}

function tryLock(key: string, shared: boolean, level: 'session' | 'xact', ctx: ExecContext): boolean {
  if (!grantable(key, ctx.backendPid, shared)) return false;
  acquire(key, ctx.backendPid, shared, level);
  return true;
}

function unlock(key: string, shared: boolean, ctx: ExecContext): boolean {
  const holders = locks.get(key);
  const h = holders?.get(ctx.backendPid);
  // PostgreSQL also warns "you don't own a lock of type ..."; the result is the same false.
  if (!holders || !h || h.session === 0 || h.shared !== shared) return false;
  h.session--;
  if (h.session === 0 && h.xact === 0) holders.delete(ctx.backendPid);
  if (holders.size === 0) locks.delete(key);
  return true;
}

/**
 * Releases a backend's transaction-level locks (at transaction end), its session-level ones
 * (pg_advisory_unlock_all), or all of them (at disconnect).
 */
export function releaseAdvisoryLocks(pid: number, scope: 'xact' | 'session' | 'all'): void {
  for (const [key, holders] of locks) {
    const h = holders.get(pid);
    if (!h) continue;
    if (scope !== 'session') h.xact = 0;
    if (scope !== 'xact') h.session = 0;
    if (h.session === 0 && h.xact === 0) holders.delete(pid);
    if (holders.size === 0) locks.delete(key);
  }
}

/** Lock keys of the server's advisory locks held by a backend (pg_locks). */
export function advisoryLocksOf(): { key: string; pid: number; shared: boolean }[] {
  return [...locks].flatMap(([key, holders]) => [...holders].map(([pid, h]) => ({ key, pid, shared: h.shared })));
}

const keyOf = (args: Value[]): string => args.map(String).join(':');

for (const argTypes of [[Oid.int8], [Oid.int4, Oid.int4]]) {
  for (const shared of [false, true]) {
    const suffix = shared ? '_shared' : '';
    const common = { argTypes, strict: true, volatility: 'volatile' as const };
    defineFunction({ ...common, name: `pg_advisory_lock${suffix}`, returnType: Oid.void, async: true, impl: (a, ctx) => lockWait(keyOf(a), shared, 'session', ctx) });
    defineFunction({ ...common, name: `pg_advisory_xact_lock${suffix}`, returnType: Oid.void, async: true, impl: (a, ctx) => lockWait(keyOf(a), shared, 'xact', ctx) });
    defineFunction({ ...common, name: `pg_try_advisory_lock${suffix}`, returnType: Oid.bool, impl: (a, ctx) => tryLock(keyOf(a), shared, 'session', ctx) });
    defineFunction({ ...common, name: `pg_try_advisory_xact_lock${suffix}`, returnType: Oid.bool, impl: (a, ctx) => tryLock(keyOf(a), shared, 'xact', ctx) });
    defineFunction({ ...common, name: `pg_advisory_unlock${suffix}`, returnType: Oid.bool, impl: (a, ctx) => unlock(keyOf(a), shared, ctx) });
  }
}
defineFunction({
  name: 'pg_advisory_unlock_all',
  argTypes: [],
  returnType: Oid.void,
  strict: false,
  volatility: 'volatile',
  impl: (_a, ctx) => {
    releaseAdvisoryLocks(ctx.backendPid, 'session');
    return VOID;
  },
});
