/**
 * sql/: converts libpg-query's IndexStmt, DropStmt (OBJECT_INDEX) and ReindexStmt into the
 * index AST of ast-index.ts. Expression indexes, partial indexes and INCLUDE columns are
 * refused here with 0A000.
 */
import { notSupported } from '../errors/index.ts';
import type { QualifiedName, Statement } from './ast.ts';
import type { IndexElement } from './ast-index.ts';
import { errorPosition } from './position.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

const at = errorPosition;

function rangeVarName(rv: Raw): QualifiedName {
  if (rv.catalogname) throw notSupported('cross-database references are not implemented').at(at(rv.location));
  return { schema: rv.schemaname ?? null, name: rv.relname, location: rv.location ?? -1 };
}

/** A DefElem argument as text, the way PostgreSQL's reloptions see it. */
function defElemText(arg: Raw): string {
  if (arg === undefined || arg === null) return 'true';
  if (arg.Integer) return String(arg.Integer.ival ?? 0);
  if (arg.Float) return String(arg.Float.fval);
  if (arg.String) return String(arg.String.sval);
  if (arg.Boolean) return arg.Boolean.boolval ? 'true' : 'false';
  if (arg.TypeName) return ((arg.TypeName.names ?? []) as Raw[]).map((n: Raw) => n.String.sval).join('.');
  return String(Object.values(arg)[0]);
}

function indexElement(e: Raw): IndexElement {
  if (e.expr !== undefined) throw notSupported('expression indexes are not supported; index a column').at(at(e.expr?.location ?? -1));
  if (e.collation?.length) throw notSupported('COLLATE in an index is not supported');
  const opclass = ((e.opclass ?? []) as Raw[]).map((p: Raw) => p.String.sval as string);
  if (e.opclassopts?.length) throw notSupported('operator class options are not supported');
  return {
    column: e.name,
    opclass: opclass.length === 0 ? null : opclass[opclass.length - 1]!,
    descending: e.ordering === 'SORTBY_DESC',
    location: -1,
  };
}

/** CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON t [USING m] (cols) [WITH (...)]. */
export function convertIndexStmt(n: Raw): Statement {
  if (n.whereClause) throw notSupported('partial indexes (CREATE INDEX ... WHERE) are not supported');
  if (n.indexIncludingParams?.length) throw notSupported('CREATE INDEX ... INCLUDE is not supported');
  if (n.tableSpace) throw notSupported('tablespaces are not supported');
  const options: Record<string, string> = {};
  for (const o of (n.options ?? []) as Raw[]) options[o.DefElem.defname] = defElemText(o.DefElem.arg);
  return {
    kind: 'create_index',
    name: n.idxname ?? null,
    table: rangeVarName(n.relation),
    method: String(n.accessMethod ?? 'btree').toLowerCase(),
    elements: ((n.indexParams ?? []) as Raw[]).map((p: Raw) => indexElement(p.IndexElem)),
    options,
    ifNotExists: n.if_not_exists === true,
    concurrently: n.concurrent === true,
    unique: n.unique === true,
    location: n.relation?.location ?? -1,
  };
}

/** DROP INDEX [CONCURRENTLY] [IF EXISTS] a, b [CASCADE | RESTRICT]. */
export function convertDropIndex(n: Raw): Statement {
  const names = ((n.objects ?? []) as Raw[]).map((o: Raw): QualifiedName => {
    const parts = (o.List.items as Raw[]).map((p: Raw) => p.String.sval as string);
    if (parts.length > 2) throw notSupported('cross-database references are not implemented');
    return parts.length === 2 ? { schema: parts[0]!, name: parts[1]!, location: -1 } : { schema: null, name: parts[0]!, location: -1 };
  });
  return { kind: 'drop_index', names, ifExists: n.missing_ok === true, concurrently: n.concurrent === true };
}

/** REINDEX INDEX name | REINDEX TABLE name (other targets are refused). */
export function convertReindex(n: Raw): Statement {
  const kind = String(n.kind);
  if (kind !== 'REINDEX_OBJECT_INDEX' && kind !== 'REINDEX_OBJECT_TABLE') {
    throw notSupported(`REINDEX ${kind.replace('REINDEX_OBJECT_', '')} is not supported; use REINDEX INDEX or REINDEX TABLE`);
  }
  const concurrently = ((n.params ?? []) as Raw[]).some((p: Raw) => p.DefElem?.defname === 'concurrently');
  return { kind: 'reindex', target: kind === 'REINDEX_OBJECT_INDEX' ? 'index' : 'table', name: rangeVarName(n.relation), concurrently };
}
