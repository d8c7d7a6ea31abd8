// The lean signal-trace reader of the analysis workers: idx, signal and the value type, read through
// parquet-wasm's memory (no IPC stream), copied and checked by tight per-type loops, and validated
// like readSignalTrace with its messages (the reference functions describe whatever the loops reject).
import type { SignalTrace } from '../types.ts';
import { columnToInt32, requireColumn } from './arrowColumns.ts';
import { readParquetViews } from './parquet.ts';
import {
  footerInfo, optionalSignalColumns, signalValueType, validateChangeIndex, validateSignalValues, type SignalValueType,
} from './traces.ts';

/** What the analysis needs of a signal trace: its changes and how the signal is stored. */
export interface SignalColumns extends SignalTrace {
  file: string;
  valueType: SignalValueType;
}

/** Options of readSignalColumns. */
export interface SignalColumnsOptions {
  /** Bars of the market the trace indexes; every idx must be below it. Default: unchecked. */
  barCount?: number;
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

/** True when every int8 signal value is -1, 0 or 1. */
function allPositions(values: Int8Array): boolean {
  let low = 0;
  let high = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return low >= -1 && high <= 1;
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
 */
export function readSignalColumns(path: string, options: SignalColumnsOptions = {}): SignalColumns {
  return readParquetViews(path, (table): SignalColumns => {
    const idx = columnToInt32(requireColumn(table, 'idx', path), path, 'idx');
    const signalVector = requireColumn(table, 'signal', path);
    const valueType = signalValueType(path, table);
    const raw = signalVector.toArray() as Int8Array | Float32Array | Float64Array;
    const signal = new Float64Array(raw);
    const valid = raw instanceof Int8Array ? allPositions(raw) : allFinite(signal);
    if (!isChangeIndex(idx, options.barCount ?? Infinity)) validateChangeIndex(path, idx, options.barCount);
    if (!valid) validateSignalValues(path, signal, valueType);
    // Checked only for their errors, as readSignalTrace would raise them; the values are not kept.
    footerInfo(path, table);
    optionalSignalColumns(path, table);
    return { file: path, idx, signal, valueType };
  });
}
