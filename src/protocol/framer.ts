/**
 * Splits the byte stream of one connection into messages. Before the startup packet is
 * accepted, packets are untyped (int32 length, body); afterwards typed (byte, int32 length,
 * body). Lengths outside [4, maxMessageBytes] are a FATAL protocol violation raised before
 * the body is buffered, so an oversize claim costs no memory. Pure; no I/O.
 */
import { DbError, SqlState } from '../errors/index.ts';

export interface Frame {
  /** The type byte, or -1 for an untyped startup-phase packet. */
  readonly type: number;
  readonly body: Buffer;
}

/** PostgreSQL's cap on a startup packet (MAX_STARTUP_PACKET_LENGTH). */
const MAX_STARTUP_PACKET_BYTES = 10000;

export class MessageFramer {
  private pending: Buffer = Buffer.alloc(0);
  /** True while packets are untyped (before StartupMessage / after SSLRequest). */
  startupPhase = true;

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
  }

  /** Returns the next complete frame, or null when more bytes are needed. */
  next(): Frame | null {
    const buf = this.pending;
    if (this.startupPhase) {
      if (buf.length < 4) return null;
      const len = buf.readInt32BE(0);
      if (len < 8 || len > MAX_STARTUP_PACKET_BYTES) {
        throw new DbError(SqlState.ProtocolViolation, 'invalid length of startup packet', { severity: 'FATAL' });
      }
      if (buf.length < len) return null;
      this.pending = buf.subarray(len);
      return { type: -1, body: buf.subarray(4, len) };
    }
    if (buf.length < 5) return null;
    const type = buf[0]!;
    const len = buf.readInt32BE(1);
    if (len < 4 || len > this.maxMessageBytes) {
      throw new DbError(SqlState.ProtocolViolation, `invalid message length ${len}`, {
        severity: 'FATAL',
        detail: len > this.maxMessageBytes ? `Messages are limited to ${this.maxMessageBytes} bytes.` : undefined,
      });
    }
    if (buf.length < len + 1) return null;
    this.pending = buf.subarray(len + 1);
    return { type, body: buf.subarray(5, len + 1) };
  }

  /** True when next() would return a frame (or throw) without more input. */
  hasCompleteFrame(): boolean {
    const buf = this.pending;
    if (this.startupPhase) return buf.length >= 4 && (buf.readInt32BE(0) < 8 || buf.length >= buf.readInt32BE(0));
    if (buf.length < 5) return false;
    const len = buf.readInt32BE(1);
    return len < 4 || len > this.maxMessageBytes || buf.length >= len + 1;
  }

  /** Bytes received but not yet framed (used to detect data sent before a TLS handshake). */
  get bufferedBytes(): number {
    return this.pending.length;
  }
}
