// The signal columns the analysis needs (idx, signal, value type) of any trace: the lean reader
// (leanSignalColumns.ts) for a valid plain trace, readSignalTrace for every other file, which it
// describes with its message.
import { readLeanSignalColumns, type SignalColumns, type SignalColumnsOptions } from './leanSignalColumns.ts';
import { readSignalTrace } from './traces.ts';

export type { SignalColumns, SignalColumnsOptions } from './leanSignalColumns.ts';

/**
 * Reads the idx and signal columns of a sweeplens signal trace (signal widened to float64) and
 * validates the file as readSignalTrace does, with the same SchemaErrors in the same order: missing
 * column, wrong type, null or out-of-range idx, idx negative, not strictly increasing or not below
 * `barCount`, signal not finite or (int8) not in {-1,0,1}, a damaged footer, non-finite optional
 * columns. Unlike readSignalTrace it returns neither the footer record nor the optional columns.
 * A plain trace is read by the lean reader; any other file (decoded a second time) by readSignalTrace.
 */
export function readSignalColumns(path: string, options: SignalColumnsOptions = {}): SignalColumns {
  return readLeanSignalColumns(path, options) ?? readFullSignalColumns(path, options.barCount);
}

/** The columns readSignalTrace reads and validates (whatever the file's layout; new arrays). */
export function readFullSignalColumns(path: string, barCount?: number): SignalColumns {
  const { idx, signal, valueType } = readSignalTrace(path, barCount === undefined ? {} : { barCount });
  return { file: path, idx, signal, valueType };
}
