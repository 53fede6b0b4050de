/**
 * Join cursors. Nested loop: the right input materialised once (or re-opened per left row
 * for LATERAL), every pair tested with the ON condition. Hash join: a hash table of the
 * right rows on their key values, probed by each left row; equal keys then pass the
 * residual condition. Both handle inner, left, right, full, cross, semi and anti joins;
 * NULL keys never match, as with `=`.
 */
import { compileAsync, compile, isAsync, type AsyncEvaluator } from './compile.ts';
import { withOuterRow, type ExecContext } from './context.ts';
import { hashKey } from './hash-key.ts';
import type { JoinKind, Plan } from './plan.ts';
import type { RowCursor } from './cursor.ts';
import type { Row, Value } from './value.ts';

type OpenCursor = (plan: Plan, params: readonly Value[], ctx: ExecContext) => RowCursor;

async function drainAll(c: RowCursor): Promise<Row[]> {
  const out: Row[] = [];
  try {
    for (let b = await c.next(); b; b = await c.next()) for (const r of b) out.push(r);
  } finally {
    c.close();
  }
  return out;
}

const nulls = (n: number): Row => new Array<Value>(n).fill(null);

/**
 * Drives a join: `matchesOf(left)` gives the right rows (with their index in `rightRows`,
 * or -1 for per-left-row LATERAL rows) that join with the left row.
 */
function joinCursor(
  kind: JoinKind,
  left: RowCursor,
  leftWidth: number,
  rightWidth: number,
  prepare: () => Promise<Row[]>,
  matchesOf: (leftRow: Row) => Promise<{ row: Row; index: number }[]>,
  ctx: ExecContext,
): RowCursor {
  let rightRows: Row[] | null = null;
  let matched: Uint8Array | null = null;
  let leftDone = false;
  let tailDone = false;
  return {
    async next() {
      if (!rightRows) {
        rightRows = await prepare();
        if (kind === 'right' || kind === 'full') matched = new Uint8Array(rightRows.length);
      }
      while (!leftDone) {
        const batch = await left.next();
        if (!batch) {
          leftDone = true;
          break;
        }
        ctx.checkCancel();
        const out: Row[] = [];
        for (const l of batch) {
          const ms = await matchesOf(l);
          if (kind === 'semi') {
            if (ms.length > 0) out.push(l);
            continue;
          }
          if (kind === 'anti') {
            if (ms.length === 0) out.push(l);
            continue;
          }
          for (const m of ms) {
            out.push([...l, ...m.row]);
            if (matched && m.index >= 0) matched[m.index] = 1;
          }
          if (ms.length === 0 && (kind === 'left' || kind === 'full')) out.push([...l, ...nulls(rightWidth)]);
        }
        if (out.length > 0) return out;
      }
      if (matched && !tailDone) {
        tailDone = true;
        const out: Row[] = [];
        rightRows.forEach((r, i) => {
          if (!matched![i]) out.push([...nulls(leftWidth), ...r]);
        });
        if (out.length > 0) return out;
      }
      return null;
    },
    close() {
      left.close();
    },
  };
}

export function openNestedLoop(plan: Plan & { kind: 'nested-loop' }, params: readonly Value[], ctx: ExecContext, open: OpenCursor): RowCursor {
  const left = open(plan.left, params, ctx);
  const on: AsyncEvaluator | null = plan.on ? compileAsync(plan.on) : null;
  const test = async (row: Row): Promise<boolean> => on === null || (await on(row, params, ctx)) === true;
  let rightRows: Row[] = [];
  return joinCursor(
    plan.joinType,
    left,
    plan.leftWidth,
    plan.rightWidth,
    async () => (rightRows = plan.lateral ? [] : await drainAll(open(plan.right, params, ctx))),
    async (l) => {
      const candidates = plan.lateral ? await drainAll(open(plan.right, params, withOuterRow(ctx, l))) : rightRows;
      const out: { row: Row; index: number }[] = [];
      for (let i = 0; i < candidates.length; i++) {
        const r = candidates[i]!;
        if (await test([...l, ...r])) out.push({ row: r, index: plan.lateral ? -1 : i });
      }
      return out;
    },
    ctx,
  );
}

export function openHashJoin(plan: Plan & { kind: 'hash-join' }, params: readonly Value[], ctx: ExecContext, open: OpenCursor): RowCursor {
  const left = open(plan.left, params, ctx);
  const leftKeys = plan.leftKeys.map(compile);
  const rightKeys = plan.rightKeys.map(compile);
  const residual = plan.residual ? (isAsync(plan.residual) ? compileAsync(plan.residual) : compile(plan.residual)) : null;
  const table = new Map<string, number[]>();
  let rightRows: Row[] = [];
  const keyOf = (evals: typeof leftKeys, row: Row): string | null => {
    const vals = evals.map((k) => k(row, params, ctx));
    return vals.includes(null) ? null : hashKey(vals);
  };
  return joinCursor(
    plan.joinType,
    left,
    plan.leftWidth,
    plan.rightWidth,
    async () => {
      rightRows = await drainAll(open(plan.right, params, ctx));
      rightRows.forEach((r, i) => {
        const k = keyOf(rightKeys, r);
        if (k === null) return;
        const list = table.get(k);
        if (list) list.push(i);
        else table.set(k, [i]);
      });
      return rightRows;
    },
    async (l) => {
      const k = keyOf(leftKeys, l);
      const hits = k === null ? undefined : table.get(k);
      if (!hits) return [];
      const out: { row: Row; index: number }[] = [];
      for (const i of hits) {
        const r = rightRows[i]!;
        if (residual && (await residual([...l, ...r], params, ctx)) !== true) continue;
        out.push({ row: r, index: i });
      }
      return out;
    },
    ctx,
  );
}
