/**
 * storage/: a segment's delete bitmap, copy-on-write so snapshots can hold the state "as of"
 * their creation for free: `view()` shares the current bytes and the next `set` copies them.
 */

/** An immutable view of a delete bitmap, as a snapshot sees it. */
export interface DeleteView {
  readonly bits: Uint8Array;
  readonly count: number;
}

/** True when `offset` is deleted in `view`. */
export function isDeleted(view: DeleteView, offset: number): boolean {
  const byte = offset >> 3;
  return byte < view.bits.length && (view.bits[byte]! & (1 << (offset & 7))) !== 0;
}

/** The mutable, copy-on-write bitmap owned by a segment. */
export class DeleteBitmap {
  private bits: Uint8Array;
  private shared = false;
  count = 0;

  constructor(bits?: Uint8Array, count?: number) {
    this.bits = bits ?? new Uint8Array(0);
    this.count = count ?? countBits(this.bits);
  }

  has(offset: number): boolean {
    const byte = offset >> 3;
    return byte < this.bits.length && (this.bits[byte]! & (1 << (offset & 7))) !== 0;
  }

  /** Marks `offset` deleted; false when it already was. */
  set(offset: number): boolean {
    if (this.has(offset)) return false;
    const byte = offset >> 3;
    if (this.shared || byte >= this.bits.length) {
      const next = new Uint8Array(Math.max(this.bits.length, byte + 1, this.shared ? 0 : this.bits.length * 2));
      next.set(this.bits);
      this.bits = next;
      this.shared = false;
    }
    this.bits[byte]! |= 1 << (offset & 7);
    this.count++;
    return true;
  }

  /** Whether `view` is still the current state (a `set` after view() replaces the bytes). */
  matches(view: DeleteView): boolean {
    return view.bits === this.bits && view.count === this.count;
  }

  /** The current state, frozen: later `set`s do not change it. */
  view(): DeleteView {
    this.shared = true;
    return { bits: this.bits, count: this.count };
  }
}

export function countBits(bits: Uint8Array): number {
  let n = 0;
  for (let b of bits) {
    while (b) {
      b &= b - 1;
      n++;
    }
  }
  return n;
}

/** Deleted offsets in [start, end) (a whole byte at a time where the range covers it). */
export function deletedInRange(view: DeleteView, start: number, end: number): number {
  if (view.count === 0) return 0;
  let n = 0;
  let off = start;
  for (; off < end && (off & 7) !== 0; off++) if (isDeleted(view, off)) n++;
  for (; off + 8 <= end; off += 8) {
    const byte = off >> 3;
    if (byte >= view.bits.length) return n;
    let b = view.bits[byte]!;
    while (b !== 0) {
      b &= b - 1;
      n++;
    }
  }
  for (; off < end; off++) if (isDeleted(view, off)) n++;
  return n;
}
