// The lean signal-trace reader of the analysis workers: idx, signal and the value type, read through
// parquet-wasm's memory (no IPC stream), copied and checked by tight per-type loops, and validated
// like readSignalTrace with its messages (the reference functions describe whatever the loops reject).
import { Type, type Data, type Table } from 'apache-arrow';
import type { SignalTrace } from '../types.ts';
import { readParquetViews } from './parquet.ts';
import { footerInfo, optionalSignalColumns, signalTraceOfTable, type SignalValueType } from './traces.ts';

/** What the analysis needs of a signal trace: its changes and how the signal is stored. */
export interface SignalColumns extends SignalTrace {
  file: string;
  valueType: SignalValueType;
}

/** Options of readSignalColumns. */
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
function allFinite(values: Float64Array): boolean {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sum += v - v;
  }
  return sum === 0;
}

/**
 * Reads the idx and signal columns of a sweeplens signal trace (signal widened to float64) and
 * validates the file as readSignalTrace does, with the same SchemaErrors in the same order: missing
 * column, wrong type, null or out-of-range idx, idx negative, not strictly increasing or not below
 * `barCount`, signal not finite or (int8) not in {-1,0,1}, a damaged footer, non-finite optional
 * columns. Unlike readSignalTrace it returns neither the footer record nor the optional columns.
 * The common case is copied and checked by tight typed loops; a trace they reject is handed to
 * readSignalTrace's own table reader, which describes it.
 */
export function readSignalColumns(path: string, options: SignalColumnsOptions = {}): SignalColumns {
  return readParquetViews(path, (table): SignalColumns => {
    const barCount = options.barCount ?? Infinity;
    const fast = fastColumns(table, barCount, options.allocate);
    if (fast) {
      // (the footer is parsed only for its errors, as readSignalTrace would raise them)
      footerInfo(path, table);
      if (fast.optional) optionalSignalColumns(path, table);
      return { file: path, idx: fast.idx, signal: fast.signal, valueType: fast.valueType };
    }
    // anything else is read, validated and described exactly as readSignalTrace does it
    const { idx, signal, valueType } = signalTraceOfTable(path, table, options);
    return { file: path, idx, signal, valueType };
  });
}

/** Names of the optional columns of a trace, checked by optionalSignalColumns when present. */
const OPTIONAL_COLUMNS = new Set(['ts', 'confidence', 'px']);

/**
 * The common case read straight from the record batches' column data (no Vector objects, whose
 * construction V8 deoptimizes over and over across tables of different column types): int32 idx
 * without nulls, a valid change index, int8 / float32 / float64 signal with every value valid.
 * undefined for anything else, which the Vector-based path then reads and describes.
 */
function fastColumns(
  table: Table, barCount: number, allocate: SignalColumnsOptions['allocate'],
): { idx: Int32Array; signal: Float64Array; valueType: SignalValueType; optional: boolean } | undefined {
  const fields = table.schema.fields;
  let idxAt = -1;
  let signalAt = -1;
  let optional = false;
  for (let i = 0; i < fields.length; i++) {
    const name = fields[i]!.name;
    if (name === 'idx') idxAt = i;
    else if (name === 'signal') signalAt = i;
    else if (OPTIONAL_COLUMNS.has(name)) optional = true;
  }
  if (idxAt < 0 || signalAt < 0) return undefined;
  const idxType = fields[idxAt]!.type;
  const signalType = fields[signalAt]!.type;
  if (idxType.typeId !== Type.Int || idxType.bitWidth !== 32 || !idxType.isSigned) return undefined;
  const signalKind = signalType.typeId === Type.Int && signalType.bitWidth === 8 && signalType.isSigned ? 'int8'
    : signalType.typeId === Type.Float && (signalType.precision === 1 || signalType.precision === 2) ? 'float' : undefined;
  if (!signalKind) return undefined;
  const idxChunks: Data[] = [];
  const signalChunks: Data[] = [];
  let rows = 0;
  for (const batch of table.batches) {
    const idxData = batch.data.children[idxAt]!;
    const signalData = batch.data.children[signalAt]!;
    if (idxData.nullCount !== 0 || signalData.nullCount !== 0 || idxData.offset !== 0 || signalData.offset !== 0 || idxData.length !== signalData.length) return undefined;
    idxChunks.push(idxData);
    signalChunks.push(signalData);
    rows += idxData.length;
  }
  const { idx, signal } = allocate ? allocate(rows) : { idx: new Int32Array(rows), signal: new Float64Array(rows) };
  let at = 0;
  for (let c = 0; c < idxChunks.length; c++) {
    const length = idxChunks[c]!.length;
    idx.set((idxChunks[c]!.values as Int32Array).subarray(0, length), at);
    signal.set((signalChunks[c]!.values as Int8Array | Float32Array | Float64Array).subarray(0, length), at);
    at += length;
  }
  if (!isChangeIndex(idx, barCount)) return undefined;
  if (signalKind === 'int8' ? !allPositionValues(signal) : !allFinite(signal)) return undefined;
  return { idx, signal, valueType: signalKind === 'int8' ? 'int8' : 'float32', optional };
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
