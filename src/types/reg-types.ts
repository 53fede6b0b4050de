/**
 * types/: the catalog types clients meet in pg_catalog: the OID aliases regclass, regtype,
 * regproc, regprocedure, regnamespace, regrole (a uint32 OID shown and read as a name), the
 * zero-based vectors int2vector and oidvector (pg_index.indkey, pg_proc.proargtypes),
 * pg_node_tree (expression text), xid/cid/tid and aclitem. Name lookups go through
 * FormatContext.catalog, which the session supplies.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { PgArray, arrayBinaryIn, arrayBinaryOut } from './array.ts';
import { ArrayOid, Oid } from './oids.ts';
import type { CatalogNames, FormatContext, PgType } from './pg-type.ts';
import { formatType, parseTypeName } from './registry.ts';
import { int2Type, oidType } from './types-numeric.ts';
import { textType } from './types-text.ts';
import { BinaryReader, BinaryWriter, decodeUtf8, encodeUtf8 } from './wire.ts';

const NUMERIC_OID = /^\s*\d+\s*$/;

function uint32In(buf: Uint8Array): number {
  const r = new BinaryReader(buf);
  const v = r.uint32();
  r.end();
  return v;
}

function needCatalog(ctx: FormatContext, typeName: string, text: string): CatalogNames {
  if (!ctx.catalog) throw new DbError(SqlState.InvalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
  return ctx.catalog;
}

/** An OID alias type: a number on the wire in binary, a name in text ("-" for 0 as PostgreSQL prints it). */
function oidAlias(
  oid: number,
  name: string,
  arrayOid: number,
  nameIn: (text: string, ctx: FormatContext) => number,
  nameOut: (value: number, ctx: FormatContext) => string | undefined,
): PgType<number> {
  return {
    oid, name, displayName: name, typlen: 4, category: 'N', arrayOid, elemOid: 0,
    textIn(text, _typmod, ctx) {
      if (NUMERIC_OID.test(text)) return oidType.textIn(text.trim(), -1, ctx);
      if (text.trim() === '-') return 0;
      return nameIn(text, ctx);
    },
    textOut: (v, ctx) => (v === 0 ? '-' : (nameOut(v, ctx) ?? String(v))),
    binaryIn: (buf) => uint32In(buf),
    binaryOut: (v) => new BinaryWriter().uint32(v).finish(),
  };
}

export const regclassType = oidAlias(Oid.regclass, 'regclass', ArrayOid.regclass,
  (text, ctx) => needCatalog(ctx, 'regclass', text).relationOid(text), (v, ctx) => ctx.catalog?.relationName(v));

/** One identifier of a dotted name: "quoted" as written (doubled quotes undone), bare lower-cased. */
function identPart(part: string): string {
  return part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part.toLowerCase();
}

/**
 * A type name without its schema (`"pg_catalog"."int4"`, `public.vector` → `int4`, `vector`;
 * TypeORM casts `'"' || udt_schema || '"."' || udt_name || '"'` to regtype): every type lives
 * in pg_catalog or public here. A lone quoted name loses its quotes.
 */
function unqualifiedTypeName(text: string): string {
  const part = '("(?:[^"]|"")+"|[A-Za-z_][\\w$]*)';
  const m = new RegExp(`^${part}\\s*\\.\\s*${part}(.*)$`, 's').exec(text);
  if (m && ['pg_catalog', 'public'].includes(identPart(m[1]!))) return identPart(m[2]!) + m[3]!;
  return text.replace(/^"(.*)"$/, '$1');
}

/** regtypein resolves type names itself (the type registry is here); regtypeout is format_type. */
export const regtypeType = oidAlias(Oid.regtype, 'regtype', ArrayOid.regtype,
  (text) => {
    const t = parseTypeName(unqualifiedTypeName(text.trim()));
    if (!t) {
      const opens = (text.match(/\(/g) ?? []).length;
      const closes = (text.match(/\)/g) ?? []).length;
      if (opens !== closes || /[^\w\s."()[\],]/.test(text)) throw new DbError(SqlState.SyntaxError, `invalid type name "${text.trim()}"`);
      throw new DbError(SqlState.UndefinedObject, `type "${text.trim()}" does not exist`);
    }
    return t.oid;
  },
  (v) => formatType(v));

export const regprocType = oidAlias(Oid.regproc, 'regproc', ArrayOid.regproc,
  (text, ctx) => needCatalog(ctx, 'regproc', text).procOid(text), (v, ctx) => ctx.catalog?.procName(v));

export const regprocedureType = oidAlias(Oid.regprocedure, 'regprocedure', ArrayOid.regprocedure,
  (text, ctx) => needCatalog(ctx, 'regprocedure', text).procOid(text.replace(/\(.*\)\s*$/, '')), (v, ctx) => ctx.catalog?.procName(v));

export const regnamespaceType = oidAlias(Oid.regnamespace, 'regnamespace', ArrayOid.regnamespace,
  (text, ctx) => needCatalog(ctx, 'regnamespace', text).namespaceOid(text), (v, ctx) => ctx.catalog?.namespaceName(v));

export const regroleType = oidAlias(Oid.regrole, 'regrole', ArrayOid.regrole,
  (text, ctx) => needCatalog(ctx, 'regrole', text).roleOid(text), (v, ctx) => ctx.catalog?.roleName(v));

/** regoper/regoperator: numbers only (Tessera has no pg_operator rows to name). */
export const regoperType = oidAlias(Oid.regoper, 'regoper', ArrayOid.regoper, (text) => {
  throw new DbError(SqlState.UndefinedFunction, `operator does not exist: ${text}`);
}, () => undefined);
export const regoperatorType = { ...regoperType, oid: Oid.regoperator, name: 'regoperator', displayName: 'regoperator', arrayOid: ArrayOid.regoperator };

/**
 * int2vector / oidvector: one-dimensional, zero-based arrays written as space-separated
 * numbers ("1 3"), sent like arrays (int2vectorsend is array_send). Held as PgArray so that
 * `= ANY(indkey)` and subscripts work as on arrays.
 */
function numberVector(oid: number, name: string, arrayOid: number, elem: PgType<number>): PgType<PgArray<number>> {
  return {
    oid, name, displayName: name, typlen: -1, category: 'A', arrayOid, elemOid: elem.oid,
    textIn(text, _typmod, ctx) {
      const parts = text.trim() === '' ? [] : text.trim().split(/\s+/);
      return new PgArray(parts.map((p) => elem.textIn(p, -1, ctx)), [parts.length], [0]);
    },
    textOut: (v, ctx) => v.items.map((x) => (x === null ? '' : elem.textOut(x, ctx))).join(' '),
    binaryIn: (buf, typmod, ctx) => {
      const a = arrayBinaryIn(buf, elem, typmod, ctx);
      return new PgArray(a.items, [a.items.length], [0]);
    },
    binaryOut: (v, ctx) => arrayBinaryOut(v, elem, ctx),
  };
}

export const int2vectorType = numberVector(Oid.int2vector, 'int2vector', ArrayOid.int2vector, int2Type);
export const oidvectorType = numberVector(Oid.oidvector, 'oidvector', ArrayOid.oidvector, oidType);

/** pg_node_tree: Tessera stores expressions as SQL text, which pg_get_expr returns as is. */
export const pgNodeTreeType: PgType<string> = { ...textType, oid: Oid.pg_node_tree, name: 'pg_node_tree', displayName: 'pg_node_tree', arrayOid: 0, category: 'Z' };

/** xid, cid: unsigned 32-bit counters; Tessera reports them but has no use for them. */
function uint32Type(oid: number, name: string, arrayOid: number): PgType<number> {
  return { ...oidType, oid, name, displayName: name, arrayOid, category: 'U', textIn: (text, t, ctx) => oidType.textIn(text, t, ctx) };
}
export const xidType = uint32Type(Oid.xid, 'xid', ArrayOid.xid);
export const cidType = uint32Type(Oid.cid, 'cid', ArrayOid.cid);

/** tid: "(block,offset)", held as the text form. */
export const tidType: PgType<string> = {
  oid: Oid.tid, name: 'tid', displayName: 'tid', typlen: 6, category: 'U', arrayOid: ArrayOid.tid, elemOid: 0,
  textIn(text) {
    const m = /^\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*$/.exec(text);
    if (!m) throw new DbError(SqlState.InvalidTextRepresentation, `invalid input syntax for type tid: "${text}"`);
    return `(${Number(m[1])},${Number(m[2])})`;
  },
  textOut: (v) => v,
  binaryIn(buf) {
    const r = new BinaryReader(buf);
    const block = r.uint32();
    const offset = r.uint16();
    r.end();
    return `(${block},${offset})`;
  },
  binaryOut(v) {
    const m = /^\((\d+),(\d+)\)$/.exec(v)!;
    return new BinaryWriter().uint32(Number(m[1])).uint16(Number(m[2])).finish();
  },
};

/** aclitem: "grantee=privs/grantor", held as text; Tessera grants everything, so none are stored. */
export const aclitemType: PgType<string> = {
  oid: Oid.aclitem, name: 'aclitem', displayName: 'aclitem', typlen: 12, category: 'U', arrayOid: ArrayOid.aclitem, elemOid: 0,
  textIn: (text) => text.trim(),
  textOut: (v) => v,
  binaryIn() {
    throw new DbError(SqlState.FeatureNotSupported, 'no binary input function available for type aclitem');
  },
  binaryOut: (v) => encodeUtf8(v),
};

/** cstring: the C string pseudo-type, text-like. */
export const cstringType: PgType<string> = {
  ...textType, oid: Oid.cstring, name: 'cstring', displayName: 'cstring', typlen: -2, category: 'P', arrayOid: ArrayOid.cstring,
  binaryIn: (buf) => decodeUtf8(buf),
};

/** anyarray: the pseudo-type of statistics columns (pg_attribute.attmissingval); no input, as in PostgreSQL. */
export const anyarrayType: PgType<string> = {
  ...textType, oid: Oid.anyarray, name: 'anyarray', displayName: 'anyarray', category: 'P', arrayOid: 0,
  textIn() {
    throw new DbError(SqlState.FeatureNotSupported, 'cannot accept a value of type anyarray');
  },
  binaryIn() {
    throw new DbError(SqlState.FeatureNotSupported, 'cannot accept a value of type anyarray');
  },
};

/** trigger: the pseudo-type trigger functions return (pgcli's completion query compares prorettype with it). */
export const triggerType: PgType<string> = {
  ...textType, oid: Oid.trigger, name: 'trigger', displayName: 'trigger', typlen: 4, category: 'P', arrayOid: 0,
  textIn() {
    throw new DbError(SqlState.FeatureNotSupported, 'cannot accept a value of type trigger');
  },
  binaryIn() {
    throw new DbError(SqlState.FeatureNotSupported, 'cannot accept a value of type trigger');
  },
};

/** The catalog types, registered by registry.ts. */
export const catalogTypes: readonly PgType<any>[] = [
  regprocType, regprocedureType, regoperType, regoperatorType, regclassType, regtypeType, regnamespaceType, regroleType,
  int2vectorType, oidvectorType, pgNodeTreeType, xidType, cidType, tidType, aclitemType, cstringType, anyarrayType, triggerType,
];

/** OID alias types: binary-coercible with oid and each other (pg_cast). */
export const OID_ALIAS_TYPES: ReadonlySet<number> = new Set([
  Oid.oid, Oid.regproc, Oid.regprocedure, Oid.regoper, Oid.regoperator, Oid.regclass, Oid.regtype, Oid.regnamespace, Oid.regrole,
]);
