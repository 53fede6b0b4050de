/**
 * executor/: functions over the primary-key index (docs/pk-index.md).
 * tessera.verify_pk_index(table text) → text: the index compared with the table's segments,
 * as JSON {table, rows, entries, differences}; an empty `differences` means clean.
 */
import { Oid } from '../types/index.ts';
import { defineFunction } from './functions.ts';

defineFunction({
  name: 'tessera.verify_pk_index',
  argTypes: [Oid.text],
  returnType: Oid.text,
  strict: true,
  volatility: 'volatile',
  async: true,
  impl: ([table], ctx) => ctx.data.verifyPkIndex(table as string),
});
