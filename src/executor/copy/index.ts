/** executor/copy/: COPY's text, csv and binary formats, in (parsers) and out (formatters). */
export { copyParser, FieldBytes, type CopyParser, type CopyField } from './copy-in.ts';
export { copyFormatter, type CopyFormatter } from './copy-out.ts';
export { resolveCopyOptions, type CopyOptions } from './copy-options.ts';
export { parseBacklog, parseVectorsOffThread, parseWorkerCount, type ParsedVectors } from './vector-parse-pool.ts';
export { ParseBatch } from './parse-batch.ts';
