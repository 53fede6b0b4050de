/**
 * ProjectSet: set-returning functions in the SELECT list (`SELECT id, unnest(tags)`). For each
 * input row the calls run side by side; the row repeats once per value of the longest call,
 * with NULL where a shorter one has run out (PostgreSQL 10+ semantics). A row whose calls all
 * return nothing produces no output.
 */
import { typeByOid, type PgRecord } from '../types/index.ts';
import { compile } from './compile.ts';
import type { ExecContext } from './context.ts';
import type { RowCursor } from './cursor.ts';
import type { Plan } from './plan.ts';
import type { Row, Value } from './value.ts';

type OpenCursor = (plan: Plan, params: readonly Value[], ctx: ExecContext) => RowCursor;

export function openProjectSet(plan: Plan & { kind: 'project-set' }, params: readonly Value[], ctx: ExecContext, open: OpenCursor): RowCursor {
  const input = open(plan.input, params, ctx);
  // A function with several output columns yields one record (PgRecord) per row.
  const calls = plan.calls.map((c) => ({ fn: c.fn, args: c.args.map(compile), fields: c.fn.setColumns?.map((col) => typeByOid(col.type)!) ?? null }));
  return {
    async next() {
      for (;;) {
        const batch = await input.next();
        if (!batch) return null;
        ctx.checkCancel();
        const out: Row[] = [];
        for (const r of batch) {
          const lists = calls.map((c) => {
            const vals = c.args.map((a) => a(r, params, ctx));
            if (c.fn.strict && vals.includes(null)) return [];
            const values = [...(c.fn.impl(vals, ctx) as Iterable<Value>)];
            const fields = c.fields;
            if (fields && fields.length === 1) return values.map((row) => (row as Value[])[0]!);
            return fields ? values.map((row): PgRecord => (row as Value[]).map((value, i) => ({ type: fields[i]!, value }))) : values;
          });
          const n = Math.max(0, ...lists.map((l) => l.length));
          for (let i = 0; i < n; i++) out.push([...r, ...lists.map((l) => (i < l.length ? l[i] : null))]);
        }
        if (out.length > 0) return out;
      }
    },
    close: () => input.close(),
  };
}
