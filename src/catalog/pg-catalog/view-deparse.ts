/**
 * catalog/pg-catalog: a plain view's definition as pg_get_viewdef / pg_views.definition print
 * it. Placeholder form: the stored query text after a space, ending in a semicolon.
 */
import type { ViewDef } from '../views.ts';
import type { PgCatalogModel } from './model.ts';

/** pg_get_viewdef(view, pretty) text. */
export function viewDefinition(_m: PgCatalogModel, view: ViewDef, _pretty = false): string {
  return ` ${view.query};`;
}
