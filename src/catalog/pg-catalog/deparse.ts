/**
 * catalog/pg-catalog: renders a stored expression (libpg-query's JSON, as the catalog keeps
 * DEFAULT and CHECK expressions) as PostgreSQL's ruleutils prints an analysed one for
 * pg_get_expr and pg_get_constraintdef: operators parenthesised, string constants with
 * their resolved type (`'x'::text`), negative numbers as `'-1'::integer`, IN lists as
 * `= ANY (ARRAY[...])`. Types come from the table's columns; where the analyser would have
 * inserted casts Tessera cannot infer, the output may differ from PostgreSQL's.
 */
import { Oid, defaultFormatContext, formatType, typeByOid } from '../../types/index.ts';

// biome-ignore lint: libpg-query's JSON is untyped
type Raw = any;

/** Resolves a column name of the expression's table to its type. */
export type ColumnTypes = (name: string) => { oid: number; typmod: number } | undefined;

const RESERVED = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check', 'collate', 'column',
  'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time', 'current_timestamp', 'current_user', 'default',
  'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having',
  'in', 'initially', 'intersect', 'into', 'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on',
  'only', 'or', 'order', 'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'table', 'then',
  'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with',
]);

/** quote_ident: bare when lower-case, simple and not reserved; otherwise double-quoted. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** quote_literal for a string constant. */
export function quoteLiteral(s: string): string {
  return s.includes('\\') ? `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `'${s.replace(/'/g, "''")}'`;
}

interface Typed {
  sql: string;
  /** The expression's type when known (columns, casts, typed constants). */
  type?: number;
  /** An untyped string literal: its type is decided by its context. */
  literal?: string;
  /** A number constant (ival/fval). */
  number?: boolean;
  /** The digits of a negative integer constant ("-5"), printed quoted. */
  negative?: string;
}

const SVF: Record<string, string> = {
  SVFOP_CURRENT_DATE: 'CURRENT_DATE', SVFOP_CURRENT_TIME: 'CURRENT_TIME', SVFOP_CURRENT_TIME_N: 'CURRENT_TIME',
  SVFOP_CURRENT_TIMESTAMP: 'CURRENT_TIMESTAMP', SVFOP_CURRENT_TIMESTAMP_N: 'CURRENT_TIMESTAMP', SVFOP_LOCALTIME: 'LOCALTIME',
  SVFOP_LOCALTIME_N: 'LOCALTIME', SVFOP_LOCALTIMESTAMP: 'LOCALTIMESTAMP', SVFOP_LOCALTIMESTAMP_N: 'LOCALTIMESTAMP',
  SVFOP_CURRENT_ROLE: 'CURRENT_ROLE', SVFOP_CURRENT_USER: 'CURRENT_USER', SVFOP_USER: 'USER', SVFOP_SESSION_USER: 'SESSION_USER',
  SVFOP_CURRENT_CATALOG: 'current_catalog', SVFOP_CURRENT_SCHEMA: 'CURRENT_SCHEMA',
};

const SVF_TYPES: Record<string, number> = {
  SVFOP_CURRENT_DATE: Oid.date, SVFOP_CURRENT_TIMESTAMP: Oid.timestamptz, SVFOP_LOCALTIMESTAMP: Oid.timestamp,
};

const NUMBER_TYPES = new Set<number>([Oid.int2, Oid.int4, Oid.int8, Oid.numeric, Oid.float4, Oid.float8, Oid.oid]);

function typeNameOf(tn: Raw): { name: string; oid?: number } {
  const names: string[] = (tn.names ?? []).map((n: Raw) => n.String?.sval as string);
  const last = names[names.length - 1] ?? '';
  const mods: number[] = (tn.typmods ?? []).map((m: Raw) => m.A_Const?.ival?.ival ?? 0);
  const arrays = tn.arrayBounds ? '[]'.repeat(tn.arrayBounds.length) : '';
  const MAP: Record<string, [string, number?]> = {
    int4: ['integer', Oid.int4], int2: ['smallint', Oid.int2], int8: ['bigint', Oid.int8], float8: ['double precision', Oid.float8],
    float4: ['real', Oid.float4], bool: ['boolean', Oid.bool], varchar: ['character varying', Oid.varchar], bpchar: ['character', Oid.bpchar],
    text: ['text', Oid.text], numeric: ['numeric', Oid.numeric], timestamptz: ['timestamp with time zone', Oid.timestamptz],
    timestamp: ['timestamp without time zone', Oid.timestamp], date: ['date', Oid.date], regclass: ['regclass', Oid.regclass],
    jsonb: ['jsonb', Oid.jsonb], json: ['json', Oid.json], uuid: ['uuid', Oid.uuid], interval: ['interval', Oid.interval],
  };
  const m = MAP[last];
  const base = m ? m[0] : quoteIdent(last);
  const withMods = mods.length > 0 ? `${base}(${mods.join(',')})` : base;
  return { name: withMods + arrays, oid: arrays ? undefined : m?.[1] };
}

/** pg_get_expr(..., pretty): fewer parentheses, as psql's \d shows expressions. */
let pretty = false;

/** True for a stored expression that is just NULL (DEFAULT NULL stores no default in PostgreSQL). */
export function isNullConstant(raw: string): boolean {
  const node = JSON.parse(raw);
  return node?.A_Const?.isnull === true;
}

/**
 * Deparses one expression; `target` is the type a DEFAULT is coerced to (for its top-level
 * literal). With `prettyPrint`, operators drop the parentheses PostgreSQL's pretty mode drops.
 */
export function deparseExpr(raw: string | Raw, columns: ColumnTypes, target?: { oid: number; typmod: number }, prettyPrint = false): string {
  pretty = prettyPrint;
  try {
    return deparseTop(typeof raw === 'string' ? JSON.parse(raw) : raw, columns, target);
  } finally {
    pretty = false;
  }
}

/** `x::type`, with x parenthesised unless pretty printing. */
function cast(inner: string, type: string): string {
  return pretty ? `${inner}::${type}` : `(${inner})::${type}`;
}

/** Where an expression sits: at the top, as an AND/OR/NOT argument, as an operand or function argument. */
type Parent = 'top' | 'and' | 'or' | 'not' | 'op';

/**
 * Parenthesises an operator expression. Without pretty printing always; in pretty mode
 * (ruleutils' isSimpleNode) not at the top, nor a comparison or test under AND/OR, nor AND
 * under AND/OR, nor OR under OR.
 */
function paren(sql: string, parent: Parent, kind: 'op' | 'and' | 'or' | 'not' | 'test'): string {
  if (!pretty) return `(${sql})`;
  if (parent === 'top') return sql;
  if ((kind === 'op' || kind === 'test' || kind === 'not' || kind === 'and') && (parent === 'and' || parent === 'or')) return sql;
  if ((kind === 'op' || kind === 'test') && parent === 'not') return sql;
  if (kind === 'or' && parent === 'or') return sql;
  return `(${sql})`;
}

function deparseTop(node: Raw, columns: ColumnTypes, target?: { oid: number; typmod: number }): string {
  const t = walk(node, columns, 'top');
  // The analyser coerces a DEFAULT to the column's type without its typmod ('x'::character varying, 'x'::bpchar).
  if (t.literal !== undefined) return typedLiteral(t.literal, target?.oid ?? Oid.text, -1);
  return t.sql;
}

/** Types whose constants the analyser stores in their own form: printed through the type's output function. */
const CANONICAL_TYPES = new Set<number>([Oid.date, Oid.time, Oid.timestamp, Oid.timestamptz, Oid.interval, Oid.uuid]);

/** A literal's value as the type's output function prints it (the analyser's Const), or null if it does not parse. */
function canonicalText(s: string, oid: number): string | null {
  const type = typeByOid(oid);
  if (!type) return null;
  try {
    return String(type.textOut(type.textIn(s, -1, defaultFormatContext), defaultFormatContext));
  } catch {
    return null;
  }
}

function typedLiteral(s: string, oid: number, typmod: number): string {
  if (NUMBER_TYPES.has(oid) && /^-?\d+(\.\d+)?$/.test(s)) return s.startsWith('-') ? `'${s}'::${formatType(oid)}` : s;
  if (oid === Oid.bool) {
    const b = canonicalText(s, oid);
    if (b === 't' || b === 'f') return b === 't' ? 'true' : 'false';
  }
  if (CANONICAL_TYPES.has(oid)) {
    const text = canonicalText(s, oid);
    if (text !== null) s = text;
  }
  const name = oid === Oid.bpchar && typmod < 0 ? 'bpchar' : (formatType(oid, typmod >= 0 ? typmod : undefined) ?? 'text');
  return `${quoteLiteral(s)}::${name}`;
}

/** Type a literal takes next to an operand of type `other` (text for varchar, which is compared as text). */
function literalTypeFor(other: number | undefined): number {
  if (other === undefined || other === Oid.varchar || other === Oid.name) return Oid.text;
  return other;
}

function operandSql(t: Typed, other: Typed): string {
  if (t.literal !== undefined) return typedLiteral(t.literal, literalTypeFor(other.type), -1);
  if (t.number && other.type !== undefined && other.type !== t.type) {
    // The analyser folds the implicit cast of a number constant into a constant of the other side's type.
    const toFloat = other.type === Oid.float8 || other.type === Oid.float4;
    if (t.negative !== undefined && (other.type === Oid.numeric || toFloat)) return `'${t.negative}'::${formatType(other.type)}`;
    if (other.type === Oid.numeric) return t.type === Oid.numeric ? t.sql : cast(t.sql, 'numeric');
    if (other.type === Oid.float8 || other.type === Oid.float4) return cast(t.sql, formatType(other.type)!);
    if (t.type === Oid.numeric && (other.type === Oid.int2 || other.type === Oid.int4 || other.type === Oid.int8)) return t.sql;
  }
  if (t.type !== undefined && other.number && other.type === Oid.numeric && [Oid.int2, Oid.int4, Oid.int8].includes(t.type as 23)) {
    return cast(t.sql, 'numeric');
  }
  if (t.type === Oid.varchar && (other.literal !== undefined || other.type === Oid.text)) return cast(t.sql, 'text');
  return t.sql;
}

function walk(n: Raw, columns: ColumnTypes, parent: Parent): Typed {
  const kind = Object.keys(n)[0]!;
  const v = n[kind];
  switch (kind) {
    case 'A_Const': {
      if (v.isnull) return { sql: 'NULL' };
      if (v.ival !== undefined) {
        const n = String(v.ival.ival ?? 0);
        // A negative integer constant prints quoted with its type, as ruleutils' get_const_expr does.
        return { sql: n.startsWith('-') ? `'${n}'::integer` : n, number: true, negative: n.startsWith('-') ? n : undefined, type: Oid.int4 };
      }
      if (v.fval !== undefined) {
        const n = String(v.fval.fval);
        return { sql: n.startsWith('-') ? `'${n}'::numeric` : n, number: true, negative: n.startsWith('-') ? n : undefined, type: Oid.numeric };
      }
      if (v.boolval !== undefined) return { sql: v.boolval.boolval ? 'true' : 'false', type: Oid.bool };
      if (v.sval !== undefined) return { sql: quoteLiteral(v.sval.sval ?? ''), literal: v.sval.sval ?? '' };
      if (v.bsval !== undefined) return { sql: `B'${v.bsval.bsval}'` };
      return { sql: 'NULL' };
    }
    case 'ColumnRef': {
      const fields: string[] = v.fields.map((f: Raw) => (f.String ? quoteIdent(f.String.sval) : '*'));
      const last = v.fields[v.fields.length - 1]?.String?.sval as string | undefined;
      return { sql: fields.join('.'), type: last !== undefined ? columns(last)?.oid : undefined };
    }
    case 'TypeCast': {
      const inner = walk(v.arg, columns, 'op');
      const tn = typeNameOf(v.typeName);
      if (inner.literal !== undefined) {
        // '0'::boolean and '2024-01-01'::date are folded to constants by the analyser.
        if (tn.oid !== undefined && (tn.oid === Oid.bool || CANONICAL_TYPES.has(tn.oid)) && !tn.name.includes('(')) return { sql: typedLiteral(inner.literal, tn.oid, -1), type: tn.oid };
        return { sql: `${quoteLiteral(inner.literal)}::${tn.name}`, type: tn.oid };
      }
      if (inner.number && inner.negative === undefined) return { sql: tn.oid === inner.type ? inner.sql : cast(inner.sql, tn.name), type: tn.oid };
      return { sql: cast(inner.sql, tn.name), type: tn.oid };
    }
    case 'FuncCall': {
      const names: string[] = v.funcname.map((f: Raw) => f.String.sval as string).filter((s: string) => s !== 'pg_catalog');
      const name = names.map(quoteIdent).join('.');
      const args: Typed[] = (v.args ?? []).map((a: Raw) => walk(a, columns, 'op'));
      if (names.join('.') === 'nextval' && args.length === 1 && args[0]!.literal !== undefined) {
        return { sql: `nextval(${quoteLiteral(args[0]!.literal)}::regclass)`, type: Oid.int8 };
      }
      const argSql = args.map((a) => (a.literal !== undefined ? typedLiteral(a.literal, Oid.text, -1) : a.sql));
      return { sql: `${name}(${v.agg_star ? '*' : argSql.join(', ')})` };
    }
    case 'SQLValueFunction':
      return { sql: SVF[v.op] ?? 'CURRENT_TIMESTAMP', type: SVF_TYPES[v.op] };
    case 'A_Expr':
      return aExpr(v, columns, parent);
    case 'BoolExpr': {
      const kind = v.boolop === 'AND_EXPR' ? 'and' : v.boolop === 'OR_EXPR' ? 'or' : 'not';
      const args: Typed[] = v.args.map((a: Raw) => walk(a, columns, kind));
      if (kind === 'not') return { sql: paren(`NOT ${args[0]!.sql}`, parent, 'not'), type: Oid.bool };
      return { sql: paren(args.map((a) => a.sql).join(kind === 'and' ? ' AND ' : ' OR '), parent, kind), type: Oid.bool };
    }
    case 'NullTest': {
      const arg = walk(v.arg, columns, 'op');
      return { sql: paren(`${arg.sql} ${v.nulltesttype === 'IS_NULL' ? 'IS NULL' : 'IS NOT NULL'}`, parent, 'test'), type: Oid.bool };
    }
    case 'BooleanTest': {
      const arg = walk(v.arg, columns, 'op');
      const test = String(v.booltesttype).replace(/_/g, ' ');
      return { sql: paren(`${arg.sql} ${test}`, parent, 'test'), type: Oid.bool };
    }
    case 'A_ArrayExpr': {
      const els: Typed[] = (v.elements ?? []).map((e: Raw) => walk(e, columns, 'op'));
      return { sql: `ARRAY[${els.map((e) => (e.literal !== undefined ? typedLiteral(e.literal, Oid.text, -1) : e.sql)).join(', ')}]` };
    }
    case 'CoalesceExpr': {
      const args: Typed[] = v.args.map((a: Raw) => walk(a, columns, 'op'));
      return { sql: `COALESCE(${args.map((a) => a.sql).join(', ')})` };
    }
    default:
      return { sql: `/* ${kind} */` };
  }
}

function aExpr(v: Raw, columns: ColumnTypes, parent: Parent): Typed {
  const op: string = v.name?.map((x: Raw) => x.String.sval).join('.') ?? '=';
  const left: Typed | null = v.lexpr ? walk(v.lexpr, columns, 'op') : null;
  switch (v.kind) {
    case 'AEXPR_OP': {
      const right = walk(v.rexpr, columns, 'op');
      if (!left) {
        // Unary minus on a number folds into a negative constant in the analyser.
        if (op === '-' && right.number) return { sql: `-${right.sql}`, number: true, type: right.type };
        return { sql: paren(`${op} ${right.sql}`, parent, 'op'), type: right.type };
      }
      return { sql: paren(`${operandSql(left, right)} ${op} ${operandSql(right, left)}`, parent, 'op'), type: Oid.bool };
    }
    case 'AEXPR_IN': {
      const items: Typed[] = (v.rexpr.List?.items ?? []).map((i: Raw) => walk(i, columns, 'op'));
      const l = left!;
      const elemType = literalTypeFor(l.type);
      const arr = items.map((i) => (i.literal !== undefined ? typedLiteral(i.literal, elemType, -1) : i.sql));
      const neg = op === '<>';
      if (l.type === Oid.varchar && items.every((i) => i.literal !== undefined)) {
        const els = items.map((i) => `${quoteLiteral(i.literal!)}::character varying`);
        return { sql: paren(`${cast(l.sql, 'text')} ${neg ? '<> ALL' : '= ANY'} (${cast(`ARRAY[${els.join(', ')}]`, 'text[]')})`, parent, 'op'), type: Oid.bool };
      }
      return { sql: paren(`${l.sql} ${neg ? '<> ALL' : '= ANY'} (ARRAY[${arr.join(', ')}])`, parent, 'op'), type: Oid.bool };
    }
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE': {
      const right = walk(v.rexpr, columns, 'op');
      const sym = v.kind === 'AEXPR_LIKE' ? (op === '!~~' ? '!~~' : '~~') : op === '!~~*' ? '!~~*' : '~~*';
      return { sql: paren(`${operandSql(left!, right)} ${sym} ${operandSql(right, left!)}`, parent, 'op'), type: Oid.bool };
    }
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN': {
      const [lo, hi] = (v.rexpr.List?.items ?? []).map((i: Raw) => walk(i, columns, 'op')) as Typed[];
      const l = left!;
      const inner = v.kind === 'AEXPR_BETWEEN' ? parent : 'not';
      const ge = paren(`${operandSql(l, lo!)} >= ${operandSql(lo!, l)}`, 'and', 'op');
      const le = paren(`${operandSql(l, hi!)} <= ${operandSql(hi!, l)}`, 'and', 'op');
      const s = paren(`${ge} AND ${le}`, inner, 'and');
      return { sql: v.kind === 'AEXPR_BETWEEN' ? s : paren(`NOT ${s}`, parent, 'not'), type: Oid.bool };
    }
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT': {
      const right = walk(v.rexpr, columns, 'op');
      const word = v.kind === 'AEXPR_DISTINCT' ? 'IS DISTINCT FROM' : 'IS NOT DISTINCT FROM';
      return { sql: paren(`${operandSql(left!, right)} ${word} ${operandSql(right, left!)}`, parent, 'op'), type: Oid.bool };
    }
    default: {
      const right = walk(v.rexpr, columns, 'op');
      return { sql: paren(`${left?.sql ?? ''} ${op} ${right.sql}`, parent, 'op'), type: Oid.bool };
    }
  }
}
