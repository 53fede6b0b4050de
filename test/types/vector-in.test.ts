/**
 * vector_in's fast paths (WebAssembly, then JavaScript) against the exact strtof (scanStrtof, a BigInt-exact decimal to
 * float32 rounding): random decimals of 1 to 20 significant digits with and without
 * exponents, JavaScript's own 17-digit number strings, and decimals at, just below and just
 * above the midpoints between neighbouring float32 values — where rounding through a double
 * could go wrong and the fast path must hand over to the exact one. Each literal is also read
 * from bytes, spaced and between other fields, as COPY's text format meets it, and in
 * batches as COPY's parse workers read them (vectorsInArea).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseVector, parseVectorBytes } from '../../src/types/vector.ts';
import { scanStrtof } from '../../src/types/vector-float.ts';
import { literalArea, vectorsInArea, VECTOR_TEXT_WASM } from '../../src/types/vector-text.mjs';
import { mulberry32 } from '../support/prng.ts';

const exact = (s: string): number => scanStrtof(s, 0).value;

function check(all: readonly string[]): void {
  // Only tokens inside float32's range (the out-of-range errors are vector_in's business).
  const tokens = all.filter((t) => {
    const s = scanStrtof(t, 0);
    return !s.erange && Number.isFinite(s.value);
  });
  const parsed = parseVector(`[${tokens.join(',')}]`);
  // The same literal as COPY meets it: bytes between other fields, with spaces around the tokens.
  const spaced = ` [ ${tokens.join(' ,\t')} ]\n`;
  const copyLine = Buffer.from(`7\t${spaced}\t9.5`);
  const fromBytes = parseVectorBytes(copyLine, 2, 2 + spaced.length);
  tokens.forEach((t, i) => {
    const want = exact(t);
    if (!Object.is(parsed[i], Math.fround(want))) assert.fail(`${t}: fast ${parsed[i]} vs strtof ${want}`);
    // Alone too: one token the fast path hands over sends a whole literal down the exact path.
    const alone = parseVector(`[${t}]`)[0];
    if (!Object.is(alone, Math.fround(want))) assert.fail(`${t}: alone ${alone} vs strtof ${want}`);
    if (!Object.is(fromBytes[i], parsed[i])) assert.fail(`${t}: from bytes ${fromBytes[i]} vs ${parsed[i]}`);
  });
}

test('random decimals of 1-20 digits, with exponents, agree with strtof', () => {
  const rnd = mulberry32(7);
  for (let round = 0; round < 400; round++) {
    const tokens: string[] = [];
    for (let k = 0; k < 250; k++) {
      const digits = 1 + Math.floor(rnd() * 20);
      let m = '';
      for (let d = 0; d < digits; d++) m += String(Math.floor(rnd() * 10));
      const point = Math.floor(rnd() * (digits + 1));
      // Some integers (no point), the rest with the point anywhere.
      let t = rnd() < 0.2 ? m : `${m.slice(0, point) || '0'}.${m.slice(point) || '0'}`;
      if (rnd() < 0.3) t += `e${Math.floor(rnd() * 60) - 30}`;
      tokens.push(rnd() < 0.5 ? `-${t}` : t);
    }
    check(tokens);
  }
});

test("JavaScript's number strings (17 digits) agree with strtof", () => {
  const rnd = mulberry32(11);
  for (let round = 0; round < 200; round++) {
    check(Array.from({ length: 250 }, () => String((rnd() - 0.5) * 10 ** (Math.floor(rnd() * 12) - 6))));
  }
});

test('decimals at and around float32 midpoints agree with strtof', () => {
  const rnd = mulberry32(13);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let round = 0; round < 100; round++) {
    const tokens: string[] = [];
    for (let k = 0; k < 100; k++) {
      u32[0] = (Math.floor(rnd() * 0x7f000000) >>> 0) & 0x7fffffff;
      const a = f32[0]!;
      u32[0] = u32[0]! + 1;
      const mid = (a + f32[0]!) / 2; // exact in double
      // The midpoint's digits at several precisions (ties go to even), and a hair above them.
      for (const s of [mid.toPrecision(17), mid.toString(), mid.toPrecision(21)]) {
        const [mant, exp] = s.split('e');
        const above = mant!.includes('.') ? `${mant}000001` : `${mant}.000001`;
        tokens.push(s, exp === undefined ? above : `${above}e${exp}`);
      }
    }
    check(tokens);
  }
});

test('short tokens at float32 midpoints (the WebAssembly tier\'s halfway test) agree with strtof', () => {
  assert.equal(VECTOR_TEXT_WASM, true, 'the WebAssembly tier is loaded');
  const rnd = mulberry32(17);
  for (let round = 0; round < 50; round++) {
    const tokens: string[] = [];
    for (let k = 0; k < 100; k++) {
      // Integers of 8-9 digits where float32's spacing is 2, 4, ... 128: every other multiple
      // of half the spacing is a midpoint; written plainly, with a fraction or an exponent.
      const bits = 24 + Math.floor(rnd() * 6);
      const half = 2 ** (bits - 24);
      const n = 2 ** bits + half * (2 * Math.floor(rnd() * 2 ** 22) + 1);
      const sign = rnd() < 0.5 ? '-' : '';
      tokens.push(`${sign}${n}`, `${n}.0`, `${n / 10}e1`, `${n + 1}`, `${n - 1}`);
    }
    check(tokens);
  }
});

test('literals parsed in a batch (COPY\'s parse workers) agree with the exact parser, declines included', () => {
  const rnd = mulberry32(19);
  const fields: string[] = [];
  for (let k = 0; k < 300; k++) {
    const dim = 1 + Math.floor(rnd() * 40);
    const parts: string[] = [];
    for (let d = 0; d < dim; d++) {
      const r = rnd();
      // Mostly 6-digit decimals (COPY's usual); some the WebAssembly tier declines (17 digits,
      // 10^±30), which JavaScript's takes; some neither takes (NaN, a bad token).
      parts.push(r < 0.9 ? String(Number((rnd() * 2 - 1).toPrecision(6))) : r < 0.95 ? String(rnd()) : r < 0.99 ? `${Math.floor(rnd() * 1e6)}e-30` : rnd() < 0.5 ? 'NaN' : '1x');
    }
    fields.push(`[${parts.join(',')}]`);
  }
  const text = fields.join('\t');
  const area = literalArea(text.length);
  area.write(text, 'latin1');
  const bounds: number[] = [];
  let at = 0;
  for (const f of fields) {
    bounds.push(at, at + f.length);
    at += f.length + 1;
  }
  const { out, dims } = vectorsInArea(bounds);
  let pos = 0;
  let declined = 0;
  fields.forEach((f, k) => {
    if (/NaN|x/.test(f)) {
      assert.equal(dims[k], -1, f);
      declined++;
      return;
    }
    const want = parseVector(f);
    assert.equal(dims[k], want.length, f);
    const got = out.subarray(pos, (pos += dims[k]!));
    want.forEach((w, d) => assert.ok(Object.is(got[d], w), `${f} [${d}]: ${got[d]} vs ${w}`));
  });
  assert.equal(pos, out.length);
  assert.ok(declined > 0 && declined < fields.length);
});
