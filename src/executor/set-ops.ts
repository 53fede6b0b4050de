/**
 * Row-set operators: DISTINCT, DISTINCT ON (unique over sorted input), UNION / INTERSECT /
 * EXCEPT [ALL], WITH queries (materialised once per execution in ctx.runState) and WITH
 * RECURSIVE's iteration over a work table. Rows compare as PostgreSQL's set operations do:
 * NULLs are not distinct from each other.
 */
import { compile } from './compile.ts';
import type { ExecContext } from './context.ts';
import { hashKey } from './hash-key.ts';
import type { Plan } from './plan.ts';
import { ArrayCursor, type RowCursor } from './cursor.ts';
import type { Row, Value } from './value.ts';

type OpenCursor = (plan: Plan, params: readonly Value[], ctx: ExecContext) => RowCursor;

async function drainAll(c: RowCursor, ctx: ExecContext): Promise<Row[]> {
  const out: Row[] = [];
  try {
    for (let b = await c.next(); b; b = await c.next()) {
      ctx.checkCancel();
      for (const r of b) out.push(r);
    }
  } finally {
    c.close();
  }
  return out;
}

/** A cursor computed in one go on the first next(). */
function lazyCursor(compute: () => Promise<Row[]>, onClose: () => void = () => {}): RowCursor {
  let inner: ArrayCursor | null = null;
  return {
    async next() {
      inner ??= new ArrayCursor(await compute());
      return inner.next();
    },
    close: onClose,
  };
}

export function openDistinct(plan: Plan & { kind: 'distinct' }, params: readonly Value[], ctx: ExecContext, open: OpenCursor): RowCursor {
  const input = open(plan.input, params, ctx);
  const seen = new Set<string>();
  return {
    async next() {
      for (;;) {
        const batch = await input.next();
        if (!batch) return null;
        const out = batch.filter((r) => {
          const k = hashKey(r);
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
        if (out.length > 0) return out;
      }
    },
    close: () => input.close(),
  };
}

export function openUnique(plan: Plan & { kind: 'unique' }, params: readonly Value[], ctx: ExecContext, open: OpenCursor): RowCursor {
  const input = open(plan.input, params, ctx);
  const keys = plan.keys.map(compile);
  let last: string | null = null;
  return {
    async next() {
      for (;;) {
        const batch = await input.next();
        if (!batch) return null;
        const out = batch.filter((r) => {
          const k = hashKey(keys.map((e) => e(r, params, ctx)));
          if (k === last) return false;
          last = k;
          return true;
        });
        if (out.length > 0) return out;
      }
    },
    close: () => input.close(),
  };
}

function counts(rows: readonly Row[]): Map<string, { row: Row; n: number }> {
  const m = new Map<string, { row: Row; n: number }>();
  for (const r of rows) {
    const k = hashKey(r);
    const e = m.get(k);
    if (e) e.n++;
    else m.set(k, { row: r, n: 1 });
  }
  return m;
}

export function openSetOp(plan: Plan & { kind: 'set-op' }, params: readonly Value[], ctx: ExecContext, open: OpenCursor): RowCursor {
  if (plan.op === 'union' && plan.all) {
    const left = open(plan.left, params, ctx);
    let right: RowCursor | null = null;
    return {
      async next() {
        if (!right) {
          const b = await left.next();
          if (b) return b;
          right = open(plan.right, params, ctx);
        }
        return right.next();
      },
      close() {
        left.close();
        right?.close();
      },
    };
  }
  if (plan.op === 'union') {
    return openDistinct({ kind: 'distinct', input: { ...plan, all: true } }, params, ctx, open);
  }
  return lazyCursor(async () => {
    let left = counts(await drainAll(open(plan.left, params, ctx), ctx));
    let right = counts(await drainAll(open(plan.right, params, ctx), ctx));
    // Like PostgreSQL's hashed INTERSECT, the smaller input supplies the rows (and their representation).
    if (plan.op === 'intersect' && right.size < left.size) [left, right] = [right, left];
    const out: Row[] = [];
    for (const [k, { row, n }] of left) {
      const m = right.get(k)?.n ?? 0;
      const copies = plan.op === 'intersect' ? Math.min(n, m) : Math.max(n - m, 0);
      const emitted = plan.all ? copies : Math.min(copies, 1);
      for (let i = 0; i < emitted; i++) out.push(row);
    }
    return out;
  });
}

export function openCteScan(plan: Plan & { kind: 'cte-scan' }, params: readonly Value[], ctx: ExecContext, open: OpenCursor): RowCursor {
  const key = `cte:${plan.cteId}`;
  return lazyCursor(async () => {
    const cached = ctx.runState?.get(key) as Row[] | undefined;
    if (cached) return cached;
    const rows = await drainAll(open(plan.input, params, ctx), ctx);
    ctx.runState?.set(key, rows);
    return rows;
  });
}

export function openWorktableScan(plan: Plan & { kind: 'worktable-scan' }, ctx: ExecContext): RowCursor {
  return lazyCursor(async () => (ctx.runState?.get(`wt:${plan.cteId}`) as Row[] | undefined) ?? []);
}

export function openRecursiveUnion(plan: Plan & { kind: 'recursive-union' }, params: readonly Value[], ctx: ExecContext, open: OpenCursor): RowCursor {
  return lazyCursor(async () => {
    const seen = new Set<string>();
    const fresh = (rows: Row[]): Row[] =>
      plan.all
        ? rows
        : rows.filter((r) => {
            const k = hashKey(r);
            if (seen.has(k)) return false;
            seen.add(k);
            return true;
          });
    const result: Row[] = [];
    let working = fresh(await drainAll(open(plan.base, params, ctx), ctx));
    while (working.length > 0) {
      for (const r of working) result.push(r);
      ctx.runState!.set(`wt:${plan.cteId}`, working);
      working = fresh(await drainAll(open(plan.step, params, ctx), ctx));
    }
    return result;
  });
}
