/**
 * Splits the byte stream of one connection into messages. Before the startup packet is
 * accepted, packets are untyped (int32 length, body); afterwards typed (byte, int32 length,
 * body). Lengths outside [4, maxMessageBytes] are a FATAL protocol violation raised before
 * the body is buffered, so an oversize claim costs no memory. A CopyData message's body is
 * handed out in pieces as its bytes arrive, each a view of one received chunk (COPY reads
 * its data as a byte stream, PostgreSQL too: message boundaries carry no meaning there), so
 * a COPY's data is never joined into message-sized copies. Pure; no I/O.
 */
import { DbError, SqlState } from '../errors/index.ts';

export interface Frame {
  /** The type byte, or -1 for an untyped startup-phase packet. */
  readonly type: number;
  readonly body: Buffer;
}

/** PostgreSQL's cap on a startup packet (MAX_STARTUP_PACKET_LENGTH). */
const MAX_STARTUP_PACKET_BYTES = 10000;
/** CopyData's type byte ('d'). */
const COPY_DATA = 0x64;

export class MessageFramer {
  private pending: Buffer = Buffer.alloc(0);
  /** Chunks received after `pending`, joined only when a frame needs them (no quadratic copying of large messages). */
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  /** True while packets are untyped (before StartupMessage / after SSLRequest). */
  startupPhase = true;
  /** Bytes of the CopyData body being handed out in pieces that are still to come. */
  private copyLeft = 0;

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer): void {
    if (this.pending.length === 0 && this.queued.length === 0) this.pending = chunk;
    else {
      this.queued.push(chunk);
      this.queuedBytes += chunk.length;
    }
  }

  /**
   * Makes at least `n` bytes contiguous in `pending` if that many have arrived (joining only
   * the chunks it takes); returns whether they have.
   */
  private ensure(n: number): boolean {
    if (this.pending.length >= n) return true;
    if (this.pending.length + this.queuedBytes < n) return false;
    const parts = [this.pending];
    let bytes = this.pending.length;
    while (bytes < n) {
      const c = this.queued.shift()!;
      parts.push(c);
      bytes += c.length;
      this.queuedBytes -= c.length;
    }
    this.pending = Buffer.concat(parts, bytes);
    return true;
  }

  /** Length word of the frame at the head of `pending` (header bytes must be there). */
  private frameLength(): number {
    const len = this.pending.readInt32BE(this.startupPhase ? 0 : 1);
    const bad = this.startupPhase ? len < 8 || len > MAX_STARTUP_PACKET_BYTES : len < 4 || len > this.maxMessageBytes;
    if (!bad) return len;
    if (this.startupPhase) throw new DbError(SqlState.ProtocolViolation, 'invalid length of startup packet', { severity: 'FATAL' });
    throw new DbError(SqlState.ProtocolViolation, `invalid message length ${len}`, {
      severity: 'FATAL',
      detail: len > this.maxMessageBytes ? `Messages are limited to ${this.maxMessageBytes} bytes.` : undefined,
    });
  }

  /**
   * Returns the next complete frame, or the next piece of a CopyData body that is not all
   * here (a CopyData frame of its own), or null when more bytes are needed.
   */
  next(): Frame | null {
    if (this.copyLeft > 0) return this.copyPiece();
    if (!this.ensure(this.startupPhase ? 4 : 5)) return null;
    const len = this.frameLength();
    const frameBytes = this.startupPhase ? len : len + 1;
    if (!this.startupPhase && this.pending[0] === COPY_DATA && this.pending.length < frameBytes) {
      this.pending = this.pending.subarray(5);
      this.copyLeft = len - 4;
      return this.copyPiece();
    }
    if (!this.ensure(frameBytes)) return null;
    const buf = this.pending;
    this.pending = buf.subarray(frameBytes);
    return this.startupPhase ? { type: -1, body: buf.subarray(4, len) } : { type: buf[0]!, body: buf.subarray(5, frameBytes) };
  }

  /** The next bytes of the CopyData body in flight, as a view of the chunk that holds them; null when none has arrived. */
  private copyPiece(): Frame | null {
    if (this.pending.length === 0) {
      if (this.queued.length === 0) return null;
      this.pending = this.queued.shift()!;
      this.queuedBytes -= this.pending.length;
    }
    const n = Math.min(this.pending.length, this.copyLeft);
    const body = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    this.copyLeft -= n;
    return { type: COPY_DATA, body };
  }

  /** True when next() would return a frame or a CopyData piece (or throw) without more input. */
  hasCompleteFrame(): boolean {
    if (this.copyLeft > 0) return this.bufferedBytes > 0;
    if (!this.ensure(this.startupPhase ? 4 : 5)) return false;
    try {
      const len = this.frameLength();
      if (!this.startupPhase && this.pending[0] === COPY_DATA) return this.bufferedBytes > 5 || len === 4;
      return this.bufferedBytes >= (this.startupPhase ? len : len + 1);
    } catch {
      return true; // next() reports the bad length
    }
  }

  /** Bytes received but not yet framed (used to detect data sent before a TLS handshake). */
  get bufferedBytes(): number {
    return this.pending.length + this.queuedBytes;
  }
}
