// Parquet signal and regime traces: write with footer metadata, read straight into typed arrays,
// validate on read (sorted unique idx, idx < barCount, allowed signal values, finite numbers).
import { makeVector, Table, type Vector } from 'apache-arrow';
import { SchemaError } from '../errors.ts';
import type { RegimeTrace, SignalTrace } from '../types.ts';
import {
  columnToCodes, columnToFloat64, columnToInt32, columnTypeName, dictionaryVector, distinctBuffers, int64Vector, requireColumn,
} from './arrowColumns.ts';
import { readParquetTable, writeParquetTable, type ParquetWriteOptions } from './parquet.ts';
import {
  decodeTraceInfo, encodeTraceInfo, isSweeplensFooter, traceContentHash, type CachedMetrics, type TraceInfo, type TraceParameters,
} from './traceMetadata.ts';

/** How a signal column is stored: int8 positions in {-1,0,1}, or float32 weights (ensembles). */
export type SignalValueType = 'int8' | 'float32';

/** A signal trace with its optional per-change columns, as written and as read back. */
export interface SignalTraceColumns {
  /** Bar index of each change, strictly increasing, in [0, bars). */
  idx: Int32Array;
  /** New position from that bar on. */
  signal: Int8Array | Float32Array | Float64Array;
  /** Bar time of each change, epoch ms (stored as int64). */
  tsMs?: Float64Array;
  /** Confidence of each change, stored as float32. */
  confidence?: Float32Array;
  /** Price at the change, stored as float64. */
  px?: Float64Array;
}

/** Who a trace belongs to; becomes the footer metadata (with counts and the content hash). */
export interface TraceDescription {
  /** Strategy or classifier id. */
  id: string;
  /** Strategy or classifier type, e.g. 'sma_crossover'. */
  family: string;
  /** Symbol whose bars the trace indexes. */
  symbol?: string;
  /** Parameter values (JSON). Default {}. */
  parameters?: TraceParameters;
  /** Bars of the run (the market's bar count); every idx must be below it. */
  bars: number;
  /** Cached headline metrics and the conventions they were computed under. */
  metrics?: CachedMetrics;
}

/** Options of the trace writers. */
export interface TraceWriteOptions extends ParquetWriteOptions {
  /** Storage of the signal column; default int8 when every value is -1, 0 or 1, else float32. */
  valueType?: SignalValueType;
}

/** Options of the trace readers. */
export interface TraceReadOptions {
  /** Bars of the market the trace indexes; every idx must be below it. Default: unchecked. */
  barCount?: number;
  /** Recompute the content hash and compare it with the footer's. Default false. */
  verifyHash?: boolean;
}

/** A signal trace read from Parquet. `signal` holds the stored values widened to float64. */
export interface StoredSignalTrace extends SignalTrace {
  file: string;
  valueType: SignalValueType;
  /** Footer metadata; undefined for a Parquet file sweeplens did not write. */
  info: TraceInfo | undefined;
  tsMs?: Float64Array;
  confidence?: Float32Array;
  px?: Float64Array;
}

/** A regime trace read from Parquet. */
export interface StoredRegimeTrace extends RegimeTrace {
  file: string;
  info: TraceInfo | undefined;
}

/**
 * Checks a change list: idx non-negative, strictly increasing (no duplicates) and below
 * `barCount` when given. SchemaError names the file, column and the (0-based) row.
 */
export function validateChangeIndex(file: string, idx: Int32Array, barCount?: number, column = 'idx'): void {
  let previous = -1;
  for (let row = 0; row < idx.length; row++) {
    const value = idx[row]!;
    if (value < 0) throw new SchemaError(`${file}: column '${column}', row ${row}: negative bar index ${value}`, { file, column, row });
    if (value <= previous) {
      const what = value === previous ? 'duplicated' : 'unsorted';
      throw new SchemaError(`${file}: column '${column}', row ${row}: ${what} bar index ${value} after ${previous} (must be strictly increasing)`, { file, column, row });
    }
    if (barCount !== undefined && value >= barCount) {
      throw new SchemaError(`${file}: column '${column}', row ${row}: bar index ${value} is beyond the last bar ${barCount - 1} (${barCount} bars)`, { file, column, row });
    }
    previous = value;
  }
}

/** Checks signal values: finite, and in {-1, 0, 1} when stored as int8. */
export function validateSignalValues(file: string, signal: ArrayLike<number>, valueType: SignalValueType): void {
  for (let row = 0; row < signal.length; row++) {
    const value = signal[row]!;
    if (!Number.isFinite(value)) throw new SchemaError(`${file}: column 'signal', row ${row}: value ${value} is not finite`, { file, column: 'signal', row });
    if (valueType === 'int8' && value !== -1 && value !== 0 && value !== 1) {
      throw new SchemaError(`${file}: column 'signal', row ${row}: value ${value} is not one of -1, 0, 1`, { file, column: 'signal', row });
    }
  }
}

function checkFinite(file: string, column: string, values: ArrayLike<number>): void {
  for (let row = 0; row < values.length; row++) {
    if (!Number.isFinite(values[row]!)) throw new SchemaError(`${file}: column '${column}', row ${row}: value ${values[row]} is not finite`, { file, column, row });
  }
}

function checkLength(file: string, column: string, length: number, expected: number): void {
  if (length !== expected) throw new SchemaError(`${file}: column '${column}' has ${length} rows, idx has ${expected}`, { file, column });
}

function chooseValueType(signal: ArrayLike<number>, requested: SignalValueType | undefined): SignalValueType {
  if (requested) return requested;
  if (signal instanceof Int8Array) return 'int8';
  for (let i = 0; i < signal.length; i++) {
    const v = signal[i]!;
    if (v !== -1 && v !== 0 && v !== 1) return 'float32';
  }
  return 'int8';
}

function writerOptions(options: TraceWriteOptions, metadata: Record<string, string>): ParquetWriteOptions {
  const out: ParquetWriteOptions = { ...options, metadata: { ...options.metadata, ...metadata } };
  out.deltaColumns = [...(options.deltaColumns ?? []), 'idx'];
  return out;
}

/** Compression ratio bars / changes; null without changes. */
export function compressionRatio(bars: number, changes: number): number | null {
  return changes > 0 ? bars / changes : null;
}

/**
 * Writes a signal trace (columns idx int32, signal int8|float32, optional ts int64 ms,
 * confidence float32, px float64) with its metadata in the footer, atomically. The trace is
 * validated first, so an invalid trace never reaches the disk. Returns the footer record.
 */
export function writeSignalTrace(path: string, trace: SignalTraceColumns, description: TraceDescription, options: TraceWriteOptions = {}): TraceInfo {
  const n = trace.idx.length;
  validateChangeIndex(path, trace.idx, description.bars);
  checkLength(path, 'signal', trace.signal.length, n);
  const valueType = chooseValueType(trace.signal, options.valueType);
  validateSignalValues(path, trace.signal, valueType);
  const stored = valueType === 'int8'
    ? (trace.signal instanceof Int8Array ? trace.signal : Int8Array.from(trace.signal))
    : (trace.signal instanceof Float32Array ? trace.signal : Float32Array.from(trace.signal));
  const [idx, signal, confidence, px] = distinctBuffers<ArrayBufferView>([trace.idx, stored, trace.confidence ?? new Float32Array(0), trace.px ?? new Float64Array(0)]);
  const columns: Record<string, Vector> = { idx: makeVector(idx as Int32Array), signal: makeVector(signal as Int8Array | Float32Array) };
  if (trace.tsMs) {
    checkLength(path, 'ts', trace.tsMs.length, n);
    checkFinite(path, 'ts', trace.tsMs);
    columns.ts = int64Vector(trace.tsMs);
  }
  if (trace.confidence) {
    checkLength(path, 'confidence', trace.confidence.length, n);
    checkFinite(path, 'confidence', trace.confidence);
    columns.confidence = makeVector(confidence as Float32Array);
  }
  if (trace.px) {
    checkLength(path, 'px', trace.px.length, n);
    checkFinite(path, 'px', trace.px);
    columns.px = makeVector(px as Float64Array);
  }
  const info: TraceInfo = {
    id: description.id,
    kind: 'signal',
    family: description.family,
    symbol: description.symbol,
    parameters: description.parameters ?? {},
    changes: n,
    bars: description.bars,
    compressionRatio: compressionRatio(description.bars, n),
    contentHash: traceContentHash(trace.idx, stored),
    metrics: description.metrics,
    labels: undefined,
  };
  writeParquetTable(path, new Table(columns), writerOptions(options, encodeTraceInfo(info)));
  return info;
}

/** The footer record of a trace table; undefined without a sweeplens footer, SchemaError when it is damaged. */
export function footerInfo(path: string, table: Table): TraceInfo | undefined {
  const metadata = table.schema.metadata;
  return isSweeplensFooter(metadata) ? decodeTraceInfo(path, metadata) : undefined;
}

function checkHash(path: string, info: TraceInfo | undefined, actual: string): void {
  if (!info) throw new SchemaError(`${path}: cannot verify the content hash: the file has no sweeplens footer`, { file: path });
  if (info.contentHash !== actual) throw new SchemaError(`${path}: content hash mismatch (footer ${info.contentHash}, data ${actual})`, { file: path });
}

/**
 * Reads a signal trace into typed arrays and validates it: idx strictly increasing and below
 * `barCount` when given, signal values finite (and in {-1,0,1} for int8), optional columns finite.
 */
export function readSignalTrace(path: string, options: TraceReadOptions = {}): StoredSignalTrace {
  return signalTraceOfTable(path, readParquetTable(path), options);
}

/** readSignalTrace on a decoded table (`path` for the messages): its columns and footer, validated in that order. */
export function signalTraceOfTable(path: string, table: Table, options: TraceReadOptions = {}): StoredSignalTrace {
  const idx = columnToInt32(requireColumn(table, 'idx', path), path, 'idx');
  const signalVector = requireColumn(table, 'signal', path);
  const valueType = signalValueType(path, table);
  const raw = signalVector.toArray() as Int8Array | Float32Array | Float64Array;
  const signal = Float64Array.from(raw);
  validateChangeIndex(path, idx, options.barCount);
  validateSignalValues(path, signal, valueType);
  const info = footerInfo(path, table);
  if (options.verifyHash) checkHash(path, info, traceContentHash(idx, valueType === 'int8' ? Int8Array.from(raw) : Float32Array.from(raw)));
  return { file: path, idx, signal, valueType, info, ...optionalSignalColumns(path, table) };
}

/** How a trace table's signal column is stored; SchemaError unless it is Int8, Float32 or Float64. */
function signalValueType(path: string, table: Table): SignalValueType {
  const signalType = columnTypeName(table, 'signal');
  if (!/^(Int8|Float32|Float64)$/.test(signalType)) throw new SchemaError(`${path}: column 'signal' has type ${signalType}, expected Int8 or Float32`, { file: path, column: 'signal' });
  return signalType === 'Int8' ? 'int8' : 'float32';
}

/** The optional columns (ts, confidence, px) a trace table has, as arrays of their own, each checked finite. */
export function optionalSignalColumns(path: string, table: Table): Pick<StoredSignalTrace, 'tsMs' | 'confidence' | 'px'> {
  const out: Pick<StoredSignalTrace, 'tsMs' | 'confidence' | 'px'> = {};
  if (table.getChild('ts')) out.tsMs = columnToFloat64(table.getChild('ts')!, path, 'ts');
  if (table.getChild('confidence')) out.confidence = Float32Array.from(columnToFloat64(table.getChild('confidence')!, path, 'confidence'));
  if (table.getChild('px')) out.px = columnToFloat64(table.getChild('px')!, path, 'px');
  for (const [column, values] of [['ts', out.tsMs], ['confidence', out.confidence], ['px', out.px]] as const) {
    if (values) checkFinite(path, column, values);
  }
  return out;
}

/**
 * Writes a regime trace (idx int32, state dictionary-encoded utf8) with its metadata in the
 * footer, atomically; the label order is kept in the footer. Validated before writing.
 */
export function writeRegimeTrace(path: string, trace: RegimeTrace, description: TraceDescription, options: ParquetWriteOptions = {}): TraceInfo {
  validateChangeIndex(path, trace.idx, description.bars);
  checkLength(path, 'state', trace.state.length, trace.idx.length);
  for (let row = 0; row < trace.state.length; row++) {
    const code = trace.state[row]!;
    if (code < 0 || code >= trace.labels.length) {
      throw new SchemaError(`${path}: column 'state', row ${row}: code ${code} has no label (${trace.labels.length} labels)`, { file: path, column: 'state', row });
    }
  }
  const info: TraceInfo = {
    id: description.id,
    kind: 'regime',
    family: description.family,
    symbol: description.symbol,
    parameters: description.parameters ?? {},
    changes: trace.idx.length,
    bars: description.bars,
    compressionRatio: compressionRatio(description.bars, trace.idx.length),
    contentHash: traceContentHash(trace.idx, trace.state, trace.labels),
    metrics: description.metrics,
    labels: trace.labels,
  };
  const table = new Table({ idx: makeVector(trace.idx), state: dictionaryVector(trace.state, trace.labels) });
  writeParquetTable(path, table, writerOptions(options, encodeTraceInfo(info)));
  return info;
}

/** Reads a regime trace: idx (validated like a signal trace) and state codes with their labels. */
export function readRegimeTrace(path: string, options: TraceReadOptions = {}): StoredRegimeTrace {
  const table = readParquetTable(path);
  const idx = columnToInt32(requireColumn(table, 'idx', path), path, 'idx');
  validateChangeIndex(path, idx, options.barCount);
  const info = footerInfo(path, table);
  const { codes, labels } = columnToCodes(requireColumn(table, 'state', path), path, 'state', info?.labels ?? []);
  if (options.verifyHash) checkHash(path, info, traceContentHash(idx, codes, labels));
  return { file: path, idx, state: codes, labels, info };
}
