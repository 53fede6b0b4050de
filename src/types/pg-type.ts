/**
 * The contract every SQL type implements: identity (OID, name, length) and its text and
 * binary wire formats, in both directions. types/ sits below session/, planner/ and
 * executor/; it imports only errors/.
 *
 * JavaScript value representations (the executor relies on these; NULL is always `null`):
 *   bool                      boolean
 *   int2, int4, oid           number (integral)
 *   int8                      bigint
 *   float4, float8            number
 *   numeric                   Numeric (types/numeric.ts)
 *   text, varchar, bpchar, name, unknown, "char"   string
 *   bytea                     Uint8Array (Buffer)
 *   uuid                      string, lower-case canonical 8-4-4-4-12
 *   date                      number: days since 2000-01-01 (PostgreSQL's epoch); ±Infinity for infinity
 *   time                      bigint: microseconds since midnight
 *   timestamp, timestamptz    bigint: microseconds since 2000-01-01 00:00:00 (UTC for timestamptz);
 *                             PostgreSQL's DT_NOBEGIN/DT_NOEND (int64 min/max) for -infinity/infinity
 *   interval                  Interval { months, days, micros: bigint }
 *   json                      string (kept as entered, like PostgreSQL)
 *   jsonb                     Jsonb (types/jsonb.ts): normalised tree; numbers kept as Numeric
 *   arrays                    PgArray { dims, lbounds, items } of the element representation
 *   void                      null
 */
export interface FormatContext {
  /** IANA zone or fixed offset, from the TimeZone setting. */
  readonly timeZone: string;
  /** The extra_float_digits setting: > 0 means shortest round-trip output. */
  readonly extraFloatDigits: number;
  /** The DateStyle setting, e.g. "ISO, MDY" (input order for ambiguous dates). */
  readonly dateStyle: string;
  /** The IntervalStyle setting: "postgres" by default. */
  readonly intervalStyle: string;
  /**
   * Start of the current transaction (microseconds since 2000-01-01 UTC), which 'now',
   * 'today', 'tomorrow' and 'yesterday' input refer to; the wall clock when absent.
   */
  readonly transactionTimestamp?: bigint;
  /** Name lookups of the reg* types (regclass, regproc, ...); absent outside a session, where they accept only numbers. */
  readonly catalog?: CatalogNames;
}

/**
 * What regclassin/regclassout and their siblings ask of the catalog (see reg-types.ts); the
 * session implements it over the catalog and search_path. The *Oid methods throw DbError
 * like PostgreSQL (42P01, 42883, 3F000, 42704); the *Name methods give the quoted, and where
 * not visible on search_path qualified, name, or undefined for an unknown OID.
 */
export interface CatalogNames {
  relationOid(name: string): number;
  relationName(oid: number): string | undefined;
  procOid(name: string): number;
  procName(oid: number): string | undefined;
  namespaceOid(name: string): number;
  namespaceName(oid: number): string | undefined;
  roleOid(name: string): number;
  roleName(oid: number): string | undefined;
}

export const defaultFormatContext: FormatContext = {
  timeZone: 'UTC',
  extraFloatDigits: 1,
  dateStyle: 'ISO, MDY',
  intervalStyle: 'postgres',
};

export type TypeCategory =
  | 'B' /* boolean */ | 'N' /* numeric */ | 'S' /* string */ | 'D' /* date/time */ | 'T' /* timespan */
  | 'U' /* user/other */ | 'A' /* array */ | 'X' /* unknown */ | 'P' /* pseudo */ | 'V' /* bit string */
  | 'Z' /* internal use ("char") */;

export interface PgType<V = unknown> {
  readonly oid: number;
  /** Name as in pg_type.typname, e.g. "int4". */
  readonly name: string;
  /** Name as format_type() prints it, e.g. "integer". */
  readonly displayName: string;
  /** pg_type.typlen: fixed size in bytes, or -1 for varlena, -2 for cstring. */
  readonly typlen: number;
  readonly category: TypeCategory;
  /** OID of the array type whose elements are this type (pg_type.typarray), 0 if none. */
  readonly arrayOid: number;
  /** For array types: the element type's OID; 0 otherwise. */
  readonly elemOid: number;
  /** Parses the text format; `typmod` -1 means none. Throws DbError 22P02/22003/... like PostgreSQL. */
  textIn(text: string, typmod: number, ctx: FormatContext): V;
  /**
   * textIn over the UTF-8 bytes b[start..end) (a COPY text field without escapes), for types
   * whose values are long and parsed byte by byte: no string in between. Same results and errors.
   */
  textInBytes?(b: Buffer, start: number, end: number, typmod: number, ctx: FormatContext): V;
  /** Formats exactly as PostgreSQL's output function does. */
  textOut(value: V, ctx: FormatContext): string;
  /** Parses the binary (send/recv) format. Throws DbError 22P03 on malformed input. */
  binaryIn(buf: Uint8Array, typmod: number, ctx: FormatContext): V;
  binaryOut(value: V, ctx: FormatContext): Uint8Array;
  /**
   * Coerces a value of this type to the given typmod (varchar(n) length, numeric(p,s) scale,
   * bpchar padding, timestamp precision...). `explicit` is true for an explicit cast,
   * where PostgreSQL truncates instead of failing for varchar/bpchar.
   */
  applyTypmod?(value: V, typmod: number, explicit: boolean): V;
  /** format_type() of this type with a typmod, e.g. "character varying(10)", "numeric(10,2)". */
  formatTypmod?(typmod: number): string;
}
