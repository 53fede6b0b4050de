/**
 * catalog/pg-catalog: a plain view's definition as pg_get_viewdef / pg_views.definition print
 * it — PostgreSQL's ruleutils layout (` SELECT t.a,\n    t.b\n   FROM t\n  WHERE (t.a > 1);`):
 * column references qualified by their range entry, `*` expanded, relations schema-qualified
 * when the session's search_path would not find them (so pg_dump's empty search_path gets
 * `public.t`), expressions through deparse.ts. Covers SELECT blocks over tables, views, joins,
 * subqueries in FROM and one plain WITH query (nested queries indented, reference names made
 * unique: t, t_1), and left-deep chains of set operations; other shapes (subqueries in
 * expressions, VALUES, recursive WITH) print the stored text with its relations qualified.
 */
import { parseSync, scanSync } from 'libpg-query';
import type { ViewDef } from '../views.ts';
import { deparseExpr, quoteIdent } from './deparse.ts';
import type { PgCatalogModel } from './model.ts';

// biome-ignore lint: libpg-query's JSON is untyped
type Raw = any;

/** A FROM entry: the name references use, the relation and its columns. */
interface RangeEntry {
  readonly ref: string;
  readonly columns: readonly { name: string; oid: number; typmod: number }[];
}

class Unsupported extends Error {}

/** pg_get_viewdef(view, pretty) text. */
export function viewDefinition(m: PgCatalogModel, view: ViewDef, pretty = false): string {
  try {
    return deparseView(m, view, pretty);
  } catch (err) {
    if (!(err instanceof Unsupported) && !(err instanceof SyntaxError) && !(err instanceof TypeError)) throw err;
    return ` ${qualifyRelations(m, view)};`;
  }
}

const CLAUSE_ENDS = new Set(['where', 'group', 'having', 'order', 'limit', 'offset', 'union', 'intersect', 'except', 'window', 'fetch', 'for', 'on', 'using', 'select', 'returning']);

/**
 * The stored text with each relation the view reads schema-qualified where it stands as a
 * FROM item (after FROM, JOIN, or a comma of a FROM list) and the session's search_path would
 * not find it in the schema it was bound to: the fallback keeps pg_dump's output (empty
 * search_path) restorable.
 */
function qualifyRelations(m: PgCatalogModel, view: ViewDef): string {
  const read = new Map<string, string>();
  for (const id of view.dependsOn) {
    const r = m.relationById(id);
    if (r && findSchema(m, m.ctx.searchPath, r.name) !== r.schema && findSchema(m, view.searchPath, r.name) === r.schema) read.set(r.name, r.schema);
  }
  if (read.size === 0) return view.query;
  const bytes = Buffer.from(view.query, 'utf8');
  const tokens = (scanSync(view.query) as Raw).tokens as { start: number; end: number; text: string }[];
  const inFrom: boolean[] = [false];
  let depth = 0;
  const out: string[] = [];
  let at = 0;
  tokens.forEach((t, i) => {
    const word = t.text.toLowerCase();
    const prev = tokens[i - 1]?.text.toLowerCase();
    const next = tokens[i + 1]?.text;
    if (word === '(') inFrom[++depth] = false;
    else if (word === ')') depth = Math.max(0, depth - 1);
    else if (word === 'from' || word === 'join') inFrom[depth] = true;
    else if (CLAUSE_ENDS.has(word)) inFrom[depth] = false;
    const itemPosition = prev === 'from' || prev === 'join' || (prev === ',' && inFrom[depth] === true);
    const schema = read.get(t.text.startsWith('"') ? t.text.slice(1, -1).replace(/""/g, '"') : word);
    if (itemPosition && schema !== undefined && next !== '.' && next !== '(' && tokens[i - 1]?.text !== '.') {
      out.push(bytes.toString('utf8', at, t.start), `${quoteIdent(schema)}.`);
      at = t.start;
    }
  });
  out.push(bytes.toString('utf8', at));
  return out.join('');
}

function relationColumns(m: PgCatalogModel, schema: string, name: string): RangeEntry['columns'] | undefined {
  const t = m.tables.find((x) => x.schema === schema && x.name === name);
  if (t) return t.columns.filter((c) => !c.dropped).map((c) => ({ name: c.name, oid: c.typeOid, typmod: c.typmod }));
  const v = m.views.find((x) => x.schema === schema && x.name === name);
  return v?.columns.map((c) => ({ name: c.name, oid: c.typeOid, typmod: c.typmod }));
}

/** The schema an unqualified name finds along `path`, or undefined. */
function findSchema(m: PgCatalogModel, path: readonly string[], name: string): string | undefined {
  return path.find((s) => relationColumns(m, s, name) !== undefined);
}

const SET_OPS: Record<string, string> = { SETOP_UNION: 'UNION', SETOP_INTERSECT: 'INTERSECT', SETOP_EXCEPT: 'EXCEPT' };

function deparseView(m: PgCatalogModel, view: ViewDef, pretty: boolean): string {
  const stmts = (parseSync(view.query) as Raw).stmts ?? [];
  const sel = stmts[0]?.stmt?.SelectStmt;
  if (stmts.length !== 1 || !sel) throw new Unsupported();
  const scope: Scope = { used: new Set(), ctes: new Map() };
  let head = '';
  if (sel.withClause) {
    // One plain CTE: ` WITH c AS (\n<its query, indented>\n        )\n<the query>`.
    const w = sel.withClause;
    const ctes = w.ctes as Raw[];
    if (w.recursive || ctes.length !== 1) throw new Unsupported();
    const cte = ctes[0].CommonTableExpr;
    if (cte.aliascolnames || (cte.ctematerialized && cte.ctematerialized !== 'CTEMaterializeDefault') || !cte.ctequery?.SelectStmt) throw new Unsupported();
    const inner = deparseBlock(m, view, cte.ctequery.SelectStmt, pretty, null, scope);
    scope.ctes.set(cte.ctename, inner.columns);
    head = ` WITH ${quoteIdent(cte.ctename)} AS (\n${indented(inner.text, true)}\n        )\n`;
  }
  return `${head}${deparseQuery(m, view, { ...sel, withClause: undefined }, pretty, scope)};`;
}

/** Names given out to range entries across the whole query, and the WITH queries' columns. */
interface Scope {
  readonly used: Set<string>;
  readonly ctes: Map<string, RangeEntry['columns']>;
}

/** A nested query's text one level (8 columns) further in, as ruleutils' PRETTYINDENT_STD. */
function indented(text: string, firstLine: boolean): string {
  return `${firstLine ? '        ' : ''}${text.replace(/\n/g, '\n        ')}`;
}

/** A reference name no other range entry of the query has: `t`, then `t_1`, `t_2`... */
function uniqueRef(scope: Scope, base: string): string {
  let ref = base;
  for (let k = 1; scope.used.has(ref); k++) ref = `${base}_${k}`;
  scope.used.add(ref);
  return ref;
}

/**
 * A SELECT block, or a left-deep chain of set operations over blocks (`A UNION ALL B EXCEPT
 * C`), whose ORDER BY may name output positions only. Every branch prints the view's
 * column names.
 */
function deparseQuery(m: PgCatalogModel, view: ViewDef, sel: Raw, pretty: boolean, scope: Scope): string {
  if (sel.op === 'SETOP_NONE') return deparseBlock(m, view, sel, pretty, view.columns.map((c) => c.name), scope).text;
  const op = SET_OPS[sel.op as string];
  if (!op || sel.withClause || sel.rarg.op !== 'SETOP_NONE' || (sel.larg.op !== 'SETOP_NONE' && (sel.larg.sortClause || sel.larg.limitCount))) throw new Unsupported();
  const names = view.columns.map((c) => c.name);
  let out = `${deparseQuery(m, view, sel.larg, pretty, scope)}\n${op}${sel.all ? ' ALL' : ''}\n${deparseBlock(m, view, sel.rarg, pretty, names, scope).text}`;
  const position = (n: Raw): string => {
    const v = n.A_Const?.ival;
    if (!v) throw new Unsupported();
    return String(v.ival ?? 0);
  };
  if (sel.sortClause) {
    out += `\n  ORDER BY ${(sel.sortClause as Raw[]).map((x) => {
      const b = x.SortBy;
      if (b.useOp || b.sortby_nulls !== 'SORTBY_NULLS_DEFAULT') throw new Unsupported();
      return `${position(b.node)}${b.sortby_dir === 'SORTBY_DESC' ? ' DESC' : ''}`;
    }).join(', ')}`;
  }
  if (sel.limitOffset) out += `\n OFFSET ${position(sel.limitOffset)}`;
  if (sel.limitCount) out += `\n LIMIT ${position(sel.limitCount)}`;
  return out;
}

/**
 * One SELECT block: its text and output columns. `names` are the view's column names (the
 * top level) or null in a nested query (its targets' own names). Reference names are made
 * unique over the query, this level's FROM items first, as ruleutils names them.
 */
function deparseBlock(m: PgCatalogModel, view: ViewDef, sel: Raw, pretty: boolean, names: readonly string[] | null, scope: Scope): { text: string; columns: RangeEntry['columns'] } {
  if (sel.op !== 'SETOP_NONE' || sel.withClause || sel.valuesLists || sel.intoClause || sel.lockingClause || sel.windowClause) throw new Unsupported();
  if (sel.distinctClause && sel.distinctClause.some((d: Raw) => Object.keys(d).length > 0)) throw new Unsupported(); // DISTINCT ON
  const entries: RangeEntry[] = [];
  // This level's reference names, given out before any nested query takes one.
  const refs: string[] = [];
  const collect = (n: Raw): void => {
    if (n.RangeVar) refs.push(uniqueRef(scope, n.RangeVar.alias?.aliasname ?? n.RangeVar.relname));
    else if (n.RangeSubselect) refs.push(uniqueRef(scope, n.RangeSubselect.alias?.aliasname ?? '?'));
    else if (n.JoinExpr) {
      collect(n.JoinExpr.larg);
      collect(n.JoinExpr.rarg);
    }
  };
  ((sel.fromClause ?? []) as Raw[]).forEach(collect);
  const written: string[] = [];
  const writtenOf = (n: Raw): void => {
    if (n.RangeVar) written.push(n.RangeVar.alias?.aliasname ?? n.RangeVar.relname);
    else if (n.RangeSubselect) written.push(n.RangeSubselect.alias?.aliasname ?? '?');
    else if (n.JoinExpr) {
      writtenOf(n.JoinExpr.larg);
      writtenOf(n.JoinExpr.rarg);
    }
  };
  ((sel.fromClause ?? []) as Raw[]).forEach(writtenOf);
  const entryIndexByWrittenName = (name: string): number => written.indexOf(name);
  let nextRef = 0;
  const rel = (rv: Raw): string => {
    if (rv.catalogname) throw new Unsupported();
    const ref = refs[nextRef++]!;
    if (rv.alias?.colnames) throw new Unsupported();
    const cte = rv.schemaname ? undefined : scope.ctes.get(rv.relname);
    if (cte) {
      entries.push({ ref, columns: cte });
      return ref === rv.relname ? quoteIdent(rv.relname) : `${quoteIdent(rv.relname)} ${quoteIdent(ref)}`;
    }
    const schema: string | undefined = rv.schemaname ?? findSchema(m, view.searchPath, rv.relname);
    if (schema === undefined) throw new Unsupported();
    const columns = relationColumns(m, schema, rv.relname);
    if (!columns) throw new Unsupported();
    entries.push({ ref, columns });
    const visible = findSchema(m, m.ctx.searchPath, rv.relname) === schema;
    const name = visible ? quoteIdent(rv.relname) : `${quoteIdent(schema)}.${quoteIdent(rv.relname)}`;
    return ref === rv.relname ? name : `${name} ${quoteIdent(ref)}`;
  };
  const subselect = (r: Raw): string => {
    const ref = refs[nextRef++]!;
    if (r.lateral || !r.alias || r.alias.colnames || !r.subquery?.SelectStmt) throw new Unsupported();
    const inner = deparseBlock(m, view, r.subquery.SelectStmt, pretty, null, scope);
    entries.push({ ref, columns: inner.columns });
    return `(${indented(inner.text, false)}) ${quoteIdent(ref)}`;
  };
  const columnTypes = (name: string): { oid: number; typmod: number } | undefined => {
    for (const e of entries) {
      const c = e.columns.find((x) => x.name === name);
      if (c) return { oid: c.oid, typmod: c.typmod };
    }
    return undefined;
  };
  const qualify = (node: Raw): Raw => {
    if (Array.isArray(node)) return node.map(qualify);
    if (node === null || typeof node !== 'object') return node;
    if (node.SubLink || node.WindowDef) throw new Unsupported();
    if (node.ColumnRef) {
      const fields = node.ColumnRef.fields as Raw[];
      if (fields.length === 1 && fields[0].String) {
        const name = fields[0].String.sval as string;
        const e = entries.find((x) => x.columns.some((c) => c.name === name));
        if (!e) throw new Unsupported();
        return { ColumnRef: { ...node.ColumnRef, fields: [{ String: { sval: e.ref } }, fields[0]] } };
      }
      // A reference through a relation's own name that was given another (t → t_1).
      if (fields.length === 2 && fields[0].String) {
        const k = entryIndexByWrittenName(fields[0].String.sval);
        if (k >= 0 && entries[k]!.ref !== fields[0].String.sval) return { ColumnRef: { ...node.ColumnRef, fields: [{ String: { sval: entries[k]!.ref } }, fields[1]] } };
      }
      return node;
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, qualify(v)]));
  };
  const expr = (node: Raw): string => {
    const sql = deparseExpr(qualify(node), columnTypes, undefined, pretty);
    if (sql.includes('/*')) throw new Unsupported();
    return sql;
  };
  const fromItem = (n: Raw): string => {
    if (n.RangeVar) return rel(n.RangeVar);
    if (n.RangeSubselect) return subselect(n.RangeSubselect);
    if (n.JoinExpr) {
      const j = n.JoinExpr;
      if (j.alias || j.isNatural) throw new Unsupported();
      const left = fromItem(j.larg);
      const right = fromItem(j.rarg);
      const kind = { JOIN_INNER: j.quals || j.usingClause ? 'JOIN' : 'CROSS JOIN', JOIN_LEFT: 'LEFT JOIN', JOIN_RIGHT: 'RIGHT JOIN', JOIN_FULL: 'FULL JOIN' }[j.jointype as string];
      if (!kind) throw new Unsupported();
      let qual = '';
      if (j.usingClause) qual = ` USING (${(j.usingClause as Raw[]).map((u) => quoteIdent(u.String.sval)).join(', ')})`;
      else if (j.quals) {
        const on = expr(j.quals);
        qual = pretty ? ` ON ${on}` : ` ON (${on})`;
      }
      const body = `${left}\n     ${kind} ${right}${qual}`;
      return pretty ? body : `(${body})`;
    }
    throw new Unsupported();
  };
  const from: string[] = ((sel.fromClause ?? []) as Raw[]).map(fromItem);
  // Targets: `*` expanded; `AS name` unless a plain column reference already has the view column's name.
  const targets: string[] = [];
  const columns: { name: string; oid: number; typmod: number }[] = [];
  let i = 0;
  for (const t of (sel.targetList ?? []) as Raw[]) {
    const val = t.ResTarget.val;
    const fields = val.ColumnRef?.fields as Raw[] | undefined;
    if (fields && fields[fields.length - 1].A_Star) {
      const qualifier = fields.length === 1 ? undefined : fields[0].String?.sval;
      const k = qualifier === undefined ? -1 : entryIndexByWrittenName(qualifier);
      const starScope = qualifier === undefined ? entries : k >= 0 ? [entries[k]!] : [];
      if (starScope.length === 0) throw new Unsupported();
      for (const e of starScope) {
        for (const c of e.columns) {
          const name = names ? names[i] : c.name;
          i++;
          if (name === undefined) throw new Unsupported();
          const ref = `${quoteIdent(e.ref)}.${quoteIdent(c.name)}`;
          targets.push(name === c.name ? ref : `${ref} AS ${quoteIdent(name)}`);
          columns.push({ ...c, name });
        }
      }
      continue;
    }
    const plainName: string | undefined = fields?.[fields.length - 1].String?.sval;
    const name = names ? names[i] : (t.ResTarget.name ?? plainName);
    i++;
    if (name === undefined) throw new Unsupported();
    const sql = expr(val);
    targets.push(plainName === name ? sql : `${sql} AS ${quoteIdent(name)}`);
    const type = plainName !== undefined ? columnTypes(plainName) : undefined;
    columns.push({ name, oid: type?.oid ?? 0, typmod: type?.typmod ?? -1 });
  }
  if (names && i !== names.length) throw new Unsupported();
  let out = ` SELECT ${sel.distinctClause ? 'DISTINCT ' : ''}${targets.join(',\n    ')}`;
  if (from.length > 0) out += `\n   FROM ${from.join(',\n    ')}`;
  if (sel.whereClause) out += `\n  WHERE ${expr(sel.whereClause)}`;
  if (sel.groupClause) out += `\n  GROUP BY ${(sel.groupClause as Raw[]).map(expr).join(', ')}`;
  if (sel.havingClause) out += `\n HAVING ${expr(sel.havingClause)}`;
  if (sel.sortClause) {
    out += `\n  ORDER BY ${(sel.sortClause as Raw[]).map((s) => {
      const b = s.SortBy;
      if (b.useOp) throw new Unsupported();
      const dir = b.sortby_dir === 'SORTBY_DESC' ? ' DESC' : '';
      const nulls = b.sortby_nulls === 'SORTBY_NULLS_FIRST' ? (dir ? '' : ' NULLS FIRST') : b.sortby_nulls === 'SORTBY_NULLS_LAST' ? (dir ? ' NULLS LAST' : '') : '';
      return `${expr(b.node)}${dir}${nulls}`;
    }).join(', ')}`;
  }
  if (sel.limitOffset) out += `\n OFFSET ${expr(sel.limitOffset)}`;
  if (sel.limitCount) {
    if (sel.limitOption === 'LIMIT_OPTION_WITH_TIES') throw new Unsupported();
    out += `\n LIMIT ${expr(sel.limitCount)}`;
  }
  return { text: out, columns };
}
