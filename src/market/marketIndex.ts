import { SchemaError } from '../errors.ts';
import { DEFAULT_VOLATILITY_WINDOW_BARS } from '../constants.ts';
import {
  BLOCK_SUMMARY_SLOTS, buildBlockSummaries, buildPrefixRecords, PREFIX_RECORD_BYTES, PREFIX_RECORD_SLOTS, summaryBlocks, type PrefixPart,
} from '../kernels/prefix.ts';
import { claimRegion, releaseRegion, type KernelRegion } from '../kernels/regions.ts';
import { kernels, type KernelExports, type KernelInstance } from '../kernels/runtime.ts';
import { INDEX_HEADER, INDEX_HEADER_SLOTS } from '../kernels/sparse.ts';
import type { Bars, ExecutionCosts } from '../types.ts';
import type { DenseMarket } from './denseMarket.ts';

/**
 * Per-symbol tables of the change-proportional metric path, computed once by WASM kernels and
 * living in kernel memory (one region from `claimRegion`; releaseMarketIndex gives it back), so a worker pool over
 * the same shared memory reads them without a copy. A MarketIndex is also a DenseMarket: the
 * dense reference path runs on it unchanged.
 *
 * Tables (n bars, prefix positions i = 0..n, record i sums bars j < i), laid out for the sparse
 * kernel's memory traffic (a change at bar t reads record t + 1 and little else):
 * - prefix records, 128 bytes (one aligned pair of cache lines) per position: double-double
 *   (hi, lo) sums of r, r^2, min(r - rf, 0)^2, min(-r - rf, 0)^2, log1p(r), log1p(-r); the return
 *   and the sqrt-law factor sigma / sqrt(close * volume) of bar i - 1; u32 counts of r - rf >< 0,
 *   -r - rf >< 0;
 * - per side (long: log1p(r), short: log1p(-r)) the log prefix (hi parts), and per 64 positions a
 *   64-byte summary of both sides (max, min, max-drop), for the drawdown;
 * - close, volume, bar returns and the rolling volatility sigma (dense path, exact sqrt pricing).
 *
 * Memory: about 177 bytes per bar (177 MB for 1e6 bars).
 */
export interface MarketIndex extends DenseMarket {
  /** Per-bar risk-free return the downside sums and sign counts were built for. */
  readonly riskFreePerBar: number;
  /** Byte offset of the u32 header the sparse kernel reads (assembly/sparse.ts HDR_*). */
  readonly headerPtr: number;
  /** The kernel memory region holding every table. */
  readonly region: KernelRegion;
  /** Prefix records, PREFIX_RECORD_SLOTS f64 per prefix position (n + 1 positions; see PREFIX_RECORD). */
  readonly records: Float64Array;
  /** log-equity prefixes (hi parts): sum_{j<i} log1p(r_j) and sum_{j<i} log1p(-r_j). */
  readonly logLong: Float64Array;
  readonly logShort: Float64Array;
  /** Per-64-position drawdown summaries, BLOCK_SUMMARY_SLOTS f64 each. */
  readonly blockSummaries: Float64Array;
}

/** Options of buildMarketIndex. */
export interface MarketIndexOptions {
  /**
   * Per-bar risk-free return (riskFreeForOptions of the MetricOptions the metrics will use);
   * default 0. The downside sums and sign counts are exact only for this rate.
   */
  riskFreePerBar?: number;
  /** Name of the bars' source, for error messages. */
  source?: string;
}

const ALIGN = 64;

/**
 * Builds the market index of one symbol (O(n), all passes in WASM). `costs` supplies the rolling
 * volatility window of the sqrt law (sigma is always computed). Throws SchemaError naming the
 * bar of the first NaN or non-positive close, like buildDenseMarket.
 */
export function buildMarketIndex(
  bars: Pick<Bars, 'close' | 'volume'>, costs: Pick<ExecutionCosts, 'volatilityWindowBars'> = { volatilityWindowBars: DEFAULT_VOLATILITY_WINDOW_BARS }, instance: KernelInstance = kernels(),
  options: MarketIndexOptions = {},
): MarketIndex {
  const { index, tables } = beginMarketIndex(bars, costs, instance, options);
  for (const step of MARKET_INDEX_STEPS_IN_ONE) runMarketIndexStep(instance.exports, tables, step);
  return index;
}

/** Kernel-memory offsets of a market index's tables and what its build steps need (a worker task carries it). */
export interface MarketIndexTables {
  bars: number;
  riskFreePerBar: number;
  volatilityWindowBars: number;
  close: number;
  volume: number;
  returns: number;
  sigma: number;
  records: number;
  logLong: number;
  logShort: number;
  blockSummaries: number;
}

/**
 * One step of a market index's build after beginMarketIndex: the rolling volatility of bars
 * [from, to), a part of the prefix records (see PREFIX_PART: 'factor' reads sigma and must follow
 * 'logs', which writes the same cache lines), or the block summaries (read the log prefixes 'logs'
 * writes). Steps write disjoint memory: two threads may run any two that do not depend on each other.
 */
export type MarketIndexStep =
  | { kind: 'volatility'; from: number; to: number }
  | { kind: 'prefix'; part: PrefixPart }
  | { kind: 'blocks' };

/** The whole build on one thread, in dependency order (buildMarketIndex). */
const MARKET_INDEX_STEPS_IN_ONE: readonly MarketIndexStep[] = [
  { kind: 'volatility', from: 0, to: Infinity }, { kind: 'prefix', part: 'all' }, { kind: 'blocks' },
];

/**
 * The build split for two threads, as rounds of two steps (one each; a round starts when the last
 * has ended), balanced by measured cost at 1M bars (volatility ~42 ms, logs ~25, sums ~13,
 * factor ~8, blocks ~9): ~55 ms against ~95 on one thread, page faults of the fresh tables shared.
 */
export function marketIndexRoundsForTwo(bars: number): MarketIndexStep[][][] {
  const half = Math.floor(bars / 2);
  return [
    [[{ kind: 'prefix', part: 'logs' }, { kind: 'volatility', from: 0, to: half }], [{ kind: 'prefix', part: 'sums' }, { kind: 'volatility', from: half, to: bars }]],
    [[{ kind: 'blocks' }], [{ kind: 'prefix', part: 'factor' }]],
  ];
}

/** Runs one build step on the tables (in any thread whose kernels share their memory). */
export function runMarketIndexStep(k: KernelExports, tables: MarketIndexTables, step: MarketIndexStep): void {
  const n = tables.bars;
  switch (step.kind) {
    case 'volatility':
      k.rollingVolatilityRange(tables.returns, n, tables.volatilityWindowBars, tables.sigma, step.from, Math.min(step.to, n));
      return;
    case 'prefix':
      buildPrefixRecords(k, tables, n, tables.riskFreePerBar, tables.records, tables.logLong, tables.logShort, step.part);
      return;
    case 'blocks':
      buildBlockSummaries(k, tables.logLong, tables.logShort, n + 1, tables.blockSummaries);
  }
}

/**
 * The first part of buildMarketIndex, on the calling thread: claims the region, copies close and
 * volume in, computes the bar returns (SchemaError naming the first bad close) and writes the
 * header. The index is usable once every step has run on `tables` (see runMarketIndexStep).
 */
export function beginMarketIndex(
  bars: Pick<Bars, 'close' | 'volume'>, costs: Pick<ExecutionCosts, 'volatilityWindowBars'>, instance: KernelInstance,
  options: MarketIndexOptions = {},
): { index: MarketIndex; tables: MarketIndexTables } {
  const n = bars.close.length;
  if (bars.volume.length !== n) throw new SchemaError(`${options.source ?? 'bars'}: ${n} closes but ${bars.volume.length} volumes`, { column: 'volume' });
  const rf = options.riskFreePerBar ?? 0;
  const positions = n + 1;
  const blocks = summaryBlocks(positions);
  let bytes = 0;
  const reserve = (size: number, align = ALIGN): number => {
    bytes = Math.ceil(bytes / align) * align;
    const at = bytes;
    bytes += Math.ceil(size / ALIGN) * ALIGN;
    return at;
  };
  const offClose = reserve(8 * n);
  const offVolume = reserve(8 * n);
  const offReturns = reserve(8 * n);
  const offSigma = reserve(8 * n);
  const offRecords = reserve(PREFIX_RECORD_BYTES * positions, PREFIX_RECORD_BYTES);
  const offLogLong = reserve(8 * positions);
  const offLogShort = reserve(8 * positions);
  const offBlocks = reserve(8 * BLOCK_SUMMARY_SLOTS * blocks);
  const offHeader = reserve(4 * INDEX_HEADER_SLOTS);
  const { memory, exports: k } = instance;
  const region = claimRegion(memory, bytes);
  const base = region.base; // page-aligned, so the record pairs are 128-byte aligned
  const at = (offset: number) => base + offset;
  const buffer = memory.buffer;
  const close = new Float64Array(buffer, at(offClose), n);
  const volume = new Float64Array(buffer, at(offVolume), n);
  const returns = new Float64Array(buffer, at(offReturns), n);
  const sigma = new Float64Array(buffer, at(offSigma), n);
  close.set(bars.close);
  volume.set(bars.volume);
  const bad = k.barReturns(close.byteOffset, n, returns.byteOffset);
  if (bad >= 0) {
    releaseRegion(memory, region);
    const source = options.source ?? 'bars';
    throw new SchemaError(`${source}: close at bar ${bad} is ${bars.close[bad]}, prices must be finite and > 0`, { file: source, column: 'close', row: bad });
  }
  const header = new Uint32Array(buffer, at(offHeader), INDEX_HEADER_SLOTS);
  header[INDEX_HEADER.bars] = n;
  header[INDEX_HEADER.records] = at(offRecords);
  header[INDEX_HEADER.close] = close.byteOffset;
  header[INDEX_HEADER.volume] = volume.byteOffset;
  header[INDEX_HEADER.sigma] = sigma.byteOffset;
  header[INDEX_HEADER.returns] = returns.byteOffset;
  header[INDEX_HEADER.blocks] = blocks;
  header[INDEX_HEADER.logLong] = at(offLogLong);
  header[INDEX_HEADER.logShort] = at(offLogShort);
  header[INDEX_HEADER.blockSummaries] = at(offBlocks);
  const index: MarketIndex = {
    instance,
    barCount: n,
    close,
    volume,
    returns,
    sigma,
    volatilityWindowBars: costs.volatilityWindowBars,
    riskFreePerBar: rf,
    headerPtr: at(offHeader),
    region,
    records: new Float64Array(buffer, at(offRecords), PREFIX_RECORD_SLOTS * positions),
    logLong: new Float64Array(buffer, at(offLogLong), positions),
    logShort: new Float64Array(buffer, at(offLogShort), positions),
    blockSummaries: new Float64Array(buffer, at(offBlocks), BLOCK_SUMMARY_SLOTS * blocks),
  };
  const tables: MarketIndexTables = {
    bars: n, riskFreePerBar: rf, volatilityWindowBars: costs.volatilityWindowBars,
    close: close.byteOffset, volume: volume.byteOffset, returns: returns.byteOffset, sigma: sigma.byteOffset,
    records: at(offRecords), logLong: at(offLogLong), logShort: at(offLogShort), blockSummaries: at(offBlocks),
  };
  return { index, tables };
}

/**
 * Gives the index's memory back for the next market this thread builds in the same memory (a
 * long-lived pool would otherwise grow by one index per analysis). Neither the index nor any view
 * of its tables may be used after, in any thread.
 */
export function releaseMarketIndex(index: MarketIndex): void {
  releaseRegion(index.instance.memory, index.region);
}
