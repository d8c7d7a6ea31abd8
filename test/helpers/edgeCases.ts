// The one named edge-case fixture set every kernel and metric test runs, plus seeded generators.
import type { SignalTrace } from '../../src/types.ts';
import { Rng } from './rng.ts';

/**
 * One situation, seen by every layer: a per-bar return series (for the return-only kernels and
 * seriesMetrics), a price path with volumes (for bar returns and the dense strategy pass) and a
 * strategy's change list on those bars. The three describe the same situation but are independent
 * inputs: `returns` need not equal the bar returns of `close`.
 */
export interface EdgeCase {
  /** Fixture name, used as the test title. */
  readonly name: string;
  /** Per-bar simple returns R (fractions); NaN marks a missing bar. */
  readonly returns: Float64Array;
  /** Closing prices; may hold NaN or non-positive values on purpose (then `validPrices` is false). */
  readonly close: Float64Array;
  /** Traded volume per bar, same length as close. */
  readonly volume: Float64Array;
  /** Sparse change list on the bars of `close`. */
  readonly trace: SignalTrace;
  /** False when `close` holds a NaN, infinite or non-positive price (the dense pass must throw). */
  readonly validPrices: boolean;
}

const f64 = (values: readonly number[]) => Float64Array.from(values);

function trace(idx: readonly number[], signal: readonly number[]): SignalTrace {
  return { idx: Int32Array.from(idx), signal: Float64Array.from(signal) };
}

/** Prices 100 * prod(1 + R) (NaN as 0) so a return fixture also has a consistent price path. */
export function pricesFromReturns(returns: ArrayLike<number>, start = 100): Float64Array {
  const close = new Float64Array(returns.length);
  let price = start;
  for (let t = 0; t < returns.length; t++) {
    const r = returns[t]!;
    if (t > 0 && !Number.isNaN(r)) price *= 1 + r;
    close[t] = price;
  }
  return close;
}

function fixture(
  name: string, returns: readonly number[], close: readonly number[] | Float64Array, changes: SignalTrace,
  volume?: readonly number[],
): EdgeCase {
  const closeArray = close instanceof Float64Array ? close : f64(close);
  const validPrices = closeArray.every((p) => Number.isFinite(p) && p > 0);
  return {
    name,
    returns: f64(returns),
    close: closeArray,
    volume: volume ? f64(volume) : new Float64Array(closeArray.length).fill(1_000_000),
    trace: changes,
    validPrices,
  };
}

// empyrical's test series (empyrical/tests/test_stats.py, quantopian/empyrical@0a9fa58).
/** empyrical `mixed_returns`: [nan, 1, 10, -4, 2, 3, 2, 1, -10] %. */
export const EMPYRICAL_MIXED_RETURNS = [NaN, 0.01, 0.1, -0.04, 0.02, 0.03, 0.02, 0.01, -0.1] as const;
/** empyrical `positive_returns`: [1, 2, 1, 1, 1, 1, 1, 1, 1] %. */
export const EMPYRICAL_POSITIVE_RETURNS = [0.01, 0.02, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01] as const;
/** empyrical `negative_returns`: [0, -6, -7, -1, -9, -2, -6, -8, -5] %. */
export const EMPYRICAL_NEGATIVE_RETURNS = [0, -0.06, -0.07, -0.01, -0.09, -0.02, -0.06, -0.08, -0.05] as const;
/** empyrical `simple_benchmark` (later version): [0, 1, 0, 1, 0, 1, 0, 1, 0] %, no drawdown. */
export const EMPYRICAL_SIMPLE_BENCHMARK = [0, 0.01, 0, 0.01, 0, 0.01, 0, 0.01, 0] as const;
/** empyrical `weekly_returns` / `monthly_returns` values: [0, 1, 10, -4, 2, 3, 2, 1, -10] %. */
export const EMPYRICAL_WEEKLY_RETURNS = [0, 0.01, 0.1, -0.04, 0.02, 0.03, 0.02, 0.01, -0.1] as const;

const TEN_BARS = [100, 101, 99, 102, 104, 103, 105, 101, 100, 106];

/** The named fixtures. Every metric and kernel table runs all of them. */
export const edgeCases = {
  /** No bars at all. */
  emptyReturns: fixture('emptyReturns', [], [], trace([], [])),
  /** One bar (empyrical `one_return`): no return can be earned, one trade opened at bar 0. */
  oneBar: fixture('oneBar', [0.01], [100], trace([0], [1])),
  /** Two bars, long from bar 0: one return earned. */
  twoBars: fixture('twoBars', [0.01, -0.02], [100, 98], trace([0], [1])),
  /** All-flat prices: every return is 0, a long position earns nothing. */
  flatLine: fixture('flatLine', new Array(9).fill(0), new Array(9).fill(100), trace([0, 4], [1, 0])),
  /** Constant non-zero return (empyrical `flat_line_1`): zero variance, no drawdown. */
  constantReturn: fixture('constantReturn', new Array(9).fill(0.01), pricesFromReturns(new Array(9).fill(0.01)), trace([0], [1])),
  /** Every return and price missing. */
  allNaN: fixture('allNaN', new Array(7).fill(NaN), new Array(7).fill(NaN), trace([0], [1])),
  /** Missing bars at odd and even positions (NaN prices / returns). */
  withGaps: fixture(
    'withGaps',
    [0.01, NaN, 0.02, -0.01, NaN, NaN, 0.03, -0.02, NaN],
    [100, 101, NaN, 103, 102, NaN, 104, 106, 105],
    trace([1, 5], [1, -1]),
  ),
  /** A zero and a negative price. */
  nonPositivePrice: fixture('nonPositivePrice', [0.01, -1, 0.5, -0.2], [100, 0, -5, 10], trace([0], [1])),
  /** empyrical `mixed_returns` (leading NaN); a long-short trace over its price path. */
  mixedReturns: fixture('mixedReturns', EMPYRICAL_MIXED_RETURNS, pricesFromReturns(EMPYRICAL_MIXED_RETURNS), trace([1, 3, 6], [1, -1, 0])),
  /** empyrical `positive_returns`: no losing bar (Sortino and profit factor undefined). */
  positiveReturns: fixture('positiveReturns', EMPYRICAL_POSITIVE_RETURNS, pricesFromReturns(EMPYRICAL_POSITIVE_RETURNS), trace([0], [1])),
  /** empyrical `negative_returns`: every bar loses or is flat. */
  negativeReturns: fixture('negativeReturns', EMPYRICAL_NEGATIVE_RETURNS, pricesFromReturns(EMPYRICAL_NEGATIVE_RETURNS), trace([0], [1])),
  /** Short from the first bar to the end. */
  allShort: fixture('allShort', [0, 0.01, -0.02, 0.015, -0.01, 0.02, -0.03, 0.01, 0.005, 0.02], TEN_BARS, trace([0], [-1])),
  /** Never in the market: no trades. */
  noTrades: fixture('noTrades', [0, 0.01, -0.02, 0.03], [100, 101, 99, 102], trace([], [])),
  /** Long then short at one bar: one trade closes and the next opens at the same bar (|Δpos| = 2). */
  flipLongToShortInOneBar: fixture('flipLongToShortInOneBar', [0, 0.01, -0.02, 0.03, 0.02, -0.01], [100, 101, 99, 102, 104, 103], trace([1, 3], [1, -1])),
  /** A trade still open at the last bar (no exit cost). */
  openTradeAtEnd: fixture('openTradeAtEnd', [0, 0.02, -0.01, 0.03, -0.02, 0.01], TEN_BARS.slice(0, 6), trace([0, 2, 4], [1, 0, -1])),
  /** A change on the last bar: a flip at n-1 leaves a zero-length open trade. */
  changeAtLastBar: fixture('changeAtLastBar', [0, 0.01, 0.02, -0.01, 0.01], [100, 101, 103, 102, 103], trace([0, 4], [1, -1])),
  /** Fractional weights (ensembles): resizes within a sign, then a flip. */
  fractionalResize: fixture('fractionalResize', [0, 0.01, -0.01, 0.02, 0.01, -0.02, 0.01, 0.03], TEN_BARS.slice(0, 8), trace([0, 2, 3, 5, 6], [0.5, 1, 0.25, -0.5, 0])),
  /** Redundant rows: a change list row that repeats the current value is not a change. */
  repeatedSignal: fixture('repeatedSignal', [0, 0.01, -0.01, 0.02, 0.01], [100, 101, 100, 102, 103], trace([0, 2, 3], [1, 1, 0])),
  /** A trade on a bar with zero volume: the sqrt law cannot price it. */
  zeroVolumeTrade: fixture('zeroVolumeTrade', [0, 0.01, -0.01, 0.02], [100, 101, 100, 102], trace([0, 2], [1, 0]), [1e6, 1e6, 0, 1e6]),
  /** Large swings then a flat stretch longer than a volatility window (sigma must come back to 0). */
  volatileThenFlat: fixture(
    'volatileThenFlat',
    [0, 0.3, -0.25, 0.4, -0.35, 0.2, ...new Array(30).fill(0)],
    pricesFromReturns([0, 0.3, -0.25, 0.4, -0.35, 0.2, ...new Array(30).fill(0)]),
    trace([2, 10, 30], [1, -1, 0]),
  ),
} as const satisfies Record<string, EdgeCase>;

/** Name of a fixture. */
export type EdgeCaseName = keyof typeof edgeCases;

/** All fixtures, in declaration order (for table-driven tests). */
export const allEdgeCases: readonly EdgeCase[] = Object.values(edgeCases);

/** Fixtures whose prices are all valid (the dense strategy pass accepts them). */
export const pricedEdgeCases: readonly EdgeCase[] = allEdgeCases.filter((c) => c.validPrices);

/** Options of the random generators. */
export interface RandomPathOptions {
  /** Per-bar drift of log price; default 0.0002. */
  drift?: number;
  /** Per-bar volatility of log price; default 0.01. */
  volatility?: number;
  /** First price; default 100. */
  start?: number;
}

/** A geometric random walk of n closes. */
export function randomPricePath(rng: Rng, n: number, options: RandomPathOptions = {}): Float64Array {
  const { drift = 0.0002, volatility = 0.01, start = 100 } = options;
  const close = new Float64Array(n);
  let logPrice = Math.log(start);
  for (let t = 0; t < n; t++) {
    if (t > 0) logPrice += rng.normal(drift, volatility);
    close[t] = Math.exp(logPrice);
  }
  return close;
}

/** n volumes, log-uniform in [1e4, 1e7). */
export function randomVolumes(rng: Rng, n: number): Float64Array {
  const volume = new Float64Array(n);
  for (let t = 0; t < n; t++) volume[t] = Math.exp(rng.between(Math.log(1e4), Math.log(1e7)));
  return volume;
}

/** n normal returns with a share of NaN bars. */
export function randomReturns(rng: Rng, n: number, nanShare = 0, std = 0.01, mean = 0.0003): Float64Array {
  const returns = new Float64Array(n);
  for (let t = 0; t < n; t++) returns[t] = rng.chance(nanShare) ? NaN : rng.normal(mean, std);
  return returns;
}

/**
 * A sparse change list over n bars: each bar carries a row with probability `density`, whose value
 * is drawn from `values` (default {-1, 0, 1}; a row may repeat the current value, as real traces do).
 */
export function randomChangeList(rng: Rng, n: number, density = 0.05, values: readonly number[] = [-1, 0, 1]): SignalTrace {
  const idx: number[] = [];
  const signal: number[] = [];
  for (let t = 0; t < n; t++) {
    if (rng.chance(density)) {
      idx.push(t);
      signal.push(rng.pick(values));
    }
  }
  return trace(idx, signal);
}

/** A dense position series: a random change list forward-filled (plain TS, for kernel inputs). */
export function randomPositions(rng: Rng, n: number, density = 0.05, values: readonly number[] = [-1, 0, 1]): Float64Array {
  const changes = randomChangeList(rng, n, density, values);
  const positions = new Float64Array(n);
  let row = 0;
  let current = 0;
  for (let t = 0; t < n; t++) {
    while (row < changes.idx.length && changes.idx[row]! <= t) current = changes.signal[row++]!;
    positions[t] = current;
  }
  return positions;
}
