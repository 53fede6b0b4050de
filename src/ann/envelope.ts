/**
 * ann/: the index file format. hnswlib's own serialisation has no magic, version or
 * checksum, so every graph goes into the ObjectStore wrapped in an envelope (version 2):
 *
 *   0  'TSHN' | u16 version=2 | u16 flags=0
 *   8  u32 tableId | u32 segmentId | u32 indexId | u32 rowCount | u32 dim
 *  28  u8 metric (1 l2, 2 ip, 3 cosine) | u8 0 | u16 m | u16 efConstruction | u16 0
 *  36  u32 payloadLength | u32 payloadCrc
 *  44  u32 sketchLength | u32 sketchCrc (0, 0: no sketch)
 *  52  u32 0 | u32 0
 *  60  u32 headerCrc (crc32 of bytes 0..60)
 *  64  payload: hnswlib's saveIndex bytes
 *  64 + payloadLength  sketch: the cold-start sketch of the segment's vectors (sketch.mjs)
 *
 * Version 1 files (a 48-byte header ending with the header CRC at 44, no sketch) still read.
 * The header says where each section is, so a reader fetches only the one it needs (the
 * graph, or the sketch of a cold segment). A flipped byte anywhere is XX001, never a silently
 * wrong graph.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { crc32, nextTurn } from '../storage/index.ts';

export const INDEX_MAGIC = 'TSHN';
export const INDEX_VERSION = 2;
const V1_HEADER_BYTES = 48;
const HEADER_BYTES = 64;
/** Bytes to read to parse the header of either version. */
export const INDEX_HEAD_BYTES = HEADER_BYTES;

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

/** Where an index file's sections are, with their CRCs. */
export interface IndexFileLayout {
  readonly header: IndexFileHeader;
  readonly payloadOffset: number;
  readonly payloadLength: number;
  readonly payloadCrc: number;
  readonly sketchOffset: number;
  /** 0: the file has no sketch. */
  readonly sketchLength: number;
  readonly sketchCrc: number;
}

function corrupt(location: string, detail: string): DbError {
  return new DbError(SqlState.DataCorrupted, `invalid index file "${location}"`, { detail });
}

/** Wraps hnswlib's bytes (and the segment's sketch, when there is one) in the envelope. */
export function encodeIndexFile(h: IndexFileHeader, payload: Uint8Array, sketch: Uint8Array | null = null): Buffer {
  const sketchLength = sketch?.length ?? 0;
  const out = Buffer.alloc(HEADER_BYTES + payload.length + sketchLength);
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
  out.writeUInt32LE(sketchLength, 44);
  out.writeUInt32LE(sketch === null ? 0 : crc32(sketch), 48);
  out.writeUInt32LE(crc32(out.subarray(0, 60)), 60);
  out.set(payload, HEADER_BYTES);
  if (sketch !== null) out.set(sketch, HEADER_BYTES + payload.length);
  return out;
}

/** Parses and verifies the header from a file's first bytes (INDEX_HEAD_BYTES, or the whole file if shorter). */
export function readIndexLayout(bytes: Uint8Array, location: string): IndexFileLayout {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < V1_HEADER_BYTES) throw corrupt(location, `${b.length} bytes is shorter than the header`);
  if (b.toString('latin1', 0, 4) !== INDEX_MAGIC) throw corrupt(location, 'bad magic');
  const version = b.readUInt16LE(4);
  if (version !== 1 && version !== 2) throw corrupt(location, `unsupported version ${version}`);
  const headerBytes = version === 1 ? V1_HEADER_BYTES : HEADER_BYTES;
  if (b.length < headerBytes) throw corrupt(location, `${b.length} bytes is shorter than the header`);
  if (crc32(b.subarray(0, headerBytes - 4)) !== b.readUInt32LE(headerBytes - 4)) throw corrupt(location, 'header checksum mismatch');
  const metric = METRIC_BY_CODE[b.readUInt8(28)];
  if (metric === undefined) throw corrupt(location, `unknown metric ${b.readUInt8(28)}`);
  const payloadLength = b.readUInt32LE(36);
  return {
    header: {
      tableId: b.readUInt32LE(8), segmentId: b.readUInt32LE(12), indexId: b.readUInt32LE(16), rowCount: b.readUInt32LE(20),
      dim: b.readUInt32LE(24), metric, m: b.readUInt16LE(30), efConstruction: b.readUInt16LE(32),
    },
    payloadOffset: headerBytes,
    payloadLength,
    payloadCrc: b.readUInt32LE(40),
    sketchOffset: headerBytes + payloadLength,
    sketchLength: version === 1 ? 0 : b.readUInt32LE(44),
    sketchCrc: version === 1 ? 0 : b.readUInt32LE(48),
  };
}

/** Checks one section's bytes (read by itself) against the header's CRC; XX001 on mismatch. */
export function checkSection(bytes: Uint8Array, length: number, crc: number, location: string, what: 'payload' | 'sketch'): void {
  if (bytes.length !== length) throw corrupt(location, `${what} of ${bytes.length} bytes, the header says ${length}`);
  if (crc32(bytes) !== crc) throw corrupt(location, `${what} checksum mismatch`);
}

/** Bytes checksummed between turns of the event loop by checkSectionInSteps. */
const CRC_SLICE_BYTES = 16 << 20;

/**
 * checkSection for a large section (a 1M-row graph's payload is ~660 MB, ~0.1–0.5 s of CRC):
 * the CRC runs in 16 MiB slices and the event loop turns between them.
 */
export async function checkSectionInSteps(bytes: Uint8Array, length: number, crc: number, location: string, what: 'payload' | 'sketch'): Promise<void> {
  if (bytes.length !== length) throw corrupt(location, `${what} of ${bytes.length} bytes, the header says ${length}`);
  let c = 0;
  for (let at = 0; at < bytes.length; at += CRC_SLICE_BYTES) {
    if (at > 0) await nextTurn();
    c = crc32(bytes.subarray(at, at + CRC_SLICE_BYTES), c);
  }
  if (c !== crc) throw corrupt(location, `${what} checksum mismatch`);
}

/** Verifies and unwraps a whole index file; XX001 on any mismatch. */
export function decodeIndexFile(bytes: Uint8Array, location: string): { header: IndexFileHeader; payload: Uint8Array; sketch: Uint8Array | null } {
  const l = readIndexLayout(bytes, location);
  if (l.sketchOffset + l.sketchLength !== bytes.length) {
    throw corrupt(location, `sections of ${l.payloadLength} + ${l.sketchLength} bytes do not match the file size ${bytes.length}`);
  }
  const payload = bytes.subarray(l.payloadOffset, l.payloadOffset + l.payloadLength);
  checkSection(payload, l.payloadLength, l.payloadCrc, location, 'payload');
  const sketch = l.sketchLength === 0 ? null : bytes.subarray(l.sketchOffset, l.sketchOffset + l.sketchLength);
  if (sketch !== null) checkSection(sketch, l.sketchLength, l.sketchCrc, location, 'sketch');
  return { header: l.header, payload, sketch };
}

/** Object key of a segment's graph for an index. */
export function indexFileKey(tableId: number, indexId: number, segmentId: number, buildSeq: number): string {
  return `tables/${tableId}/indexes/${indexId}/${segmentId}-${buildSeq}.hnsw`;
}
