/** Types of vector-text.mjs (vector_in's fast path over bytes; see there). */
export declare const VECTOR_MAX_DIM: number;
/** Parses b[start..end) into out[at..]; the element count, or -1 for the exact parser. */
export declare function plainVectorInto(b: Uint8Array, start: number, end: number, out: Float32Array, at: number): number;
