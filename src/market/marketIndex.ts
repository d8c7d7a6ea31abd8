import { SchemaError } from '../errors.ts';
import { DEFAULT_VOLATILITY_WINDOW_BARS } from '../constants.ts';
import { buildPrefixRecords, buildRangeTables, PREFIX_RECORD_SLOTS, rangeTableShape, type RangeTablePointers } from '../kernels/prefix.ts';
import { claimPages, kernels, type KernelInstance } from '../kernels/runtime.ts';
import { INDEX_HEADER, INDEX_HEADER_SLOTS } from '../kernels/sparse.ts';
import type { Bars, ExecutionCosts } from '../types.ts';
import type { DenseMarket } from './denseMarket.ts';

/**
 * Per-symbol tables of the change-proportional metric path, computed once by WASM kernels and
 * living in kernel memory (one region from `claimPages`, never released), so a worker pool over
 * the same shared memory reads them without a copy. A MarketIndex is also a DenseMarket: the
 * dense reference path runs on it unchanged.
 *
 * Tables (n bars, prefix positions i = 0..n, record i sums bars j < i):
 * - prefix records, 16 f64 per position: double-double (hi, lo) sums of r, r^2,
 *   min(r - rf, 0)^2, min(-r - rf, 0)^2, log1p(r), log1p(-r), and counts of r - rf >< 0, -r - rf >< 0;
 * - per side (long: log1p(r), short: log1p(-r)): the log prefix, in-block min/max stack masks,
 *   in-block max-drop from the block start / to the block end, and sparse tables of max, min and
 *   max-drop over 64-position blocks, so max / min / max-drop of any range cost O(1);
 * - close, volume, bar returns and the rolling volatility sigma (sqrt cost law).
 *
 * Memory: about 240 bytes per bar (240 MB for 1e6 bars).
 */
export interface MarketIndex extends DenseMarket {
  /** Per-bar risk-free return the downside sums and sign counts were built for. */
  readonly riskFreePerBar: number;
  /** Byte offset of the u32 header the sparse kernel reads (assembly/sparse.ts HDR_*). */
  readonly headerPtr: number;
  /** Byte offset and size of the whole region. */
  readonly regionPtr: number;
  readonly regionBytes: number;
  /** Prefix records, PREFIX_RECORD_SLOTS f64 per prefix position (n + 1 positions). */
  readonly records: Float64Array;
  /** log-equity prefixes (hi parts): sum_{j<i} log1p(r_j) and sum_{j<i} log1p(-r_j). */
  readonly logLong: Float64Array;
  readonly logShort: Float64Array;
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
  const { blocks, levels } = rangeTableShape(positions);
  let bytes = 0;
  const reserve = (size: number): number => {
    const at = bytes;
    bytes += Math.ceil(size / ALIGN) * ALIGN;
    return at;
  };
  const offClose = reserve(8 * n);
  const offVolume = reserve(8 * n);
  const offReturns = reserve(8 * n);
  const offSigma = reserve(8 * n);
  const offRecords = reserve(8 * PREFIX_RECORD_SLOTS * positions);
  const side = () => ({
    logPrefix: reserve(8 * positions), maskMin: reserve(8 * positions), maskMax: reserve(8 * positions),
    dropPrefix: reserve(8 * positions), dropSuffix: reserve(8 * positions),
    tableMax: reserve(8 * blocks * levels), tableMin: reserve(8 * blocks * levels), tableDrop: reserve(8 * blocks * levels),
  });
  const longRel = side();
  const shortRel = side();
  const offHeader = reserve(4 * INDEX_HEADER_SLOTS);
  const { memory, exports: k } = instance;
  const base = claimPages(memory, bytes);
  const at = (offset: number) => base + offset;
  const abs = (s: RangeTablePointers): RangeTablePointers => ({
    logPrefix: at(s.logPrefix), maskMin: at(s.maskMin), maskMax: at(s.maskMax), dropPrefix: at(s.dropPrefix),
    dropSuffix: at(s.dropSuffix), tableMax: at(s.tableMax), tableMin: at(s.tableMin), tableDrop: at(s.tableDrop),
  });
  const long = abs(longRel);
  const short = abs(shortRel);
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
  buildPrefixRecords(k, returns.byteOffset, n, rf, at(offRecords), long.logPrefix, short.logPrefix);
  buildRangeTables(k, positions, long);
  buildRangeTables(k, positions, short);
  const header = new Uint32Array(buffer, at(offHeader), INDEX_HEADER_SLOTS);
  header[INDEX_HEADER.bars] = n;
  header[INDEX_HEADER.records] = at(offRecords);
  header[INDEX_HEADER.close] = close.byteOffset;
  header[INDEX_HEADER.volume] = volume.byteOffset;
  header[INDEX_HEADER.sigma] = sigma.byteOffset;
  header[INDEX_HEADER.returns] = returns.byteOffset;
  header[INDEX_HEADER.blocks] = blocks;
  header[INDEX_HEADER.levels] = levels;
  const sideSlots = (slot: number, s: RangeTablePointers) => {
    header.set([s.logPrefix, s.maskMin, s.maskMax, s.dropPrefix, s.dropSuffix, s.tableMax, s.tableMin, s.tableDrop], slot);
  };
  sideSlots(INDEX_HEADER.long, long);
  sideSlots(INDEX_HEADER.short, short);
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
    regionPtr: base,
    regionBytes: bytes,
    records: new Float64Array(buffer, at(offRecords), PREFIX_RECORD_SLOTS * positions),
    logLong: new Float64Array(buffer, long.logPrefix, positions),
    logShort: new Float64Array(buffer, short.logPrefix, positions),
  };
}
