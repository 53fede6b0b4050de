/**
 * executor/: evaluates a plan's tenant pin (plan.ts TenantPin) into the storage's tenant
 * filter — the canonical keys of the values it names. NULL never equals a key, so it names
 * no tenant.
 */
import { tenantKey, type TenantFilter } from '../storage/index.ts';
import { compileAsync } from './compile.ts';
import type { ExecContext } from './context.ts';
import type { TenantPin } from './plan.ts';
import { PgArray } from '../types/index.ts';
import type { Value } from './value.ts';

export async function tenantFilter(pin: TenantPin, params: readonly Value[], ctx: ExecContext): Promise<TenantFilter> {
  const keys: string[] = [];
  for (const e of pin.values) {
    const v = await compileAsync(e)([], params, ctx);
    const items = pin.spread ? (v instanceof PgArray ? (v.items as Value[]) : []) : [v];
    for (const x of items) if (x !== null && x !== undefined) keys.push(tenantKey(x));
  }
  return { attnum: pin.attnum, keys };
}
