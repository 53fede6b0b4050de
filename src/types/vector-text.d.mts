/** Types of vector-text.mjs (vector_in's fast path over bytes; see there). */
export declare const VECTOR_MAX_DIM: number;
/** Parses b[start..end) into out[at..]; the element count, or -1 for the exact parser. */
export declare function plainVectorInto(b: Uint8Array, start: number, end: number, out: Float32Array, at: number): number;
/** A buffer of `size` bytes to write literals into for the next vectorsInArea() / vectorInArea() call. */
export declare function literalArea(size: number): Buffer;
/** The literal at area bytes [start, end) into out[at..]; its element count, or -1 for the exact parser. */
export declare function vectorInArea(start: number, end: number, out: Float32Array, at: number): number;
/** The literals at area bytes [bounds[2k], bounds[2k + 1]): their elements back to back, and each one's count or -1. */
export declare function vectorsInArea(bounds: ArrayLike<number>): { out: Float32Array; dims: Int32Array };
/** Whether the WebAssembly tier is in use. */
export declare const VECTOR_TEXT_WASM: boolean;
