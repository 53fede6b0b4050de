/**
 * Converts libpg-query's JSON parse tree into Tessera's AST (sql/ast.ts). Anything the
 * converter does not know becomes an `unsupported` statement or a 0A000 DbError carrying
 * the node's location, so it is rejected clearly rather than half-understood.
 */
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import type { Expr, FromItem, JoinType, LiteralKind, SelectStmt, SelectTarget, SortItem, Statement, TypeName, SqlValueFunction, WindowSpec, WithClause } from './ast.ts';
import { convertDdlDml, type ConvertHelpers } from './convert-ddl-dml.ts';
import { convertSecurity } from './convert-security.ts';
import { errorPosition } from './position.ts';
import { INTERVAL_FULL_PRECISION, encodeIntervalTypmod, formatInterval, parseInterval } from '../types/index.ts';

/** A raw libpg-query node: `{ NodeType: { ...fields } }`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

function nodeType(node: Raw): string {
  return Object.keys(node)[0]!;
}

function unsupportedExpr(what: string, location: number): DbError {
  return notSupported(`${what} is not supported`).at(errorPosition(location));
}

function strings(list: Raw[] | undefined): string[] {
  return (list ?? []).map((n: Raw) => (n.String ? (n.String.sval as string) : '*'));
}

function constant(c: Raw): Expr {
  const location = c.location ?? -1;
  if (c.isnull) return { kind: 'const', literal: 'null', text: '', location };
  if (c.ival !== undefined) return { kind: 'const', literal: 'integer', text: String(c.ival.ival ?? 0), location };
  if (c.fval !== undefined) {
    const text: string = c.fval.fval;
    // The grammar hands integers that overflow int4 over as "float" constants.
    return { kind: 'const', literal: /^-?\d+$/.test(text) ? 'integer' : 'numeric', text, location };
  }
  if (c.sval !== undefined) return { kind: 'const', literal: 'string', text: c.sval.sval ?? '', location };
  if (c.boolval !== undefined) return { kind: 'const', literal: 'boolean', text: c.boolval.boolval ? 'true' : 'false', location };
  if (c.bsval !== undefined) return { kind: 'const', literal: 'bitstring', text: c.bsval.bsval, location };
  throw unsupportedExpr('this constant', location);
}

/** Converts a raw TypeName node. */
export function convertTypeName(t: Raw): TypeName {
  if (t.setof) throw notSupported('SETOF types are not supported').at(t.location + 1);
  const typmods: number[] = [];
  for (const m of t.typmods ?? []) {
    const c = m.A_Const;
    if (!c || c.ival === undefined) {
      throw new DbError(SqlState.SyntaxError, 'type modifiers must be simple constants or identifiers').at(t.location + 1);
    }
    typmods.push(c.ival.ival ?? 0);
  }
  return { names: strings(t.names), typmods, arrayDims: (t.arrayBounds ?? []).length, location: t.location ?? -1 };
}

const SQL_VALUE_FUNCTIONS: Record<string, SqlValueFunction> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

function aExpr(e: Raw): Expr {
  const location: number = e.location ?? -1;
  const name = strings(e.name);
  const opName = name[name.length - 1]!;
  // OPERATOR(schema.op): Tessera's operators all live in pg_catalog, as PostgreSQL's built-in ones do.
  if (name.length > 1 && (name.length > 2 || name[0] !== 'pg_catalog')) {
    throw new DbError(SqlState.UndefinedFunction, `operator does not exist: ${name.join('.')}`).at(errorPosition(location));
  }
  switch (e.kind) {
    case 'AEXPR_OP':
      return { kind: 'op', name: opName, left: e.lexpr ? convertExpr(e.lexpr) : null, right: convertExpr(e.rexpr), location };
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
    case 'AEXPR_SIMILAR': // x SIMILAR TO p is x ~ similar_to_escape(p); the grammar builds the call
      return { kind: 'op', name: opName, left: convertExpr(e.lexpr), right: convertExpr(e.rexpr), location };
    case 'AEXPR_IN': {
      const list = e.rexpr.List ? (e.rexpr.List.items as Raw[]).map(convertExpr) : [convertExpr(e.rexpr)];
      return { kind: 'in', arg: convertExpr(e.lexpr), list, negated: opName === '<>', location };
    }
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN':
    case 'AEXPR_BETWEEN_SYM':
    case 'AEXPR_NOT_BETWEEN_SYM': {
      const [low, high] = (e.rexpr.List.items as Raw[]).map(convertExpr);
      return {
        kind: 'between',
        arg: convertExpr(e.lexpr),
        low: low!,
        high: high!,
        negated: e.kind.includes('NOT'),
        symmetric: e.kind.endsWith('SYM'),
        location,
      };
    }
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT':
      return { kind: 'distinct', left: convertExpr(e.lexpr), right: convertExpr(e.rexpr), negated: e.kind === 'AEXPR_NOT_DISTINCT', location };
    case 'AEXPR_OP_ANY':
    case 'AEXPR_OP_ALL':
      return { kind: 'array_op', quantifier: e.kind === 'AEXPR_OP_ANY' ? 'any' : 'all', op: opName, left: convertExpr(e.lexpr), right: convertExpr(e.rexpr), location };
    case 'AEXPR_NULLIF':
      return { kind: 'nullif', left: convertExpr(e.lexpr), right: convertExpr(e.rexpr), location };
    default:
      throw unsupportedExpr(`operator form ${String(e.kind).replace('AEXPR_', '')}`, location);
  }
}

/** Converts a raw expression node. Throws 0A000 with the node's position for unknown forms. */
export function convertExpr(node: Raw): Expr {
  const type = nodeType(node);
  const n = node[type];
  const location: number = n.location ?? -1;
  switch (type) {
    case 'A_Const':
      return constant(n);
    case 'ParamRef':
      return { kind: 'param', number: n.number, location };
    case 'ColumnRef': {
      const fields: Raw[] = n.fields;
      const star = fields.length > 0 && fields[fields.length - 1].A_Star !== undefined;
      return { kind: 'column', names: strings(star ? fields.slice(0, -1) : fields), star, location };
    }
    case 'TypeCast':
      return { kind: 'cast', arg: convertExpr(n.arg), type: convertTypeName(n.typeName), location: location >= 0 ? location : n.typeName.location };
    case 'A_Expr':
      return aExpr(n);
    case 'BoolExpr': {
      const args = (n.args as Raw[]).map(convertExpr);
      if (n.boolop === 'NOT_EXPR') return { kind: 'not', arg: args[0]!, location };
      return { kind: n.boolop === 'AND_EXPR' ? 'and' : 'or', args, location };
    }
    case 'FuncCall': {
      if (n.over) {
        const { over, ...call } = n;
        const inner = convertExpr({ FuncCall: call });
        if (inner.kind !== 'func') throw unsupportedExpr('this window call', location);
        return { kind: 'window', call: inner, over: convertWindowDef(over), location };
      }
      if (n.func_variadic) throw unsupportedExpr('this form of function call', location);
      if (n.agg_within_group) {
        // An ordered-set aggregate: the ORDER BY expression is its last argument (as PostgreSQL looks it up).
        const order = ((n.agg_order ?? []) as Raw[]).map(convertSortBy);
        const direct = convertCallArgs(strings(n.funcname), (n.args ?? []) as Raw[], location);
        return {
          kind: 'func', name: strings(n.funcname), args: [...direct, ...order.map((o) => o.expr)], star: false, distinct: false,
          filter: n.agg_filter ? convertExpr(n.agg_filter) : null, orderBy: order, withinGroup: true, location,
        };
      }
      return {
        kind: 'func',
        name: strings(n.funcname),
        args: convertCallArgs(strings(n.funcname), (n.args ?? []) as Raw[], location),
        star: n.agg_star === true,
        distinct: n.agg_distinct === true,
        filter: n.agg_filter ? convertExpr(n.agg_filter) : null,
        orderBy: ((n.agg_order ?? []) as Raw[]).map(convertSortBy),
        location,
      };
    }
    case 'NullTest':
      return { kind: 'nulltest', arg: convertExpr(n.arg), isNull: n.nulltesttype === 'IS_NULL', location };
    case 'BooleanTest': {
      const tests: Record<string, Expr & { kind: 'booltest' } extends { test: infer T } ? T : never> = {
        IS_TRUE: 'true',
        IS_NOT_TRUE: 'not_true',
        IS_FALSE: 'false',
        IS_NOT_FALSE: 'not_false',
        IS_UNKNOWN: 'unknown',
        IS_NOT_UNKNOWN: 'not_unknown',
      };
      return { kind: 'booltest', arg: convertExpr(n.arg), test: tests[n.booltesttype]!, location };
    }
    case 'CaseExpr':
      return {
        kind: 'case',
        arg: n.arg ? convertExpr(n.arg) : null,
        whens: (n.args as Raw[]).map((w: Raw) => ({ when: convertExpr(w.CaseWhen.expr), then: convertExpr(w.CaseWhen.result) })),
        otherwise: n.defresult ? convertExpr(n.defresult) : null,
        location,
      };
    case 'CoalesceExpr':
      return { kind: 'coalesce', args: (n.args as Raw[]).map(convertExpr), location };
    case 'MinMaxExpr':
      return { kind: 'minmax', op: n.op === 'IS_GREATEST' ? 'greatest' : 'least', args: (n.args as Raw[]).map(convertExpr), location };
    case 'SQLValueFunction':
      return { kind: 'sqlvalue', fn: SQL_VALUE_FUNCTIONS[n.op]!, location };
    case 'RowExpr':
      return { kind: 'row', args: ((n.args ?? []) as Raw[]).map(convertExpr), location };
    case 'A_ArrayExpr':
      return { kind: 'array', elements: ((n.elements ?? []) as Raw[]).map(convertExpr), location };
    case 'A_Indirection': {
      // Subscripts and field selections, applied left to right: (f(x)).a[1].
      let expr = convertExpr(n.arg);
      const at = n.arg.location ?? location;
      let indices: { lower: Expr | null; upper: Expr | null; slice: boolean }[] = [];
      const flush = (): void => {
        if (indices.length > 0) expr = { kind: 'subscript', arg: expr, indices, location: at };
        indices = [];
      };
      for (const i of n.indirection as Raw[]) {
        if (i.String) {
          flush();
          expr = { kind: 'field', arg: expr, field: i.String.sval, location: at };
        } else if (i.A_Indices) {
          const x = i.A_Indices;
          indices.push({ lower: x.lidx ? convertExpr(x.lidx) : null, upper: x.uidx ? convertExpr(x.uidx) : null, slice: x.is_slice === true });
        } else throw unsupportedExpr('this indirection', location);
      }
      flush();
      return expr;
    }
    case 'CollateClause': {
      // Text compares as the "C" collation already; other collations are not installed.
      const name = strings(n.collname).join('.');
      if (!['C', 'default', 'POSIX', 'pg_catalog.C', 'pg_catalog.default', 'pg_catalog.POSIX'].includes(name)) {
        throw new DbError(SqlState.UndefinedObject, `collation "${name}" for encoding "UTF8" does not exist`).at(errorPosition(location));
      }
      return convertExpr(n.arg);
    }
    case 'SubLink': {
      const kinds: Record<string, 'exists' | 'scalar' | 'array' | 'any' | 'all'> = {
        EXISTS_SUBLINK: 'exists',
        EXPR_SUBLINK: 'scalar',
        ARRAY_SUBLINK: 'array',
        ANY_SUBLINK: 'any',
        ALL_SUBLINK: 'all',
      };
      const sub = kinds[n.subLinkType];
      if (!sub) throw unsupportedExpr('this kind of subquery', location);
      if (n.testexpr?.RowExpr) throw unsupportedExpr('row comparisons with subqueries', location);
      const opNames = strings(n.operName);
      return {
        kind: 'sublink',
        sub,
        left: n.testexpr ? convertExpr(n.testexpr) : null,
        op: sub === 'any' || sub === 'all' ? (opNames[opNames.length - 1] ?? '=') : null,
        query: convertSelect(n.subselect.SelectStmt),
        location,
      };
    }
    default:
      throw unsupportedExpr(`expression ${type}`, location);
  }
}

/**
 * Parameter names and defaults of built-in functions that take named arguments
 * (`make_interval(days => 10)`); calls are rewritten to positional form with the defaults.
 */
const NAMED_PARAMETERS: Record<string, readonly (readonly [string, string])[]> = {
  make_interval: [['years', '0'], ['months', '0'], ['weeks', '0'], ['days', '0'], ['hours', '0'], ['mins', '0'], ['secs', '0.0']],
};

function convertCallArgs(funcname: readonly string[], raw: Raw[], location: number): Expr[] {
  const params = NAMED_PARAMETERS[funcname[funcname.length - 1]!];
  if (!params) {
    if (raw.some((a: Raw) => a.NamedArgExpr)) throw unsupportedExpr('named arguments for this function', location);
    return raw.map(convertExpr);
  }
  const out: (Expr | null)[] = params.map(() => null);
  raw.forEach((a: Raw, i) => {
    if (!a.NamedArgExpr) {
      out[i] = convertExpr(a);
      return;
    }
    const k = params.findIndex(([name]) => name === a.NamedArgExpr.name);
    if (k < 0) throw new DbError(SqlState.UndefinedFunction, `function ${funcname.join('.')} does not exist`).at(errorPosition(location));
    out[k] = convertExpr(a.NamedArgExpr.arg);
  });
  return out.map((e, k) => e ?? { kind: 'const', literal: params[k]![1].includes('.') ? 'numeric' : 'integer', text: params[k]![1], location });
}

/** Converts a raw SortBy node (ORDER BY items, also inside aggregate calls). */
function convertSortBy(s: Raw): SortItem {
  const sb = s.SortBy;
  if (sb.useOp) throw notSupported('ORDER BY ... USING is not supported');
  return {
    expr: convertExpr(sb.node),
    descending: sb.sortby_dir === 'SORTBY_DESC',
    nullsFirst: sb.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : sb.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : null,
  };
}

const JOIN_TYPES: Record<string, JoinType> = { JOIN_INNER: 'inner', JOIN_LEFT: 'left', JOIN_RIGHT: 'right', JOIN_FULL: 'full' };

function convertFromItem(f: Raw): FromItem {
  const t = nodeType(f);
  if (t === 'RangeVar') {
    const rv = f.RangeVar;
    return {
      kind: 'table',
      schema: rv.schemaname ?? null,
      name: rv.relname,
      alias: rv.alias?.aliasname ?? null,
      columnAliases: strings(rv.alias?.colnames),
      location: rv.location ?? -1,
    };
  }
  if (t === 'RangeFunction') {
    const rf = f.RangeFunction;
    if (rf.is_rowsfrom || rf.functions.length !== 1) throw notSupported('ROWS FROM is not supported yet');
    const call = convertExpr(rf.functions[0].List.items[0]);
    if (call.kind !== 'func') throw notSupported('only function calls are supported in FROM');
    return {
      kind: 'function',
      call,
      alias: rf.alias?.aliasname ?? null,
      columnAliases: strings(rf.alias?.colnames),
      lateral: rf.lateral === true,
      ordinality: rf.ordinality === true,
      location: call.location,
    };
  }
  if (t === 'RangeSubselect') {
    const rs = f.RangeSubselect;
    return {
      kind: 'subquery',
      query: convertSelect(rs.subquery.SelectStmt),
      alias: rs.alias?.aliasname ?? null,
      columnAliases: strings(rs.alias?.colnames),
      lateral: rs.lateral === true,
      location: rs.subquery.SelectStmt?.location ?? -1,
    };
  }
  if (t === 'JoinExpr') {
    const j = f.JoinExpr;
    const joinType = JOIN_TYPES[j.jointype];
    if (!joinType) throw notSupported(`join type ${j.jointype} is not supported`);
    const cross = joinType === 'inner' && !j.quals && !j.usingClause && !j.isNatural;
    return {
      kind: 'join',
      joinType: cross ? 'cross' : joinType,
      left: convertFromItem(j.larg),
      right: convertFromItem(j.rarg),
      on: j.quals ? convertExpr(j.quals) : null,
      using: j.usingClause ? strings(j.usingClause) : null,
      natural: j.isNatural === true,
      alias: j.alias?.aliasname ?? null,
      location: j.rarg?.RangeVar?.location ?? -1,
    };
  }
  throw notSupported(`FROM item ${t} is not supported yet`);
}

function convertTargets(list: Raw[] | undefined): SelectTarget[] {
  return ((list ?? []) as Raw[]).map((t: Raw) => ({
    expr: convertExpr(t.ResTarget.val),
    alias: t.ResTarget.name ?? null,
    location: t.ResTarget.location ?? -1,
  }));
}

const helpers: ConvertHelpers = { convertExpr, convertTypeName, convertSelect: (n) => convertSelect(n), convertTargets, convertFromItem };

function convertSortItems(list: Raw[] | undefined): SortItem[] {
  return ((list ?? []) as Raw[]).map((s: Raw) => {
    const sb = s.SortBy;
    if (sb.useOp) throw notSupported('ORDER BY ... USING is not supported');
    return {
      expr: convertExpr(sb.node),
      descending: sb.sortby_dir === 'SORTBY_DESC',
      nullsFirst: sb.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : sb.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : null,
    };
  });
}

function convertWindowDef(w: Raw): WindowSpec {
  return {
    refName: w.refname ?? (w.name && !w.partitionClause && !w.orderClause && w.frameOptions === 1058 ? w.name : null) ?? null,
    partitionBy: ((w.partitionClause ?? []) as Raw[]).map(convertExpr),
    orderBy: convertSortItems(w.orderClause),
    frameOptions: w.frameOptions ?? 0,
    startOffset: w.startOffset ? convertExpr(w.startOffset) : null,
    endOffset: w.endOffset ? convertExpr(w.endOffset) : null,
    location: w.location ?? -1,
  };
}

const SET_OPS: Record<string, 'union' | 'intersect' | 'except'> = { SETOP_UNION: 'union', SETOP_INTERSECT: 'intersect', SETOP_EXCEPT: 'except' };

function convertWith(w: Raw): WithClause {
  return {
    recursive: w.recursive === true,
    ctes: ((w.ctes ?? []) as Raw[]).map((c: Raw) => {
      const cte = c.CommonTableExpr;
      const q = cte.ctequery;
      if (!q.SelectStmt) throw notSupported('data-modifying statements in WITH are not supported').at(errorPosition(cte.location));
      return {
        name: cte.ctename,
        columnAliases: strings(cte.aliascolnames),
        query: convertSelect(q.SelectStmt),
        materialized: cte.ctematerialized === 'CTEMaterializeAlways' ? true : cte.ctematerialized === 'CTEMaterializeNever' ? false : null,
        location: cte.location ?? -1,
      };
    }),
  };
}

/** FOR UPDATE / SHARE clauses: the strictest wait policy wins; the strengths all lock the row. */
function convertLocking(list: Raw[]): SelectStmt['locking'] {
  let policy: 'block' | 'nowait' | 'skip' = 'block';
  const of: string[] = [];
  for (const l of list) {
    const c = l.LockingClause;
    if (c.waitPolicy === 'LockWaitError') policy = 'nowait';
    else if (c.waitPolicy === 'LockWaitSkip' && policy === 'block') policy = 'skip';
    for (const r of (c.lockedRels ?? []) as Raw[]) of.push(r.RangeVar.relname);
  }
  return { policy, of };
}

function convertSelect(n: Raw): SelectStmt {
  for (const g of (n.groupClause ?? []) as Raw[]) {
    if (g.GroupingSet) throw notSupported('GROUPING SETS, ROLLUP and CUBE are not supported yet');
  }
  if (n.intoClause) throw notSupported('SELECT INTO is not supported yet');
  const setOp = n.op && n.op !== 'SETOP_NONE' ? { op: SET_OPS[n.op]!, all: n.all === true, left: convertSelect(n.larg), right: convertSelect(n.rarg) } : null;
  return {
    kind: 'select',
    targets: convertTargets(n.targetList),
    from: ((n.fromClause ?? []) as Raw[]).map(convertFromItem),
    where: n.whereClause ? convertExpr(n.whereClause) : null,
    groupBy: ((n.groupClause ?? []) as Raw[]).map(convertExpr),
    having: n.havingClause ? convertExpr(n.havingClause) : null,
    orderBy: convertSortItems(n.sortClause),
    limit: n.limitCount ? convertExpr(n.limitCount) : null,
    offset: n.limitOffset ? convertExpr(n.limitOffset) : null,
    withTies: n.limitOption === 'LIMIT_OPTION_WITH_TIES',
    locking: n.lockingClause ? convertLocking(n.lockingClause) : null,
    values: n.valuesLists ? (n.valuesLists as Raw[]).map((row: Raw) => (row.List.items as Raw[]).map(convertExpr)) : null,
    distinct: n.distinctClause ? ((n.distinctClause as Raw[]).filter((d: Raw) => Object.keys(d).length > 0) as Raw[]).map(convertExpr) : null,
    with: n.withClause ? convertWith(n.withClause) : null,
    windows: ((n.windowClause ?? []) as Raw[]).map((w: Raw) => ({ name: w.WindowDef.name as string, spec: convertWindowDef({ ...w.WindowDef, name: undefined }) })),
    setOp,
  };
}

function setValues(args: Raw[] | undefined): { text: string; literal: LiteralKind }[] {
  return (args ?? []).map((a: Raw) => {
    if (a.A_Const) {
      const c = constant(a.A_Const);
      if (c.kind !== 'const') throw notSupported('SET value');
      return { text: c.text, literal: c.literal };
    }
    if (a.TypeCast && a.TypeCast.arg.A_Const) {
      // SET TIME ZONE INTERVAL '...' HOUR TO MINUTE and similar typed literals.
      const c = constant(a.TypeCast.arg.A_Const);
      if (c.kind !== 'const') throw notSupported('SET value');
      const type = convertTypeName(a.TypeCast.typeName);
      if (type.names[type.names.length - 1] === 'interval' && c.text !== null) {
        // As PostgreSQL's flatten_set_variable_args: the interval read with its typmod, then INTERVAL '<interval_out>'.
        const typmod = type.typmods.length > 0 ? encodeIntervalTypmod(type.typmods[0]!, type.typmods[1] ?? INTERVAL_FULL_PRECISION) : -1;
        return { text: `INTERVAL '${formatInterval(parseInterval(c.text, typmod))}'`, literal: 'string' as LiteralKind };
      }
      return { text: c.text, literal: c.literal };
    }
    throw new DbError(SqlState.SyntaxError, 'SET value must be a constant');
  });
}

const TRANSACTION_OPS: Record<string, Statement & { kind: 'transaction' } extends { op: infer T } ? T : never> = {
  TRANS_STMT_BEGIN: 'begin',
  TRANS_STMT_START: 'start',
  TRANS_STMT_COMMIT: 'commit',
  TRANS_STMT_ROLLBACK: 'rollback',
  TRANS_STMT_SAVEPOINT: 'savepoint',
  TRANS_STMT_RELEASE: 'release',
  TRANS_STMT_ROLLBACK_TO: 'rollback_to',
};

/** Names for statements we recognise but do not run yet, as PostgreSQL's command tags name them. */
const STATEMENT_NAMES: Record<string, string> = {
  CreateStmt: 'CREATE TABLE',
  DropStmt: 'DROP',
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  CopyStmt: 'COPY',
  IndexStmt: 'CREATE INDEX',
  AlterTableStmt: 'ALTER TABLE',
  CreateSchemaStmt: 'CREATE SCHEMA',
  CreateExtensionStmt: 'CREATE EXTENSION',
  ExplainStmt: 'EXPLAIN',
  TruncateStmt: 'TRUNCATE',
  DeclareCursorStmt: 'DECLARE',
  FetchStmt: 'FETCH',
  ClosePortalStmt: 'CLOSE',
  CreateTableAsStmt: 'CREATE TABLE AS',
  ViewStmt: 'CREATE VIEW',
  CreateSeqStmt: 'CREATE SEQUENCE',
  VacuumStmt: 'VACUUM',
  LockStmt: 'LOCK',
  CreateFunctionStmt: 'CREATE FUNCTION',
  DoStmt: 'DO',
  ListenStmt: 'LISTEN',
  NotifyStmt: 'NOTIFY',
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
  CreateRoleStmt: 'CREATE ROLE',
  GrantStmt: 'GRANT',
  CommentStmt: 'COMMENT',
};

/** Converts one raw statement node. */
export function convertStatement(node: Raw): Statement {
  const type = nodeType(node);
  const n = node[type];
  const security = convertSecurity(helpers, type, n);
  if (security) return security;
  const ddlDml = convertDdlDml(helpers, type, n);
  if (ddlDml) return ddlDml;
  switch (type) {
    case 'CreateExtensionStmt':
      return { kind: 'extension', op: 'create', names: [n.extname], ifExists: n.if_not_exists === true };
    case 'SelectStmt':
      return convertSelect(n);
    case 'CommentStmt': {
      if (n.objtype !== 'OBJECT_TABLE' && n.objtype !== 'OBJECT_COLUMN' && n.objtype !== 'OBJECT_VIEW') return { kind: 'unsupported', what: `COMMENT ON ${String(n.objtype).replace('OBJECT_', '')}`, location: -1 };
      return { kind: 'comment', target: n.objtype === 'OBJECT_TABLE' ? 'table' : n.objtype === 'OBJECT_VIEW' ? 'view' : 'column', names: strings(n.object.List.items), text: n.comment ?? null };
    }
    case 'ExplainStmt': {
      const options = ((n.options ?? []) as Raw[]).map((o: Raw) => o.DefElem);
      const flag = (name: string): boolean => {
        const o = options.find((d: Raw) => d.defname === name);
        if (!o) return false;
        const v = o.arg?.String?.sval ?? o.arg?.Boolean?.boolval ?? o.arg?.A_Const?.boolval?.boolval ?? true;
        return v === true || v === 'true' || v === 'on' || v === '1';
      };
      for (const o of options) {
        if (!['analyze', 'verbose', 'costs', 'buffers', 'timing', 'summary', 'format', 'settings', 'wal'].includes(o.defname)) {
          throw new DbError(SqlState.SyntaxError, `unrecognized EXPLAIN option "${o.defname}"`);
        }
        if (o.defname === 'format' && String(o.arg?.String?.sval ?? 'text').toLowerCase() !== 'text') throw notSupported('EXPLAIN formats other than TEXT are not supported');
      }
      return { kind: 'explain', stmt: convertStatement(n.query), analyze: flag('analyze') };
    }
    case 'VariableSetStmt':
      switch (n.kind) {
        case 'VAR_SET_VALUE':
          return { kind: 'set', name: n.name, values: setValues(n.args), local: n.is_local === true };
        case 'VAR_SET_DEFAULT':
          return { kind: 'set', name: n.name, values: null, local: n.is_local === true };
        case 'VAR_RESET':
          return { kind: 'reset', name: n.name };
        case 'VAR_RESET_ALL':
          return { kind: 'reset', name: null };
        case 'VAR_SET_MULTI':
          if (n.name === 'TRANSACTION' || n.name === 'SESSION CHARACTERISTICS') {
            let isolation: string | null = null;
            let readOnly: boolean | null = null;
            for (const a of (n.args ?? []) as Raw[]) {
              const d = a.DefElem;
              if (d.defname === 'transaction_isolation') isolation = d.arg.A_Const.sval.sval;
              else if (d.defname === 'transaction_read_only') readOnly = (d.arg.A_Const.ival?.ival ?? 0) === 1;
              else if (d.defname !== 'transaction_deferrable') throw notSupported(`SET TRANSACTION ${d.defname} is not supported`);
            }
            return { kind: 'set_transaction', session: n.name !== 'TRANSACTION', isolation, readOnly };
          }
          if (n.name === 'TRANSACTION SNAPSHOT') {
            if (n.is_local) throw new DbError(SqlState.SyntaxError, 'SET LOCAL TRANSACTION SNAPSHOT is not implemented');
            return { kind: 'set_transaction_snapshot', id: (n.args as Raw[])[0]!.A_Const.sval.sval };
          }
          return { kind: 'unsupported', what: `SET ${n.name}`, location: -1 };
        default:
          return { kind: 'unsupported', what: `SET ${n.kind}`, location: -1 };
      }
    case 'VariableShowStmt':
      return { kind: 'show', name: n.name };
    case 'TransactionStmt': {
      const op = TRANSACTION_OPS[n.kind];
      if (!op) return { kind: 'unsupported', what: n.kind.replace('TRANS_STMT_', '').replace('_', ' '), location: -1 };
      let isolation: string | null = null;
      let readOnly: boolean | null = null;
      for (const o of (n.options ?? []) as Raw[]) {
        const d = o.DefElem;
        if (d.defname === 'transaction_isolation') isolation = d.arg.A_Const.sval.sval;
        else if (d.defname === 'transaction_read_only') readOnly = (d.arg.A_Const.ival?.ival ?? 0) === 1;
        else if (d.defname === 'transaction_deferrable') return { kind: 'unsupported', what: 'DEFERRABLE transactions', location: -1 };
      }
      return { kind: 'transaction', op, savepoint: n.savepoint_name ?? null, isolation, readOnly, chain: n.chain === true };
    }
    case 'DiscardStmt': {
      const target = ({ DISCARD_ALL: 'all', DISCARD_PLANS: 'plans', DISCARD_SEQUENCES: 'sequences', DISCARD_TEMP: 'temp' } as const)[
        n.target as 'DISCARD_ALL'
      ];
      return { kind: 'discard', target };
    }
    case 'PrepareStmt':
      return {
        kind: 'prepare',
        name: n.name,
        paramTypes: ((n.argtypes ?? []) as Raw[]).map((t: Raw) => convertTypeName(t.TypeName)),
        body: convertStatement(n.query),
      };
    case 'ExecuteStmt':
      return { kind: 'execute', name: n.name, params: ((n.params ?? []) as Raw[]).map(convertExpr) };
    case 'DeallocateStmt':
      return { kind: 'deallocate', name: n.isall ? null : n.name };
    case 'DeclareCursorStmt': {
      // CURSOR_OPT_* bits (parsenodes.h): BINARY 0x1, SCROLL 0x2, HOLD 0x20.
      const options = Number(n.options ?? 0);
      return { kind: 'declare_cursor', name: n.portalname, query: convertStatement(n.query), hold: (options & 0x20) !== 0, scroll: (options & 0x2) !== 0, binary: (options & 0x1) !== 0 };
    }
    case 'FetchStmt': {
      const direction = ({ FETCH_FORWARD: 'forward', FETCH_BACKWARD: 'backward', FETCH_ABSOLUTE: 'absolute', FETCH_RELATIVE: 'relative' } as const)[n.direction as 'FETCH_FORWARD'];
      return { kind: 'fetch', name: n.portalname, direction, count: Number(n.howMany ?? 0), move: n.ismove === true };
    }
    case 'ClosePortalStmt':
      return { kind: 'close_cursor', name: n.portalname ?? null };
    default:
      return { kind: 'unsupported', what: STATEMENT_NAMES[type] ?? type.replace(/Stmt$/, ''), location: -1 };
  }
}
