/**
 * catalog/: the TableFiles states of seed 001 (Milvus's file_type). The numbers are stored in
 * the catalog and shown by tessera.table_files, so they never change.
 */

/** file_type codes of TableFiles rows. */
export const FileState = { NEW: 0, RAW: 1, TO_INDEX: 2, INDEX: 3, TO_DELETE: 4, NEW_MERGE: 5, NEW_INDEX: 6, BACKUP: 7 } as const;

/** One of the FileState codes. */
export type FileStateCode = (typeof FileState)[keyof typeof FileState];

/** The states a search reads and a row count sums: RAW, TO_INDEX, INDEX. */
export const SEARCHABLE_STATES = [FileState.RAW, FileState.TO_INDEX, FileState.INDEX];

/** States of files whose object may be half-written: a crash leaves them orphaned (Milvus's "shadow files"). */
export const SHADOW_STATES: readonly FileStateCode[] = [FileState.NEW, FileState.NEW_MERGE, FileState.NEW_INDEX];

const NAMES: readonly string[] = Object.keys(FileState);

/** The name of a state code ('RAW' for 1), or the number as text for an unknown code. */
export function fileStateName(code: number): string {
  return NAMES[code] ?? String(code);
}

/** Engine type of a table or file without an index (Milvus's FLAT); dropIndex restores it. */
export const ENGINE_FLAT = 1;
