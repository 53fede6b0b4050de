/**
 * storage/: the delete bitmap of one sealed segment as persisted
 * (`tables/<tableId>/deletes/<segmentId>.del`), with the WAL LSN up to which it holds every
 * committed delete. Replay re-applies WAL deletes after that LSN (setting a bit twice is harmless).
 *
 *   0 'TSDL' | 4 u16 version (1) | 6 u16 flags (0) | 8 u32 tableId | 12 u32 segmentId
 *   16 u32 rowCount | 20 u32 deletedCount | 24 u64 coveredLsn | 32 u32 bitmapBytes
 *   36 bitmap (bit i of byte i>>3 = row i deleted) | u32 crc32 of everything before it
 */
import { ByteReader, ByteWriter, corrupted, crc32 } from './bytes.ts';

export const DELETE_MAGIC = 'TSDL';
export const DELETE_VERSION = 1;

export interface DeleteFileContents {
  readonly tableId: number;
  readonly segmentId: number;
  readonly rowCount: number;
  readonly deletedCount: number;
  readonly coveredLsn: bigint;
  readonly bits: Uint8Array;
}

/** Object key of a segment's delete file. */
export function deleteFileKey(tableId: number, segmentId: number): string {
  return `tables/${tableId}/deletes/${segmentId}.del`;
}

export function encodeDeleteFile(d: DeleteFileContents): Buffer {
  const bitmapBytes = (d.rowCount + 7) >> 3;
  const w = new ByteWriter(40 + bitmapBytes);
  w.bytes(Buffer.from(DELETE_MAGIC, 'latin1')).u16(DELETE_VERSION).u16(0).u32(d.tableId).u32(d.segmentId)
    .u32(d.rowCount).u32(d.deletedCount).u64(d.coveredLsn).u32(bitmapBytes);
  const bits = d.bits.subarray(0, bitmapBytes);
  w.bytes(bits);
  if (bits.length < bitmapBytes) w.bytes(new Uint8Array(bitmapBytes - bits.length));
  w.u32(crc32(w.view()));
  return w.finish();
}

export function decodeDeleteFile(key: string, buf: Buffer): DeleteFileContents {
  const what = `delete file "${key}"`;
  if (buf.length < 40 || buf.toString('latin1', 0, 4) !== DELETE_MAGIC) throw corrupted(what, 'bad magic');
  if (crc32(buf.subarray(0, buf.length - 4)) !== buf.readUInt32LE(buf.length - 4)) throw corrupted(what, 'checksum mismatch');
  const r = new ByteReader(buf, what);
  r.offset = 4;
  const version = r.u16();
  if (version !== DELETE_VERSION) throw corrupted(what, `unsupported format version ${version}`);
  r.u16();
  const tableId = r.u32();
  const segmentId = r.u32();
  const rowCount = r.u32();
  const deletedCount = r.u32();
  const coveredLsn = r.u64();
  const bitmapBytes = r.u32();
  if (bitmapBytes !== (rowCount + 7) >> 3 || r.remaining !== bitmapBytes + 4) throw corrupted(what, 'bitmap size mismatch');
  const bits = new Uint8Array(r.bytes(bitmapBytes));
  return { tableId, segmentId, rowCount, deletedCount, coveredLsn, bits };
}
