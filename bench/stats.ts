/** Bench support: the statistics and number formatting every bench script prints with. */

/** Median of a list of measurements (machines are noisy: quote medians). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A rate or count with thousands separators; 'n/a' when missing. */
export function fmt(x: number | undefined): string {
  return x === undefined ? 'n/a' : Math.round(x).toLocaleString('en-US');
}
