/**
 * catalog/: plain views (the Views table of migration 0007). A view is its defining query's
 * source text plus the columns fixed at CREATE VIEW; the planner parses and plans the text at
 * each use (planner/plan-view.ts). Ids come from the Tables sequence, so a view id is a
 * relation OID no table or partition has.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { nowMicros, type CatalogDb } from './catalog-db.ts';

/** One output column of a view, as fixed at creation. */
export interface ViewColumn {
  readonly name: string;
  readonly typeOid: number;
  readonly typmod: number;
}

/** A stored view. */
export interface ViewDef {
  readonly viewId: number;
  readonly schema: string;
  readonly name: string;
  /** The defining SELECT's source text (no trailing semicolon). */
  readonly query: string;
  readonly columns: readonly ViewColumn[];
  /** search_path at creation: the schemas unqualified names in `query` are looked up in. */
  readonly searchPath: readonly string[];
  /** Ids of the tables and views the query reads. */
  readonly dependsOn: readonly number[];
}

/** What CREATE [OR REPLACE] VIEW stores. */
export type NewViewDef = Omit<ViewDef, 'viewId'>;

interface ViewRowDb {
  view_id: number;
  schema: string;
  name: string;
  query: string;
  columns: string;
  search_path: string;
  depends_on: string;
}

function fromRow(r: ViewRowDb): ViewDef {
  return {
    viewId: r.view_id, schema: r.schema, name: r.name, query: r.query, columns: JSON.parse(r.columns) as ViewColumn[],
    searchPath: JSON.parse(r.search_path) as string[], dependsOn: JSON.parse(r.depends_on) as number[],
  };
}

const SELECT = 'SELECT view_id, schema, name, query, columns, search_path, depends_on FROM Views';

/** The view, or undefined. */
export function getView(cdb: CatalogDb, schema: string, name: string): ViewDef | undefined {
  const r = cdb.get<ViewRowDb>(`${SELECT} WHERE schema = ? AND name = ?`, schema, name);
  return r ? fromRow(r) : undefined;
}

/** The view with this id, or undefined. */
export function getViewById(cdb: CatalogDb, viewId: number): ViewDef | undefined {
  const r = cdb.get<ViewRowDb>(`${SELECT} WHERE view_id = ?`, viewId);
  return r ? fromRow(r) : undefined;
}

/** Every view in id (creation) order. */
export function listViews(cdb: CatalogDb): ViewDef[] {
  return cdb.all<ViewRowDb>(`${SELECT} ORDER BY view_id`).map(fromRow);
}

/** Inserts a new view with a fresh id from the Tables sequence; 42P07 when the name is a view already. */
export function createView(cdb: CatalogDb, def: NewViewDef): ViewDef {
  return cdb.tx(() => {
    if (getView(cdb, def.schema, def.name)) throw new DbError(SqlState.DuplicateTable, `relation "${def.name}" already exists`);
    cdb.run("UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'Tables'");
    const id = cdb.get<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'Tables'")!.seq;
    cdb.run('INSERT INTO Views (view_id, schema, name, query, columns, search_path, depends_on, created_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      id, def.schema, def.name, def.query, JSON.stringify(def.columns), JSON.stringify(def.searchPath), JSON.stringify(def.dependsOn), nowMicros());
    return getViewById(cdb, id)!;
  });
}

/** CREATE OR REPLACE VIEW of an existing view: new query, columns and dependencies, same id. */
export function replaceView(cdb: CatalogDb, viewId: number, def: Pick<ViewDef, 'query' | 'columns' | 'searchPath' | 'dependsOn'>): ViewDef {
  cdb.run('UPDATE Views SET query = ?, columns = ?, search_path = ?, depends_on = ? WHERE view_id = ?',
    def.query, JSON.stringify(def.columns), JSON.stringify(def.searchPath), JSON.stringify(def.dependsOn), viewId);
  return getViewById(cdb, viewId)!;
}

/** ALTER VIEW ... RENAME TO; the caller checked the name is free. */
export function renameView(cdb: CatalogDb, viewId: number, newName: string): void {
  cdb.run('UPDATE Views SET name = ? WHERE view_id = ?', newName, viewId);
}

/** Deletes a view row (its owner/ACL and comments are the caller's to forget). */
export function dropView(cdb: CatalogDb, viewId: number): void {
  cdb.run('DELETE FROM Views WHERE view_id = ?', viewId);
}
