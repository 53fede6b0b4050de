/** Types of sketch.mjs (the cold-start sketch format; see there). */
export declare const SKETCH_HEADER_BYTES: number;
export interface Sketch {
  readonly n: number;
  readonly dim: number;
  readonly normalised: boolean;
  readonly lo: Float32Array;
  readonly step: Float32Array;
  /** Per row: an upper bound of ‖row − its decoding‖. */
  readonly err: Float32Array;
  readonly maxErr: number;
  readonly codes: Uint8Array;
}
export declare function encodeSketch(vectors: Float32Array, n: number, dim: number, normalise: boolean): Uint8Array;
export declare function decodeSketch(bytes: Uint8Array): Sketch | null;
