/**
 * catalog/pg-catalog: the I/O functions of each type as pg_type names them (typinput
 * int4in, numeric_in, array_in...), so that pg_proc has rows for them and regproc can name
 * them — pgJDBC compares `typinput = 'array_in'::regproc`. OIDs from a fixed range.
 */
import { allTypes, type PgType } from '../../types/index.ts';

const UNDERSCORED = new Set([
  'numeric', 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'uuid', 'json', 'jsonb', 'record', 'void', 'bit', 'varbit', 'vector',
  'halfvec', 'sparsevec', 'pg_node_tree', 'cstring',
]);

const IO_BASE = 3_900_000_000;

/** typinput/typoutput/typreceive/typsend names of a type. */
export function ioProcNames(t: PgType<unknown>): { input: string; output: string; receive: string; send: string } {
  if (t.category === 'A' && t.name.startsWith('_')) return { input: 'array_in', output: 'array_out', receive: 'array_recv', send: 'array_send' };
  const base = UNDERSCORED.has(t.name) ? `${t.name}_` : t.name;
  return { input: `${base}in`, output: `${base}out`, receive: `${base}recv`, send: `${base}send` };
}

let cache: { names: string[]; oids: Map<string, number> } | null = null;

/** Every I/O function name, sorted, with its OID. */
export function ioProcs(): { names: readonly string[]; oids: ReadonlyMap<string, number> } {
  if (cache) return cache;
  const set = new Set<string>();
  for (const t of allTypes()) {
    const p = ioProcNames(t);
    set.add(p.input).add(p.output).add(p.receive).add(p.send);
  }
  const names = [...set].sort();
  cache = { names, oids: new Map(names.map((n, i) => [n, IO_BASE + i])) };
  return cache;
}
