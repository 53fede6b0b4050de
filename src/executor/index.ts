/**
 * executor/: runs plans. Defines the plan and bound-expression shapes it can run, the
 * function and cast catalogs, expression compilation and plan cursors. Imports types/,
 * errors/ (and storage/ as it arrives); never sql/, planner/ or session/.
 */
export type { BoundExpr } from './bound.ts';
export type { Plan, PlannedQuery, OutputColumn, SortKey, ModifyPlan, OnConflictPlan, PkRange, RowChecks, RlsCheck, AggregateCall, JoinKind, WindowCall, WindowFrame, FrameBound, TenantPin } from './plan.ts';
export { aggregateNamed, isAggregateName, type AggregateFunction } from './aggregates.ts';
export type { ExecContext, DataAccess, ScanBatch, PgCatalogAccess, VectorTopKTrace } from './context.ts';
export { runModify, RowInserter, type ModifyResult } from './modify.ts';
export * as privileges from './privileges.ts';
export type { RoleContext } from './privileges.ts';
export type { Row, Value } from './value.ts';
export { hashKey } from './hash-key.ts';
export { releaseAdvisoryLocks, advisoryLocksOf } from './advisory-locks.ts';
import './functions-text.ts'; // loading these registers the everyday SQL function library
import './functions-math.ts';
import './functions-datetime.ts';
import './functions-json.ts';
import './functions-array.ts';
import './functions-misc.ts';
import './functions-money.ts';
import './functions-pk.ts'; // registers tessera.verify_pk_index
import './functions-catalog.ts'; // pg_catalog functions: format_type, pg_get_constraintdef, has_table_privilege, ...
export { allFunctions, functionsNamed, compareValues, nowMicros, defineFunction, ANYNONARRAY_OID, type ScalarFunction } from './functions.ts';
export { castValue, canCast, castContext, isNumericType, isStringType, type CastContext } from './casts.ts';
export { compile, compileAsync, isAsync } from './compile.ts';
export { openCursor, ArrayCursor, type RowCursor } from './run-plan.ts';
export { SERVER_VERSION_STRING, TESSERA_VERSION } from './version.ts';
export * from './copy/index.ts';
export { compareVectorValues } from './vector-functions.ts'; // loading it registers pgvector's functions
// Named partitions' row check (planner/plan-partition.ts).
export { PARTITION_CONSTRAINT } from './plan.ts';
export { describeVectorTopK, type VectorTopKPlan, type TopKIndex } from './plan-vector-topk.ts';
export { tenantFilter } from './tenant-keys.ts';
