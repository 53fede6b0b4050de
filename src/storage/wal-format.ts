/**
 * storage/: byte layouts of the write-ahead log. A WAL file is a 20-byte header followed by
 * records; a record's LSN is its byte position in the log as a whole (file startLsn + offset
 * past the header), so LSNs grow monotonically across files.
 *
 *   file header: 'TSWL' | u16 version (1) | u16 flags (0) | u64 startLsn | u32 crc32(bytes 0..16)
 *   record:      u32 payloadLength | u32 crc32(type ‖ payload) | u8 type | payload
 *   INSERT  (1): u64 txId | u32 tableId | u32 segmentId | u32 startOffset | u32 rowCount
 *                | u16 ncols | u16 attnum × ncols | (u32 blockLength | column block) × ncols
 *   DELETE  (2): u64 txId | u32 tableId | u32 count | (u32 segmentId | u32 offset) × count
 *   COMMIT  (3): u64 txId | u64 commitTimeMicros (Unix epoch)
 * A transaction is written as one contiguous run: its INSERT/DELETE records, then COMMIT.
 */
import { ByteReader, ByteWriter, crc32 } from './bytes.ts';

export const WAL_MAGIC = 'TSWL';
export const WAL_VERSION = 1;
export const WAL_HEADER_BYTES = 20;
export const RECORD_HEADER_BYTES = 9;
/** Records above this size are treated as garbage during recovery. */
export const MAX_RECORD_BYTES = 1 << 30;

export const WalRecordType = { Insert: 1, Delete: 2, Commit: 3 } as const;

export type WalRecord =
  | { readonly kind: 'insert'; readonly txId: bigint; readonly tableId: number; readonly segmentId: number; readonly startOffset: number;
      readonly rowCount: number; readonly attnums: readonly number[]; readonly blocks: readonly Buffer[] }
  | { readonly kind: 'delete'; readonly txId: bigint; readonly tableId: number; readonly segmentIds: Uint32Array; readonly offsets: Uint32Array }
  | { readonly kind: 'commit'; readonly txId: bigint; readonly commitMicros: bigint };

export function encodeWalFileHeader(startLsn: bigint): Buffer {
  const w = new ByteWriter(WAL_HEADER_BYTES);
  w.bytes(Buffer.from(WAL_MAGIC, 'latin1')).u16(WAL_VERSION).u16(0).u64(startLsn);
  w.u32(crc32(w.view()));
  return w.finish();
}

/** The startLsn of a valid header, or undefined when the header is damaged. */
export function decodeWalFileHeader(buf: Buffer): bigint | undefined {
  if (buf.length < WAL_HEADER_BYTES || buf.toString('latin1', 0, 4) !== WAL_MAGIC) return undefined;
  if (crc32(buf.subarray(0, 16)) !== buf.readUInt32LE(16) || buf.readUInt16LE(4) !== WAL_VERSION) return undefined;
  return buf.readBigUInt64LE(8);
}

/** Frames a payload as a record. */
export function frameRecord(type: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt8(type, 8);
  out.set(payload, RECORD_HEADER_BYTES);
  out.writeUInt32LE(crc32(out.subarray(8)), 4);
  return out;
}

/**
 * An INSERT record as buffers to write back to back: the frame header with the payload's
 * head, then `columns` (the `(u32 blockLength | block) × ncols` part, built at commit() time)
 * as it is — the largest part of a commit is not copied to frame it.
 */
export function insertRecord(
  txId: bigint, tableId: number, segmentId: number, startOffset: number, rowCount: number, attnums: readonly number[], columns: Buffer,
): Buffer[] {
  const w = new ByteWriter(RECORD_HEADER_BYTES + 26 + attnums.length * 2);
  w.u32(26 + attnums.length * 2 + columns.length).u32(0).u8(WalRecordType.Insert);
  w.u64(txId).u32(tableId).u32(segmentId).u32(startOffset).u32(rowCount).u16(attnums.length);
  for (const a of attnums) w.u16(a);
  const head = w.view();
  head.writeUInt32LE(crc32(columns, crc32(head.subarray(8))), 4);
  return [head, columns];
}

export function deleteRecord(txId: bigint, tableId: number, rowIds: readonly { segmentId: number; offset: number }[]): Buffer {
  const w = new ByteWriter(20 + rowIds.length * 8);
  w.u64(txId).u32(tableId).u32(rowIds.length);
  for (const r of rowIds) w.u32(r.segmentId).u32(r.offset);
  return frameRecord(WalRecordType.Delete, w.view());
}

export function commitRecord(txId: bigint, commitMicros: bigint): Buffer {
  return frameRecord(WalRecordType.Commit, new ByteWriter(16).u64(txId).u64(commitMicros).view());
}

/**
 * Reads the record at `offset` of `buf`: the record and its total size, 'end' at a clean end
 * of data, or 'bad' (torn, oversized or checksum mismatch) — recovery stops at either.
 */
export function readRecord(buf: Buffer, offset: number): { record: WalRecord; size: number } | 'end' | 'bad' {
  if (offset === buf.length) return 'end';
  if (buf.length - offset < RECORD_HEADER_BYTES) return 'bad';
  const len = buf.readUInt32LE(offset);
  if (len > MAX_RECORD_BYTES || offset + RECORD_HEADER_BYTES + len > buf.length) return 'bad';
  const body = buf.subarray(offset + 8, offset + RECORD_HEADER_BYTES + len);
  if (crc32(body) !== buf.readUInt32LE(offset + 4)) return 'bad';
  try {
    return { record: decodePayload(body[0]!, body.subarray(1)), size: RECORD_HEADER_BYTES + len };
  } catch {
    return 'bad';
  }
}

function decodePayload(type: number, payload: Buffer): WalRecord {
  const r = new ByteReader(payload, 'WAL record');
  const txId = r.u64();
  switch (type) {
    case WalRecordType.Insert: {
      const tableId = r.u32();
      const segmentId = r.u32();
      const startOffset = r.u32();
      const rowCount = r.u32();
      const ncols = r.u16();
      const attnums: number[] = [];
      for (let i = 0; i < ncols; i++) attnums.push(r.u16());
      const blocks: Buffer[] = [];
      for (let i = 0; i < ncols; i++) blocks.push(r.bytes(r.u32()));
      return { kind: 'insert', txId, tableId, segmentId, startOffset, rowCount, attnums, blocks };
    }
    case WalRecordType.Delete: {
      const tableId = r.u32();
      const n = r.u32();
      const segmentIds = new Uint32Array(n);
      const offsets = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        segmentIds[i] = r.u32();
        offsets[i] = r.u32();
      }
      return { kind: 'delete', txId, tableId, segmentIds, offsets };
    }
    case WalRecordType.Commit:
      return { kind: 'commit', txId, commitMicros: r.u64() };
    default:
      throw new Error(`unknown WAL record type ${type}`);
  }
}
