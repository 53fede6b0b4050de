/**
 * MessageFramer over random splits of a message stream: every frame comes out as sent, except
 * a CopyData message that spans received chunks, which comes out as pieces that are views of
 * those chunks (no copy) and join to its body; lengths are still checked before any body
 * byte is buffered.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageFramer, type Frame } from '../../src/protocol/framer.ts';
import { mulberry32 } from '../support/prng.ts';

const COPY_DATA = 0x64;

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function randomBytes(rnd: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

/** Cuts `stream` at random points into chunks of 1 .. maxChunk bytes (each its own ArrayBuffer, as socket reads are). */
function cut(rnd: () => number, stream: Buffer, maxChunk: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < stream.length; ) {
    const n = Math.min(stream.length - at, 1 + Math.floor(rnd() * maxChunk));
    out.push(Buffer.from(stream.subarray(at, at + n)));
    at += n;
  }
  return out;
}

test('frames survive any split; CopyData spanning chunks comes out as uncopied pieces of its body', () => {
  const rnd = mulberry32(0xf4a3e);
  for (let round = 0; round < 200; round++) {
    const sent: { type: number; body: Buffer }[] = [];
    for (let k = 0, n = 1 + Math.floor(rnd() * 8); k < n; k++) {
      const r = rnd();
      const body = r < 0.5 ? randomBytes(rnd, Math.floor(rnd() * 5000)) : r < 0.6 ? Buffer.alloc(0) : randomBytes(rnd, Math.floor(rnd() * 40));
      sent.push({ type: rnd() < 0.6 ? COPY_DATA : 'QSPBc'.charCodeAt(Math.floor(rnd() * 5)), body });
    }
    const chunks = cut(rnd, Buffer.concat(sent.map((m) => message(String.fromCharCode(m.type), m.body))), 1 + Math.floor(rnd() * 3000));
    const f = new MessageFramer(1 << 20);
    f.startupPhase = false;
    const got: Frame[] = [];
    for (const c of chunks) {
      f.push(c);
      for (;;) {
        const ready = f.hasCompleteFrame();
        const frame = f.next();
        if (ready) assert.ok(frame !== null, 'hasCompleteFrame() promised a frame');
        if (frame === null) break;
        got.push(frame);
      }
    }
    assert.equal(f.bufferedBytes, 0);
    // Consecutive CopyData frames join (COPY reads them as one byte stream).
    const joined: { type: number; body: Buffer }[] = [];
    for (const g of got) {
      const prev = joined[joined.length - 1];
      if (g.type === COPY_DATA && prev?.type === COPY_DATA) prev.body = Buffer.concat([prev.body, g.body]);
      else joined.push({ type: g.type, body: g.body });
    }
    const expected: { type: number; body: Buffer }[] = [];
    for (const m of sent) {
      const prev = expected[expected.length - 1];
      if (m.type === COPY_DATA && prev?.type === COPY_DATA) prev.body = Buffer.concat([prev.body, m.body]);
      else expected.push({ type: m.type, body: m.body });
    }
    assert.deepEqual(joined.map((m) => [m.type, m.body.toString('hex')]), expected.map((m) => [m.type, m.body.toString('hex')]), `round ${round}`);
  }
});

test('a CopyData message arriving in reads is handed out read by read, never joined', () => {
  const body = randomBytes(mulberry32(7), 200_000);
  const chunks = cut(mulberry32(8), message('d', body), 65_536);
  const f = new MessageFramer(1 << 20);
  f.startupPhase = false;
  const pieces: Buffer[] = [];
  for (const c of chunks) {
    f.push(c);
    for (let fr = f.next(); fr !== null; fr = f.next()) pieces.push(fr.body);
  }
  assert.ok(pieces.length >= chunks.length - 1, `${pieces.length} pieces from ${chunks.length} reads`);
  for (const p of pieces) assert.ok(chunks.some((c) => c.buffer === p.buffer), 'each piece is a view of a read');
  assert.ok(Buffer.concat(pieces).equals(body));
});

test('an oversize CopyData length is refused from its header alone', () => {
  const f = new MessageFramer(1000);
  f.startupPhase = false;
  const head = Buffer.alloc(5);
  head[0] = COPY_DATA;
  head.writeInt32BE(5000, 1);
  f.push(Buffer.concat([head, Buffer.alloc(10)]));
  assert.throws(() => f.next(), (e: { code?: string; message: string }) => e.code === '08P01' && /invalid message length 5000/.test(e.message));
});
