/**
 * Miscellaneous functions of PostgreSQL 15: gen_random_uuid (§9.14), num_nulls /
 * num_nonnulls (§9.2) and pg_typeof (§9.26, when the regtype type is present).
 */
import { randomUUID } from 'node:crypto';
import { DbError, SqlState } from '../errors/index.ts';
import { Oid, parseUuid, typeByOid } from '../types/index.ts';
import { fn, variadicFn } from './function-defs.ts';

fn('gen_random_uuid', [], Oid.uuid, () => parseUuid(randomUUID()), { volatility: 'volatile' });

for (const [name, countNulls] of [['num_nulls', true], ['num_nonnulls', false]] as const) {
  variadicFn(
    name,
    (actual) => (actual.length === 0 ? null : { argTypes: actual, returnType: Oid.int4 }),
    () => (args) => args.filter((v) => (v === null) === countNulls).length,
    { strict: false },
  );
}

/** regtype's OID; pg_typeof is registered only when the type library has regtype. */
const REGTYPE_OID = 2206;
if (typeByOid(REGTYPE_OID)) {
  variadicFn(
    'pg_typeof',
    (actual) => (actual.length === 1 ? { argTypes: [...actual], returnType: REGTYPE_OID } : null),
    ([t]) => () => {
      if (t === undefined) throw new DbError(SqlState.InternalError, 'pg_typeof without an argument');
      return t;
    },
    { strict: false, volatility: 'stable' },
  );
}
