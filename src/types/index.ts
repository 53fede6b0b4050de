/**
 * types/: the public surface of the type layer — OIDs, the PgType contract and catalog, the
 * value classes (Numeric, Interval, PgArray, Jsonb) and the text/binary format helpers.
 * types/ sits below session/, planner/ and executor/ and imports only errors/.
 */
export { Oid, ArrayOid, type ScalarTypeName } from './oids.ts';
export { defaultFormatContext, type FormatContext, type PgType, type TypeCategory, type CatalogNames } from './pg-type.ts';
export {
  Numeric, selectDivScale, encodeNumericTypmod, decodeNumericTypmod, pow10, type IntKind,
  NUMERIC_MAX_PRECISION, NUMERIC_MIN_SCALE, NUMERIC_MAX_SCALE,
} from './numeric.ts';
export { formatFloat8, formatFloat4, formatFloatG, parseFloat8, parseFloat4 } from './float-format.ts';
export {
  Interval, formatInterval, adjustIntervalForTypmod, encodeIntervalTypmod, formatIntervalTypmod,
  INTERVAL_MASK, INTERVAL_FULL_RANGE, INTERVAL_FULL_PRECISION,
} from './interval.ts';
export { parseInterval } from './interval-parse.ts';
export { PgArray, arrayTextIn, arrayTextOut, arrayBinaryIn, arrayBinaryOut, quoteArrayElement, MAXDIM } from './array.ts';
export { parseJsonb, validateJson, formatJsonb, escapeJsonString, compareJsonbKeys, compareJsonb, JsonbValue, type Jsonb } from './jsonb.ts';
export {
  POSTGRES_EPOCH_JDATE, UNIX_TO_PG_EPOCH_USECS, USECS_PER_SEC, USECS_PER_MINUTE, USECS_PER_HOUR, USECS_PER_DAY, DT_NOBEGIN, DT_NOEND,
  MIN_TIMESTAMP, END_TIMESTAMP, date2j, j2date, timestampToTm, tmToTimestamp, formatDate, formatTime, formatTimestamp,
  formatTimestamptz, type Tm,
} from './datetime.ts';
export { parseDate, parseTime, parseTimestamp } from './datetime-parse.ts';
export { resolveTimeZone, offsetForLocal, type TimeZone } from './timezone.ts';
export { parseBytea, formatBytea, parseUuid, formatRecord, type PgRecord, type RecordField } from './types-text.ts';
export { parseBoolText } from './types-numeric.ts';
export { checkMoney, moneyToNumeric, numericToMoney, moneyOutOfRange } from './money.ts';
export { TimeTz, compareTimeTz } from './timetz.ts';
export {
  typeByOid, typeByName, arrayTypeOf, resolveTypeName, parseTypeName, formatType, floatTypeForPrecision, computeTypmod, makeArrayType,
  scalarTypes, vectorTypes, allTypes, type ResolvedTypeName,
} from './registry.ts';
export { catalogTypes, OID_ALIAS_TYPES, int2vectorType, oidvectorType } from './reg-types.ts';
export {
  vectorType, parseVector, formatDenseVector, vectorRecv, vectorSend, vectorTypmodIn, checkExpectedDim, VECTOR_MAX_DIM, type VectorKind,
} from './vector.ts';
export { halfvecType, parseHalfvec, halfvecRecv, halfvecSend, toHalfChecked } from './halfvec.ts';
export {
  sparsevecType, parseSparsevec, formatSparsevec, sparsevecRecv, sparsevecSend, sparseFromDense, SPARSEVEC_MAX_DIM, SPARSEVEC_MAX_NNZ,
  type SparseVector,
} from './sparsevec.ts';
export {
  bitType, varbitType, parseBitString, formatBitString, applyBitTypmod, compareBitStrings, makeBitString, type BitString,
} from './bit.ts';
export { roundToHalf, float32ToHalfBits, halfBitsToNumber, HALF_MAX } from './vector-float.ts';
export {
  denseDistance, sparseDistance, denseL2Squared, denseInnerProduct, denseCosineSimilarity, denseL1, denseNorm, sparseL2Squared,
  sparseInnerProduct, sparseL1, sparseNorm, hammingDistance, jaccardDistance,
} from './vector-distance.ts';
export {
  denseAdd, denseSub, denseMul, denseConcat, denseNormalize, binaryQuantize, subvector, compareDense, compareSparse, sparseNormalize,
  vectorAccum, vectorCombine, vectorAvg, type DenseKind,
} from './vector-ops.ts';
export {
  VECTOR_CASTS, findVectorCast, arrayToVector, arrayToHalfvec, arrayToSparsevec, denseToFloat4Array, halfvecToVector, vectorToHalfvec,
  denseToSparsevec, sparsevecToVector, sparsevecToHalfvec, type VectorCast,
} from './vector-casts.ts';
export { BinaryReader, BinaryWriter } from './wire.ts';
export { literalArea, vectorsInArea } from './vector-text.mjs';
