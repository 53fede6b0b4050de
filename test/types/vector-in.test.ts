/**
 * vector_in's fast path against the exact strtof (scanStrtof, a BigInt-exact decimal to
 * float32 rounding): random decimals of 1 to 20 significant digits with and without
 * exponents, JavaScript's own 17-digit number strings, and decimals at, just below and just
 * above the midpoints between neighbouring float32 values — where rounding through a double
 * could go wrong and the fast path must hand over to the exact one. Each literal is also read
 * from bytes, spaced and between other fields, as COPY's text format meets it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseVector, parseVectorBytes } from '../../src/types/vector.ts';
import { scanStrtof } from '../../src/types/vector-float.ts';
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
