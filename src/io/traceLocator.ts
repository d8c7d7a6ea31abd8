// Where a trace is and how to read it: a structured-clone-safe record a worker can act on alone.
import { readAdmfRegimes, readAdmfSignal } from './admfTraces.ts';
import { readFullSignalColumns, readSignalColumns, type SignalColumns } from './signalColumns.ts';
import type { SignalColumnsOptions } from './leanSignalColumns.ts';
import { readRegimeTrace, readSignalTrace, type StoredRegimeTrace, type StoredSignalTrace } from './traces.ts';

/** A trace file and the reading rules of its format (native sweeplens or ADMF-PC). */
export interface TraceLocator {
  /** Absolute or run-relative path of the Parquet file. */
  file: string;
  format: 'sweeplens' | 'admf-pc';
  /** For ADMF-PC: the idx base of the traces (bar = idx - idxBase). */
  idxBase: 0 | 1;
  /** Bars of the trace's symbol; idx must be below it. */
  barCount: number;
  /** Symbol whose bars the trace indexes. */
  symbol: string;
}

/** Options of readSignalAt. */
export interface SignalReadOptions {
  /**
   * Read only what the analysis needs (idx, signal, value type) by the lean reader: a native trace
   * is validated as in full, but its footer record and optional columns are not returned.
   */
  columnsOnly: true;
  /** Native traces: where the columns go (see readSignalColumns); default new arrays. */
  allocate?: (rows: number) => { idx: Int32Array; signal: Float64Array };
}

/** Reads and validates the signal trace a locator points at. */
export function readSignalAt(locator: TraceLocator): StoredSignalTrace;
/** Reads and validates the idx and signal columns of the signal trace a locator points at. */
export function readSignalAt(locator: TraceLocator, options: SignalReadOptions): SignalColumns;
export function readSignalAt(locator: TraceLocator, options?: SignalReadOptions): SignalColumns {
  if (locator.format === 'admf-pc') return readAdmfSignal(locator.file, locator.idxBase, locator.barCount);
  return options?.columnsOnly
    ? readSignalColumns(locator.file, { barCount: locator.barCount, ...(options.allocate ? { allocate: options.allocate } : {}) })
    : readSignalTrace(locator.file, { barCount: locator.barCount });
}

/** readSignalAt with `columnsOnly` (columns into `allocate`'s arrays when given): the main thread's TraceColumnsReader. */
export function readSignalColumnsAt(locator: TraceLocator, allocate?: SignalColumnsOptions['allocate']): SignalColumns {
  return readSignalAt(locator, { columnsOnly: true, ...(allocate ? { allocate } : {}) });
}

/**
 * The columns of a trace by the full readers only (readSignalTrace, or the ADMF-PC reader): for a
 * trace the lean reader (leanSignalColumns.ts) declined, which this reads and describes.
 */
export function readSignalColumnsFully(locator: TraceLocator): SignalColumns {
  if (locator.format !== 'admf-pc') return readFullSignalColumns(locator.file, locator.barCount);
  const { file, idx, signal, valueType } = readAdmfSignal(locator.file, locator.idxBase, locator.barCount);
  return { file, idx, signal, valueType };
}

/** Reads and validates the regime trace a locator points at. */
export function readRegimesAt(locator: TraceLocator): StoredRegimeTrace {
  return locator.format === 'admf-pc'
    ? readAdmfRegimes(locator.file, locator.idxBase, locator.barCount)
    : readRegimeTrace(locator.file, { barCount: locator.barCount });
}
