// The interface every opened run offers, native or ADMF-PC read in place.
import type { Table } from 'apache-arrow';
import type { Bars } from '../types.ts';
import type { MarketSeries } from './bars.ts';
import type { RunMetadata } from './layout.ts';
import type { ParquetWriteOptions } from './parquet.ts';
import type { RunScan } from './scan.ts';
import type { StoredRegimeTrace, StoredSignalTrace } from './traces.ts';
import type { TraceLocator } from './traceLocator.ts';

/** An opened run: metadata, ids, market bars, lazy trace readers and atomic output writers. */
export interface RunHandle {
  /** The run directory. */
  readonly dir: string;
  readonly format: 'sweeplens' | 'admf-pc';
  readonly metadata: RunMetadata;
  /** Problems found while opening that did not stop it (e.g. an ADMF-PC idx base contradiction). */
  readonly warnings: string[];
  strategyIds(): string[];
  classifierIds(): string[];
  /** Symbols with market data. */
  symbols(): string[];
  /** Bars of `symbol` (default: the only symbol), read once and cached. */
  readBars(symbol?: string): Promise<Bars>;
  /** Only the bar timestamps (epoch ms) of `symbol`, validated; cheaper than readBars when the prices are not needed. */
  readBarTimes(symbol?: string): Promise<Float64Array>;
  /**
   * Timestamps, close and volume of `symbol`, validated, read once and cached: what the market index
   * and the metrics need, cheaper than readBars (open, high and low are not decoded).
   */
  readMarketSeries(symbol?: string): Promise<MarketSeries>;
  /** Reads and validates one strategy's signal trace (idx checked against its symbol's bar count). */
  readSignal(id: string): Promise<StoredSignalTrace>;
  /** Reads and validates one classifier's regime trace. */
  readRegimes(id: string): Promise<StoredRegimeTrace>;
  /** Where a strategy's trace is and how to read it (for workers that read traces themselves). */
  signalLocator(id: string): TraceLocator;
  /** Where a classifier's trace is and how to read it. */
  regimeLocator(id: string): TraceLocator;
  /** Metadata scan (footers only). */
  scan(): RunScan;
  /** Writes JSON under the run (e.g. 'summary/performance_summary.json') atomically; returns the full path. */
  writeJson(relativePath: string, value: unknown): string;
  /** Writes an Arrow table as Parquet under the run atomically; returns the full path. */
  writeTable(relativePath: string, table: Table, options?: ParquetWriteOptions): string;
}
