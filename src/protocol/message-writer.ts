/**
 * Growable buffer for encoding backend messages: a type byte, an int32 length that is
 * patched in when the message ends, then the fields. Pure; no I/O.
 */
export class MessageWriter {
  private buf: Buffer;
  private offset = 0;
  private start = -1;

  constructor(initialBytes = 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  private ensure(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.offset + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  /** Begins a message with the given type byte (or none, for the untyped SSL answer). */
  begin(type: string): this {
    this.ensure(5);
    this.buf[this.offset++] = type.charCodeAt(0);
    this.start = this.offset;
    this.offset += 4;
    return this;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf[this.offset++] = v & 0xff;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.offset);
    this.offset += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.offset);
    this.offset += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.offset);
    this.offset += 4;
    return this;
  }

  cstring(s: string): this {
    const n = Buffer.byteLength(s);
    this.ensure(n + 1);
    this.buf.write(s, this.offset, 'utf8');
    this.offset += n;
    this.buf[this.offset++] = 0;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.offset);
    this.offset += b.length;
    return this;
  }

  /** A UTF-8 string without terminator, preceded by its int32 byte length (DataRow field). */
  lengthPrefixedString(s: string): this {
    const n = Buffer.byteLength(s);
    this.ensure(n + 4);
    this.buf.writeInt32BE(n, this.offset);
    this.buf.write(s, this.offset + 4, 'utf8');
    this.offset += 4 + n;
    return this;
  }

  /** Ends the current message, patching its length. */
  end(): this {
    this.buf.writeInt32BE(this.offset - this.start, this.start);
    this.start = -1;
    return this;
  }

  get length(): number {
    return this.offset;
  }

  /** Returns the bytes written so far and resets the writer for reuse. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.offset));
    this.offset = 0;
    return out;
  }
}
