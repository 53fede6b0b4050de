/**
 * Hash keys for lists of values: two lists get the same key exactly when their values are
 * equal under PostgreSQL's `=` for the same types (GROUP BY, DISTINCT, hash joins, set
 * operations). Normalises what `=` treats as equal but differs in representation:
 * numeric scale (1.0 = 1.00, in jsonb too), -0 = 0 for floats, interval spans ('1 day' = '24 hours').
 */
import { Interval, Numeric } from '../types/index.ts';
import type { Value } from './value.ts';

function numericKey(n: Numeric): string {
  if (n.kind !== 'finite') return n.kind;
  let m = n.mantissa;
  let scale = n.scale;
  while (scale > 0 && m % 10n === 0n) {
    m /= 10n;
    scale--;
  }
  return m === 0n ? '0' : `${m}e-${scale}`;
}

function valueKey(v: unknown): string {
  if (v === null || v === undefined) return 'N';
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? '0' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'T' : 'F';
    default:
  }
  if (v instanceof Numeric) return `#${numericKey(v)}`;
  if (v instanceof Interval) {
    // interval_cmp: a month counts 30 days, a day 24 hours.
    return `@${(BigInt(v.months) * 30n + BigInt(v.days)) * 86_400_000_000n + v.micros}`;
  }
  if (v instanceof Uint8Array) return `x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  if (v instanceof Float32Array) return `v${Array.from(v).join(',')}`;
  if (Array.isArray(v)) return `[${v.map(valueKey).join(',')}]`;
  // The replacer sees `this[key]` before toJSON (Numeric has one): normalise numbers (jsonb 1.5 = 1.50) from the holder.
  return JSON.stringify(v, function (this: Record<string, unknown>, k, x) {
    const raw = this[k];
    return typeof raw === 'bigint' ? `${raw}n` : raw instanceof Numeric ? numericKey(raw) : x;
  });
}

/** The key of a list of values. */
export function hashKey(values: readonly Value[]): string {
  if (values.length === 1) return valueKey(values[0]);
  let s = '';
  for (const v of values) s += valueKey(v) + '\u0001';
  return s;
}
