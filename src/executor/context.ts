/**
 * What a running statement may ask of its session: settings, identity, the statement's
 * clock and cancellation. session/ implements it; executor/ only reads through it, so the
 * executor never imports the session layer.
 */
import type { FormatContext } from '../types/index.ts';

export interface ExecContext {
  readonly format: FormatContext;
  readonly user: string;
  readonly database: string;
  readonly backendPid: number;
  /** Transaction start, microseconds since 2000-01-01 UTC (now(), current_timestamp). */
  readonly transactionStartMicros: bigint;
  /** Statement start, same unit (statement_timestamp()). */
  readonly statementStartMicros: bigint;
  getSetting(name: string, missingOk: boolean): string | null;
  setSetting(name: string, value: string, isLocal: boolean): void;
  /** Throws 57014 if the statement was cancelled or timed out. Cheap; call between batches. */
  checkCancel(): void;
  /** Resolves after ms, or rejects with 57014 as soon as the statement is cancelled. */
  sleep(ms: number): Promise<void>;
}
