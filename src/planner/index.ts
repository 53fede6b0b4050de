/**
 * planner/: binds names and types against the scope/catalog and builds plans (executor/plan.ts).
 * Imports sql/, executor/ (plan shapes, function and cast catalogs), types/, errors/.
 */
export { planSelect, figureColumnName } from './plan-select.ts';
export { bindExpr, bindTypeName, coerce, ParamTypes, type BindContext, type ScopeColumn } from './bind-expr.ts';
export { typeDisplayName } from './resolve.ts';
