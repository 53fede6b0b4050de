/**
 * ann/: the index file format. hnswlib's own serialisation has no magic, version or
 * checksum, so every graph goes into the ObjectStore wrapped in an envelope:
 *
 *   0  'TSHN' | u16 version=1 | u16 flags=0
 *   8  u32 tableId | u32 segmentId | u32 indexId | u32 rowCount | u32 dim
 *  28  u8 metric (1 l2, 2 ip, 3 cosine) | u8 0 | u16 m | u16 efConstruction | u16 0
 *  36  u32 payloadLength | u32 payloadCrc | u32 headerCrc (crc32 of bytes 0..44)
 *  48  payload: hnswlib's saveIndex bytes
 *
 * A flipped byte anywhere is XX001, never a silently wrong graph.
 */
import zlib from 'node:zlib';
import { DbError, SqlState } from '../errors/index.ts';

export const INDEX_MAGIC = 'TSHN';
export const INDEX_VERSION = 1;
const HEADER_BYTES = 48;

/** Distances hnswlib can build a graph for (its spaces). */
export type GraphMetric = 'l2' | 'ip' | 'cosine';
const METRIC_CODE: Record<GraphMetric, number> = { l2: 1, ip: 2, cosine: 3 };
const METRIC_BY_CODE: Record<number, GraphMetric> = { 1: 'l2', 2: 'ip', 3: 'cosine' };

export interface IndexFileHeader {
  readonly tableId: number;
  readonly segmentId: number;
  readonly indexId: number;
  readonly rowCount: number;
  readonly dim: number;
  readonly metric: GraphMetric;
  readonly m: number;
  readonly efConstruction: number;
}

function crc32(b: Uint8Array): number {
  return zlib.crc32(b) >>> 0;
}

function corrupt(location: string, detail: string): DbError {
  return new DbError(SqlState.DataCorrupted, `invalid index file "${location}"`, { detail });
}

/** Wraps hnswlib's bytes in the envelope. */
export function encodeIndexFile(h: IndexFileHeader, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(HEADER_BYTES + payload.length);
  out.write(INDEX_MAGIC, 0, 'latin1');
  out.writeUInt16LE(INDEX_VERSION, 4);
  out.writeUInt16LE(0, 6);
  out.writeUInt32LE(h.tableId, 8);
  out.writeUInt32LE(h.segmentId, 12);
  out.writeUInt32LE(h.indexId, 16);
  out.writeUInt32LE(h.rowCount, 20);
  out.writeUInt32LE(h.dim, 24);
  out.writeUInt8(METRIC_CODE[h.metric], 28);
  out.writeUInt16LE(h.m, 30);
  out.writeUInt16LE(h.efConstruction, 32);
  out.writeUInt32LE(payload.length, 36);
  out.writeUInt32LE(crc32(payload), 40);
  out.writeUInt32LE(crc32(out.subarray(0, 44)), 44);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** Verifies and unwraps an index file; XX001 on any mismatch. */
export function decodeIndexFile(bytes: Uint8Array, location: string): { header: IndexFileHeader; payload: Uint8Array } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < HEADER_BYTES) throw corrupt(location, `${b.length} bytes is shorter than the header`);
  if (b.toString('latin1', 0, 4) !== INDEX_MAGIC) throw corrupt(location, 'bad magic');
  if (crc32(b.subarray(0, 44)) !== b.readUInt32LE(44)) throw corrupt(location, 'header checksum mismatch');
  const version = b.readUInt16LE(4);
  if (version !== INDEX_VERSION) throw corrupt(location, `unsupported version ${version}`);
  const length = b.readUInt32LE(36);
  if (HEADER_BYTES + length !== b.length) throw corrupt(location, `payload length ${length} does not match the file size ${b.length}`);
  const payload = b.subarray(HEADER_BYTES);
  if (crc32(payload) !== b.readUInt32LE(40)) throw corrupt(location, 'payload checksum mismatch');
  const metric = METRIC_BY_CODE[b.readUInt8(28)];
  if (metric === undefined) throw corrupt(location, `unknown metric ${b.readUInt8(28)}`);
  return {
    header: {
      tableId: b.readUInt32LE(8), segmentId: b.readUInt32LE(12), indexId: b.readUInt32LE(16), rowCount: b.readUInt32LE(20),
      dim: b.readUInt32LE(24), metric, m: b.readUInt16LE(30), efConstruction: b.readUInt16LE(32),
    },
    payload,
  };
}

/** Object key of a segment's graph for an index. */
export function indexFileKey(tableId: number, indexId: number, segmentId: number, buildSeq: number): string {
  return `tables/${tableId}/indexes/${indexId}/${segmentId}-${buildSeq}.hnsw`;
}
