/**
 * sql/: converts libpg-query's ViewStmt (CREATE [OR REPLACE] [RECURSIVE] VIEW), DROP VIEW and
 * ALTER VIEW ... RENAME TO into the AST, refusing what Tessera does not do (temporary and
 * materialized views, WITH CHECK OPTION, view options) with 0A000. Also finds the defining
 * query's source text in the statement (viewQueryText), which is what a view stores; a
 * recursive view's text becomes PostgreSQL's WITH RECURSIVE rewrite.
 */
import { scanSync } from 'libpg-query';
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import type { QualifiedName, SelectStmt, Statement } from './ast.ts';
import { qualifiedName } from './convert-ddl-dml.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

/** CREATE [OR REPLACE] VIEW name [(columns)] AS query. */
export function convertViewStmt(convertSelect: (node: Raw) => SelectStmt, n: Raw): Statement {
  if (n.view.relpersistence === 't') throw notSupported('temporary views are not supported yet');
  if (n.withCheckOption && n.withCheckOption !== 'NO_CHECK_OPTION') throw notSupported('WITH CHECK OPTION is not supported: views are not updatable in Tessera');
  if ((n.options ?? []).length > 0) {
    const name = (n.options as Raw[])[0].DefElem?.defname ?? '?';
    throw notSupported(`view option "${name}" is not supported`);
  }
  const columnNames = ((n.aliases ?? []) as Raw[]).map((a: Raw) => a.String.sval as string);
  if (!n.query?.SelectStmt) throw new DbError(SqlState.SyntaxError, 'CREATE VIEW needs a SELECT');
  return { kind: 'create_view', view: qualifiedName(n.view), columnNames, query: convertSelect(n.query.SelectStmt), replace: n.replace === true };
}

/** CREATE MATERIALIZED VIEW arrives as CreateTableAsStmt with objtype OBJECT_MATVIEW. */
export function refuseMaterializedView(): never {
  throw notSupported('materialized views are not supported');
}

/** DROP VIEW [IF EXISTS] a, b [CASCADE | RESTRICT]. */
export function convertDropView(n: Raw): Statement {
  if (n.removeType === 'OBJECT_MATVIEW') refuseMaterializedView();
  const names = ((n.objects ?? []) as Raw[]).map((o: Raw): QualifiedName => {
    const parts = (o.List.items as Raw[]).map((p: Raw) => p.String.sval as string);
    if (parts.length > 2) throw notSupported('cross-database references are not implemented');
    return parts.length === 2 ? { schema: parts[0]!, name: parts[1]!, location: -1 } : { schema: null, name: parts[0]!, location: -1 };
  });
  return { kind: 'drop', objectType: 'view', names, ifExists: n.missing_ok === true, cascade: n.behavior === 'DROP_CASCADE' };
}

/** ALTER VIEW [IF EXISTS] name RENAME TO new / RENAME [COLUMN] col TO new. */
export function convertRenameView(n: Raw): Statement {
  const column = n.renameType === 'OBJECT_COLUMN' ? { column: n.subname as string } : {};
  return { kind: 'rename_view', view: qualifiedName(n.relation), ifExists: n.missing_ok === true, to: n.newname, ...column };
}

/**
 * The defining query's text in a CREATE VIEW statement: everything after the first AS at
 * parenthesis depth 0 (the column list and the name cannot hold one), without a trailing
 * semicolon. Offsets from the scanner are UTF-8 bytes.
 */
export function viewQueryText(statementSql: string, view?: { name: string; columns: readonly string[] }): string {
  const bytes = Buffer.from(statementSql, 'utf8');
  const tokens = scanSync(statementSql).tokens;
  // CREATE RECURSIVE VIEW v (cols) AS q is WITH RECURSIVE v (cols) AS (q) SELECT cols FROM v, as PostgreSQL's grammar rewrites it.
  const viewAt = tokens.findIndex((t) => t.text.toLowerCase() === 'view');
  if (view && tokens.slice(0, viewAt).some((t) => t.text.toLowerCase() === 'recursive')) {
    const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
    const cols = view.columns.map(q).join(', ');
    return `WITH RECURSIVE ${q(view.name)} (${cols}) AS (${viewQueryText(statementSql)}) SELECT ${cols} FROM ${q(view.name)}`;
  }
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.text.toLowerCase() === 'as') return bytes.toString('utf8', t.end).trim().replace(/;\s*$/, '').trim();
  }
  throw new DbError(SqlState.SyntaxError, 'CREATE VIEW without AS');
}

/**
 * True when a stored view query may read column `name`: it names it as an identifier, or
 * selects `*` (which PostgreSQL expands into every column at creation), or has a NATURAL
 * join (whose condition names no column).
 */
export function viewQueryMentions(query: string, name: string): boolean {
  return scanSync(query).tokens.some((t) => t.text === '*' || t.text.toLowerCase() === 'natural' || t.text === name || (t.text.startsWith('"') && t.text.slice(1, -1).replace(/""/g, '"') === name) || (!t.text.startsWith('"') && t.text.toLowerCase() === name));
}
