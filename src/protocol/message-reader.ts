/**
 * Cursor over one frontend message body. Pure; no I/O. Every read is bounds-checked:
 * a truncated or malformed body throws DbError 08P01 ("invalid message format"), which
 * server/ answers with a FATAL ErrorResponse and closes the connection, as PostgreSQL does.
 */
import { DbError, SqlState } from '../errors/index.ts';

export class MessageReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (n < 0 || this.offset + n > this.buf.length) {
      throw new DbError(SqlState.ProtocolViolation, 'invalid message format', { severity: 'FATAL' });
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readUInt8(this.offset++);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.offset);
    if (end < 0) throw new DbError(SqlState.ProtocolViolation, 'invalid string in message', { severity: 'FATAL' });
    const s = this.buf.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  rest(): Buffer {
    const b = this.buf.subarray(this.offset);
    this.offset = this.buf.length;
    return b;
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  /** PostgreSQL's pq_getmsgend: a message with trailing garbage is malformed. */
  end(): void {
    if (this.offset !== this.buf.length) {
      throw new DbError(SqlState.ProtocolViolation, 'invalid message format', { severity: 'FATAL' });
    }
  }
}
