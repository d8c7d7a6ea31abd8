import { SchemaError } from '../errors.ts';
import { DEFAULT_VOLATILITY_WINDOW_BARS } from '../constants.ts';
import { BLOCK_SUMMARY_SLOTS, buildBlockSummaries, buildPrefixRecords, PREFIX_RECORD_BYTES, PREFIX_RECORD_SLOTS, summaryBlocks } from '../kernels/prefix.ts';
import { claimRegion, releaseRegion, type KernelRegion } from '../kernels/regions.ts';
import { kernels, type KernelInstance } from '../kernels/runtime.ts';
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
    const source = options.source ?? 'bars';
    throw new SchemaError(`${source}: close at bar ${bad} is ${bars.close[bad]}, prices must be finite and > 0`, { file: source, column: 'close', row: bad });
  }
  k.rollingVolatility(returns.byteOffset, n, costs.volatilityWindowBars, sigma.byteOffset);
  buildPrefixRecords(k, { returns: returns.byteOffset, close: close.byteOffset, volume: volume.byteOffset, sigma: sigma.byteOffset }, n, rf,
    at(offRecords), at(offLogLong), at(offLogShort));
  buildBlockSummaries(k, at(offLogLong), at(offLogShort), positions, at(offBlocks));
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
  return {
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
}

/**
 * Gives the index's memory back for the next market this thread builds in the same memory (a
 * long-lived pool would otherwise grow by one index per analysis). Neither the index nor any view
 * of its tables may be used after, in any thread.
 */
export function releaseMarketIndex(index: MarketIndex): void {
  releaseRegion(index.instance.memory, index.region);
}
