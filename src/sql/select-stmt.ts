/** Builds SelectStmt values for code that synthesises queries (COPY table TO, ...). */
import type { SelectStmt } from './ast.ts';

/** A SELECT with every clause empty except those given. */
export function selectStmt(fields: Partial<Omit<SelectStmt, 'kind'>>): SelectStmt {
  return {
    kind: 'select',
    targets: [],
    from: [],
    where: null,
    groupBy: [],
    having: null,
    orderBy: [],
    limit: null,
    offset: null,
    values: null,
    distinct: null,
    with: null,
    windows: [],
    setOp: null,
    ...fields,
  };
}
