/**
 * Type resolution rules from PostgreSQL's parser (§10 "Type Conversion"): choosing an
 * operator/function overload for argument types (func_select_candidate, simplified but in
 * the same order of tests) and a common type for CASE/COALESCE/GREATEST (select_common_type).
 * @see https://www.postgresql.org/docs/15/typeconv.html
 */
import { DbError, SqlState } from '../errors/index.ts';
import { ANYNONARRAY_OID, canCast, isNumericType, isStringType, type ScalarFunction } from '../executor/index.ts';
import { Oid, typeByOid } from '../types/index.ts';

const PREFERRED = new Set<number>([Oid.float8, Oid.text, Oid.bool, Oid.timestamptz, Oid.oid]);

function category(oid: number): string {
  return typeByOid(oid)?.category ?? 'U';
}

export function typeDisplayName(oid: number): string {
  if (oid === Oid.unknown) return 'unknown';
  return typeByOid(oid)?.displayName ?? `oid ${oid}`;
}

/**
 * Picks the overload for a call with the given argument types (Oid.unknown for untyped
 * literals and parameters). Returns null when nothing matches; throws 42725 when the choice
 * is ambiguous.
 */
export function selectCandidate(
  candidates: readonly ScalarFunction[],
  argTypes: readonly number[],
  ambiguous: () => DbError,
): ScalarFunction | null {
  const fixed = selectFixedCandidate(candidates.filter((c) => !c.specialize), argTypes, ambiguous);
  if (fixed) return fixed;
  // Polymorphic and variadic entries (anyelement, anyarray, "any") are tried when no fixed one fits.
  for (const c of candidates) {
    const s = c.specialize?.(argTypes);
    if (s) return s;
  }
  return null;
}

function selectFixedCandidate(
  candidates: readonly ScalarFunction[],
  argTypes: readonly number[],
  ambiguous: () => DbError,
): ScalarFunction | null {
  let list = candidates.filter((c) => c.argTypes.length === argTypes.length);
  if (list.length === 0) return null;
  const exact = list.find((c) => c.argTypes.every((t, i) => t === argTypes[i]));
  if (exact) return exact;
  // Binary operator with one unknown side: assume it has the other side's type (10.2 step 2a).
  if (argTypes.length === 2) {
    const [a, b] = argTypes as [number, number];
    if (a === Oid.unknown && b !== Oid.unknown) {
      const m = list.find((c) => c.argTypes[0] === b && c.argTypes[1] === b);
      if (m) return m;
    } else if (b === Oid.unknown && a !== Oid.unknown) {
      const m = list.find((c) => c.argTypes[0] === a && c.argTypes[1] === a);
      if (m) return m;
    }
  }
  list = list.filter((c) => c.argTypes.every((t, i) => accepts(t, argTypes[i]!)));
  if (list.length <= 1) return list[0] ?? null;
  const keepBest = (score: (c: ScalarFunction) => number): void => {
    const scores = list.map(score);
    const best = Math.max(...scores);
    list = list.filter((_, i) => scores[i] === best);
  };
  const unknown = (i: number): boolean => argTypes[i] === Oid.unknown;
  // Most exact matches on the known arguments.
  keepBest((c) => c.argTypes.filter((t, i) => !unknown(i) && t === argTypes[i]).length);
  if (list.length === 1) return list[0]!;
  // Most exact-or-preferred types (preferred within the argument's own category) at known arguments.
  keepBest((c) => c.argTypes.filter((t, i) => !unknown(i) && (t === argTypes[i] || (PREFERRED.has(t) && category(t) === category(argTypes[i]!)))).length);
  if (list.length === 1) return list[0]!;
  const unknownCount = argTypes.filter((t) => t === Oid.unknown).length;
  if (unknownCount === 0) throw ambiguous();
  // Unknown arguments: a category every candidate agrees on at that position (string wins a
  // conflict), keeping preferred types of it when there are any (func_select_candidate).
  const slots = new Map<number, { category: string; preferred: boolean }>();
  let resolved = true;
  for (let i = 0; i < argTypes.length && resolved; i++) {
    if (!unknown(i)) continue;
    let slot: { category: string; preferred: boolean } | null = null;
    let conflict = false;
    for (const c of list) {
      const cat = category(c.argTypes[i]!);
      const pref = PREFERRED.has(c.argTypes[i]!);
      if (!slot) slot = { category: cat, preferred: pref };
      else if (cat === slot.category) slot.preferred ||= pref;
      else if (cat === 'S') slot = { category: cat, preferred: pref };
      else conflict = true;
    }
    if (conflict && slot!.category !== 'S') resolved = false;
    else slots.set(i, slot!);
  }
  if (resolved) {
    const kept = list.filter((c) =>
      [...slots].every(([i, slot]) => category(c.argTypes[i]!) === slot.category && (!slot.preferred || PREFERRED.has(c.argTypes[i]!))),
    );
    if (kept.length === 1) return kept[0]!;
    if (kept.length > 0) list = kept;
  }
  // Last gasp: with one known type among the arguments, assume the unknowns have it too.
  const known = [...new Set(argTypes.filter((t) => t !== Oid.unknown))];
  if (known.length === 1) {
    const matches = list.filter((c) => c.argTypes.every((t) => accepts(t, known[0]!)));
    if (matches.length === 1) return matches[0]!;
  }
  throw ambiguous();
}

/** Whether a parameter of type `param` takes an argument of type `arg` without an explicit cast. */
function accepts(param: number, arg: number): boolean {
  if (param === ANYNONARRAY_OID) return arg !== Oid.unknown && category(arg) !== 'A';
  return arg === Oid.unknown || canCast(arg, param, 'implicit');
}

/**
 * The common type of a set of expression types (CASE, COALESCE, GREATEST, VALUES).
 * All unknown → text. `context` names the construct for the error message.
 */
export function selectCommonType(types: readonly number[], context: string): number {
  const known = types.filter((t) => t !== Oid.unknown);
  if (known.length === 0) return Oid.text;
  let result = known[0]!;
  for (const t of known.slice(1)) {
    if (t === result) continue;
    if (category(t) !== category(result) && !(isNumericType(t) && isNumericType(result)) && !(isStringType(t) && isStringType(result))) {
      throw new DbError(SqlState.DatatypeMismatch, `${context} types ${typeDisplayName(result)} and ${typeDisplayName(t)} cannot be matched`);
    }
    if (PREFERRED.has(result)) continue;
    if (canCast(result, t, 'implicit') && (PREFERRED.has(t) || !canCast(t, result, 'implicit'))) result = t;
  }
  return result;
}
