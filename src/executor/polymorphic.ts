/**
 * Polymorphic argument resolution (PostgreSQL's enforce_generic_type_consistency): the
 * pseudo-types anyelement / anyarray / anynonarray bind to one element type that every such
 * argument must agree on; anycompatible / anycompatiblearray bind to the common type of their
 * arguments. Used by the `specialize` hook of polymorphic entries in the function catalog.
 * @see https://www.postgresql.org/docs/15/extend-type-system.html#EXTEND-TYPES-POLYMORPHIC
 */
import { Oid, arrayTypeOf, typeByOid } from '../types/index.ts';
import { canCast, isNumericType, isStringType } from './casts.ts';

/** pg_type OIDs of the polymorphic pseudo-types. */
export const PolyOid = {
  any: 2276,
  anyarray: 2277,
  anyelement: 2283,
  anynonarray: 2776,
  anycompatible: 5077,
  anycompatiblearray: 5078,
} as const;

const NUMERIC_ORDER: readonly number[] = [Oid.int2, Oid.int4, Oid.int8, Oid.numeric, Oid.float4, Oid.float8];

/** The element type of an array type, or undefined when `oid` is not an array type. */
export function elementTypeOf(oid: number): number | undefined {
  const t = typeByOid(oid);
  return t && t.category === 'A' ? t.elemOid : undefined;
}

export function isArrayType(oid: number): boolean {
  return elementTypeOf(oid) !== undefined;
}

/** A simplified select_common_type for anycompatible: same type, numeric widening, or strings → text. */
function commonType(types: readonly number[]): number | null {
  if (types.length === 0) return null;
  const first = types[0]!;
  if (types.every((t) => t === first)) return first;
  if (types.every(isNumericType)) return NUMERIC_ORDER[Math.max(...types.map((t) => NUMERIC_ORDER.indexOf(t)))]!;
  if (types.every(isStringType)) return Oid.text;
  for (const t of types) if (types.every((u) => u === t || canCast(u, t, 'implicit'))) return t;
  return null;
}

/**
 * Resolves a signature with polymorphic parameters against actual argument types. Returns the
 * concrete parameter and result types, or null when the arguments do not fit.
 */
export function resolvePolymorphic(
  params: readonly number[],
  returnType: number,
  actual: readonly number[],
): { argTypes: number[]; returnType: number } | null {
  if (params.length !== actual.length) return null;
  let elem: number | undefined;
  const compatible: number[] = [];
  let sawUnknownArray = false;
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const a = actual[i]!;
    if (p === PolyOid.anyelement || p === PolyOid.anynonarray || p === PolyOid.anyarray) {
      if (a === Oid.unknown) {
        if (p === PolyOid.anyarray) sawUnknownArray = true;
        continue;
      }
      let e: number | undefined = a;
      if (p === PolyOid.anyarray) e = elementTypeOf(a);
      else if (p === PolyOid.anynonarray && isArrayType(a)) return null;
      if (e === undefined) return null;
      if (elem !== undefined && elem !== e) return null;
      elem = e;
    } else if (p === PolyOid.anycompatible || p === PolyOid.anycompatiblearray) {
      if (a === Oid.unknown) continue;
      const e = p === PolyOid.anycompatiblearray ? elementTypeOf(a) : a;
      if (e === undefined) return null;
      compatible.push(e);
    } else if (p !== PolyOid.any && a !== p && a !== Oid.unknown && !canCast(a, p, 'implicit')) {
      return null;
    }
  }
  if (elem === undefined && sawUnknownArray) return null;
  elem ??= Oid.text;
  const common = compatible.length > 0 ? commonType(compatible) : Oid.text;
  if (common === null) return null;
  const subst = (p: number): number | null => {
    switch (p) {
      case PolyOid.anyelement:
      case PolyOid.anynonarray:
        return elem!;
      case PolyOid.anyarray:
        return arrayTypeOf(elem!)?.oid ?? null;
      case PolyOid.anycompatible:
        return common;
      case PolyOid.anycompatiblearray:
        return arrayTypeOf(common)?.oid ?? null;
      default:
        return p;
    }
  };
  const argTypes: number[] = [];
  for (let i = 0; i < params.length; i++) {
    const t = params[i] === PolyOid.any ? actual[i]! : subst(params[i]!);
    if (t === null) return null;
    argTypes.push(t);
  }
  const ret = subst(returnType);
  return ret === null ? null : { argTypes, returnType: ret };
}
