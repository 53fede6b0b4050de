/**
 * The runtime value of one SQL datum: the representations are fixed in types/pg-type.ts;
 * NULL is `null`. A Row is one tuple of values in output-column order.
 */
export type Value = unknown;
export type Row = Value[];
