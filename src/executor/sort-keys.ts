/**
 * Ordering of rows by sort keys, as ORDER BY defines it: each key ascending or descending,
 * NULLs first or last, values compared with the type's ordering (text in the C collation).
 */
import { compareValues } from './functions.ts';
import type { Value } from './value.ts';

export interface SortOrder {
  readonly type: number;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** Compares two lists of key values under the given orders. */
export function compareSortValues(keys: readonly SortOrder[], a: readonly Value[], b: readonly Value[]): number {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const x = a[i]!;
    const y = b[i]!;
    if (x === null || y === null) {
      if (x === y) continue;
      return (x === null) === key.nullsFirst ? -1 : 1;
    }
    const c = compareValues(key.type, x, y);
    if (c !== 0) return key.descending ? -c : c;
  }
  return 0;
}
