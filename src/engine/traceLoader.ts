import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parquetBytesToTable } from '../io/parquet.ts';
import { SchemaError } from '../errors.ts';
import type { SignalTrace } from '../types.ts';
import type { StrategyJob } from './messages.ts';

/** A trace as a worker loads it, with the hash of the file's bytes (cache key). */
export interface LoadedTrace {
  trace: SignalTrace;
  contentHash: string;
}

/** Reads a signal trace file (columns idx + signal, or ADMF-PC's idx + val) into typed arrays. */
export function loadStrategyTrace(job: StrategyJob): LoadedTrace {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(job.tracePath);
  } catch (cause) {
    throw new SchemaError(`${job.tracePath}: cannot read: ${(cause as Error).message}`, { file: job.tracePath });
  }
  const contentHash = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
  const table = parquetBytesToTable(job.tracePath, bytes);
  const idxColumn = table.getChild('idx');
  const valueColumn = table.getChild('signal') ?? table.getChild('val');
  if (!idxColumn || !valueColumn) throw new SchemaError(`${job.tracePath}: a signal trace needs columns idx and signal`, { file: job.tracePath });
  const n = table.numRows;
  const idx = new Int32Array(n);
  const signal = new Float64Array(n);
  const offset = job.idxOffset ?? 0;
  for (let i = 0; i < n; i++) {
    idx[i] = Number(idxColumn.get(i)) + offset;
    signal[i] = Number(valueColumn.get(i));
  }
  return { trace: { idx, signal }, contentHash };
}
