// The lean signal-trace reader of the analysis workers: idx, signal and the value type, read through
// parquet-wasm's memory (arrowFfi.ts, no Arrow library), copied and checked by tight per-type loops.
// It answers only for a valid plain trace; anything else is left to the full reader
// (signalColumns.ts), which describes it with readSignalTrace's message.
import type { PrimitiveChunk, PrimitiveTable } from './arrowFfi.ts';
import { readParquetPrimitive } from './parquetPrimitive.ts';
import { decodeTraceInfo, isSweeplensFooter } from './traceMetadata.ts';
import type { SignalValueType } from './traces.ts';
import type { SignalTrace } from '../types.ts';

/** What the analysis needs of a signal trace: its changes and how the signal is stored. */
export interface SignalColumns extends SignalTrace {
  file: string;
  valueType: SignalValueType;
}

/** Options of the signal column readers. */
export interface SignalColumnsOptions {
  /** Bars of the market the trace indexes; every idx must be below it. Default: unchecked. */
  barCount?: number;
  /**
   * Where the columns of a `rows`-row trace go (e.g. views into a buffer the caller reuses); default
   * new arrays. Used for the common case; a trace that needs describing gets new arrays.
   */
  allocate?: (rows: number) => { idx: Int32Array; signal: Float64Array };
}

/**
 * True when idx passes validateChangeIndex, by one comparison a row: increasing strictly from
 * above -1 makes every value non-negative, and the last one bounds them all from above.
 */
function isChangeIndex(idx: Int32Array, barCount: number): boolean {
  let previous = -1;
  for (let i = 0; i < idx.length; i++) {
    const value = idx[i]!;
    if (value <= previous) return false;
    previous = value;
  }
  return previous < barCount;
}

/** True when every value is finite (x - x is 0 for a finite x, NaN for NaN and ±Infinity). */
function allFinite(values: Float32Array | Float64Array): boolean {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sum += v - v;
  }
  return sum === 0;
}

/** True when every value is -1, 0 or 1 (an int8 signal widened to float64). */
function allPositionValues(values: Float64Array): boolean {
  let low = 0;
  let high = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return low >= -1 && high <= 1;
}

/**
 * The idx and signal of a valid plain sweeplens signal trace (int32 idx, int8 / float32 / float64
 * signal, no nulls; optional ts / confidence / px columns numeric, without nulls, finite; other
 * columns ignored, as readSignalTrace ignores them), validated as readSignalTrace validates it
 * (change index below `barCount`, int8 values in {-1,0,1}, finite weights and optional columns, an
 * undamaged footer: a damaged one throws its SchemaError); undefined for any other file, which the
 * full reader then reads and describes. A file that cannot be read or decoded throws
 * readSignalTrace's SchemaError.
 */
export function readLeanSignalColumns(path: string, options: SignalColumnsOptions = {}): SignalColumns | undefined {
  const read = readParquetPrimitive(path, (table): SignalColumns | undefined => {
    const columns = plainColumns(table, options.barCount ?? Infinity, options.allocate);
    if (!columns) return undefined;
    // (the footer is parsed only for its errors, as readSignalTrace would raise them)
    if (isSweeplensFooter(table.metadata)) decodeTraceInfo(path, table.metadata);
    return { file: path, ...columns };
  });
  return read?.value;
}

/** Names of the optional columns of a trace, which readSignalTrace checks when present. */
const OPTIONAL_COLUMNS = new Set(['ts', 'confidence', 'px']);

/** True when every optional column (ts, confidence, px) present has no null and, stored as floats, only finite values. */
function optionalColumnsValid(table: PrimitiveTable): boolean {
  for (let c = 0; c < table.names.length; c++) {
    if (!OPTIONAL_COLUMNS.has(table.names[c]!)) continue;
    const float = table.formats[c] === 'f' || table.formats[c] === 'g';
    for (const batch of table.batches) {
      const chunk = batch[c]!;
      if (chunk.nullCount !== 0 || (float && !allFinite(chunk.values as Float32Array | Float64Array))) return false;
    }
  }
  return true;
}

/** The columns of a plain trace table copied out and checked, or undefined (see readLeanSignalColumns). */
function plainColumns(
  table: PrimitiveTable, barCount: number, allocate: SignalColumnsOptions['allocate'],
): { idx: Int32Array; signal: Float64Array; valueType: SignalValueType } | undefined {
  if (!optionalColumnsValid(table)) return undefined;
  const idxAt = table.names.indexOf('idx');
  const signalAt = table.names.indexOf('signal');
  if (idxAt < 0 || signalAt < 0 || table.formats[idxAt] !== 'i') return undefined;
  const signalFormat = table.formats[signalAt]!;
  if (signalFormat !== 'c' && signalFormat !== 'f' && signalFormat !== 'g') return undefined;
  let rows = 0;
  for (const batch of table.batches) {
    if (batch[idxAt]!.nullCount !== 0 || batch[signalAt]!.nullCount !== 0) return undefined;
    rows += batch[idxAt]!.length;
  }
  const { idx, signal } = allocate ? allocate(rows) : { idx: new Int32Array(rows), signal: new Float64Array(rows) };
  let at = 0;
  for (const batch of table.batches) {
    const idxChunk: PrimitiveChunk = batch[idxAt]!;
    idx.set(idxChunk.values as Int32Array, at);
    signal.set(batch[signalAt]!.values as Int8Array | Float32Array | Float64Array, at);
    at += idxChunk.length;
  }
  if (!isChangeIndex(idx, barCount)) return undefined;
  if (signalFormat === 'c' ? !allPositionValues(signal) : !allFinite(signal)) return undefined;
  return { idx, signal, valueType: signalFormat === 'c' ? 'int8' : 'float32' };
}
