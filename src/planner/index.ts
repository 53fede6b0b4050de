/**
 * planner/: binds names and types against the scope/catalog and builds plans (executor/plan.ts).
 * Imports sql/, catalog/ (table definitions), executor/ (plan shapes, function and cast
 * catalogs), types/, errors/.
 */
export { planSelect, planTableScan, figureColumnName } from './plan-select.ts';
export { explainLines } from './explain.ts';
export { planInsert, planInsertRows, planUpdateOrDelete, bindStored, type PlannedModify } from './plan-modify.ts';
export { bindCreateTable, bindColumn, evaluateMissingValue, alterTableOptions, bindAddConstraint, validateDefault, DEFAULT_SEGMENT_SIZE_BYTES, type BoundCreateTable } from './plan-ddl.ts';
export { bindExpr, bindTypeName, coerce, ParamTypes, type BindContext, type ScopeColumn } from './bind-expr.ts';
export { bindViewDefinition, planViewQuery, type BoundViewDefinition } from './plan-view.ts';
export { resolveTable, resolveView, creationSchema, liveColumns, parseSearchPath, type CatalogReader, type PlanEnv } from './relations.ts';
export { typeDisplayName } from './resolve.ts';
export { bindCreateIndex, defaultIndexName, opclassInfo, indexOption, type BoundCreateIndex, type OpclassInfo, type VectorMetric } from './plan-index.ts';
export { resolvePartition, bindPartitionValues, type PartitionTarget } from './plan-partition.ts';
export { validatePolicyExpr, applicablePolicies } from './rls.ts';
