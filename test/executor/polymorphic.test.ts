/**
 * Unit tests of polymorphic argument resolution (executor/polymorphic.ts), following the
 * rules of PostgreSQL 15 §38.2.5: anyelement/anyarray bind one element type exactly,
 * anycompatible/anycompatiblearray widen to a common type, unknown literals take the type
 * the other arguments fix (text when none does).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolyOid, resolvePolymorphic } from '../../src/executor/polymorphic.ts';
import { ArrayOid, Oid } from '../../src/types/index.ts';

const { anyelement, anyarray, anynonarray, anycompatible, anycompatiblearray } = PolyOid;

test('anyarray and anyelement bind one element type', () => {
  assert.deepEqual(resolvePolymorphic([anyarray, anyelement], Oid.int4, [ArrayOid.int4, Oid.int4]), { argTypes: [ArrayOid.int4, Oid.int4], returnType: Oid.int4 });
  assert.deepEqual(resolvePolymorphic([anyarray], anyelement, [ArrayOid.text]), { argTypes: [ArrayOid.text], returnType: Oid.text });
  // anyelement does not widen: int[] with a bigint element is no match.
  assert.equal(resolvePolymorphic([anyarray, anyelement], Oid.int4, [ArrayOid.int4, Oid.int8]), null);
  // A non-array where anyarray is expected is no match.
  assert.equal(resolvePolymorphic([anyarray], Oid.int4, [Oid.int4]), null);
});

test('unknown literals follow the other arguments, or become text', () => {
  assert.deepEqual(resolvePolymorphic([anyarray, anyelement], anyarray, [ArrayOid.int4, Oid.unknown]), { argTypes: [ArrayOid.int4, Oid.int4], returnType: ArrayOid.int4 });
  assert.deepEqual(resolvePolymorphic([anyelement], anyelement, [Oid.unknown]), { argTypes: [Oid.text], returnType: Oid.text });
  // An unknown where only anyarray could fix the type cannot be resolved.
  assert.equal(resolvePolymorphic([anyarray], Oid.int4, [Oid.unknown]), null);
});

test('anynonarray refuses arrays', () => {
  assert.equal(resolvePolymorphic([anynonarray], Oid.text, [ArrayOid.int4]), null);
  assert.deepEqual(resolvePolymorphic([anynonarray], Oid.text, [Oid.date]), { argTypes: [Oid.date], returnType: Oid.text });
});

test('anycompatible widens numbers and strings to a common type', () => {
  assert.deepEqual(resolvePolymorphic([anycompatiblearray, anycompatible], anycompatiblearray, [ArrayOid.int4, Oid.numeric]), {
    argTypes: [ArrayOid.numeric, Oid.numeric],
    returnType: ArrayOid.numeric,
  });
  assert.deepEqual(resolvePolymorphic([anycompatible, anycompatible], anycompatible, [Oid.int2, Oid.int8]), {
    argTypes: [Oid.int8, Oid.int8],
    returnType: Oid.int8,
  });
  assert.deepEqual(resolvePolymorphic([anycompatible, anycompatible], anycompatible, [Oid.varchar, Oid.text]), {
    argTypes: [Oid.text, Oid.text],
    returnType: Oid.text,
  });
  assert.equal(resolvePolymorphic([anycompatiblearray, anycompatible], anycompatiblearray, [ArrayOid.int4, Oid.bool]), null);
});

test('fixed parameters next to polymorphic ones accept implicit casts only', () => {
  assert.deepEqual(resolvePolymorphic([anyarray, Oid.int4], Oid.int4, [ArrayOid.text, Oid.int2]), { argTypes: [ArrayOid.text, Oid.int4], returnType: Oid.int4 });
  assert.equal(resolvePolymorphic([anyarray, Oid.int4], Oid.int4, [ArrayOid.text, Oid.text]), null);
});
