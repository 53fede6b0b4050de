/**
 * Shapes of anonymous record values (a set-returning function's several columns in the
 * SELECT list): like PostgreSQL's blessed tuple descriptors, a record-typed expression
 * carries the index of its shape as its typmod, so `(expr).field` can be resolved and typed.
 */
export interface RecordShape {
  readonly columns: readonly { readonly name: string; readonly type: number }[];
}

const shapes: RecordShape[] = [];
const byKey = new Map<string, number>();

/** The typmod naming this shape (registered once per distinct column list). */
export function recordTypmod(columns: RecordShape['columns']): number {
  const key = JSON.stringify(columns);
  let i = byKey.get(key);
  if (i === undefined) {
    i = shapes.length;
    shapes.push({ columns });
    byKey.set(key, i);
  }
  return i;
}

export function recordShape(typmod: number): RecordShape | undefined {
  return typmod >= 0 ? shapes[typmod] : undefined;
}
