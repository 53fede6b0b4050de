/**
 * Row cursors: the pull interface every plan node implements (batches of rows, null at
 * the end), and the cursor over rows already in memory.
 */
import type { Row } from './value.ts';

/** A source of row batches; next() returns null when exhausted. */
export interface RowCursor {
  next(): Promise<Row[] | null>;
  /** Releases resources early (portal closed before the end). */
  close(): void;
}


/** A cursor over rows already in memory (sorted results, SHOW, RETURNING). */
export class ArrayCursor implements RowCursor {
  private done = false;
  constructor(private readonly rows: Row[]) {}
  async next(): Promise<Row[] | null> {
    if (this.done) return null;
    this.done = true;
    return this.rows;
  }
  close(): void {
    this.done = true;
  }
}
