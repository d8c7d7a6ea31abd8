// Synthetic market and strategies for `sweeplens demo`: pure functions of a seed, no I/O.
import { PERIODS_PER_YEAR_DAILY } from '../constants.ts';
import type { SignalTrace } from '../types.ts';
import { seededUniform } from '../analytics/synthetic.ts';

/** mulberry32, the seeded uniform generator of the synthetic sweeps (analytics/synthetic.ts). */
export { seededUniform };

/** Standard normal variates from a uniform source (Box-Muller, one variate per call). */
function normalSource(uniform: () => number): () => number {
  return () => {
    let u = 0;
    while (u === 0) u = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

/** One volatility regime of the synthetic path. */
export interface VolatilityRegime {
  label: string;
  /** Annualized drift of log prices, fraction. */
  annualDrift: number;
  /** Annualized volatility of log returns, fraction. */
  annualVolatility: number;
}

/** The default regimes: calm bull, normal, turbulent bear. */
export const DEMO_REGIMES: readonly VolatilityRegime[] = [
  { label: 'calm', annualDrift: 0.12, annualVolatility: 0.10 },
  { label: 'normal', annualDrift: 0.06, annualVolatility: 0.18 },
  { label: 'turbulent', annualDrift: -0.15, annualVolatility: 0.40 },
];

/** Options of demoMarket. */
export interface DemoMarketOptions {
  /** Seed of the generator; default 42. */
  seed?: number;
  /** Bars to generate; default 252 * 4 (four years of daily bars). */
  bars?: number;
  /** First close; default 100. */
  startPrice?: number;
  /** Probability per bar of leaving the current regime; default 0.02 (mean stay 50 bars). */
  switchProbabilityPerBar?: number;
  /** Regimes to switch between; default DEMO_REGIMES. */
  regimes?: readonly VolatilityRegime[];
}

/** A synthetic daily market: closes, volumes and the regime of each bar. */
export interface DemoMarket {
  close: Float64Array;
  volume: Float64Array;
  /** Index into `regimes` per bar. */
  regime: Int32Array;
  regimes: readonly VolatilityRegime[];
  periodsPerYear: number;
}

/**
 * Seeded geometric random walk with Markov-switching volatility regimes (daily bars, P = 252):
 *
 *   log(close[t] / close[t-1]) = (mu_k - sigma_k^2 / 2) / P + sigma_k / sqrt(P) * z_t,  z_t ~ N(0, 1)
 *
 * where k is the regime of bar t; each bar leaves its regime with probability
 * `switchProbabilityPerBar` for a uniformly chosen other one. Volume is log-normal around 1e6,
 * higher in volatile regimes.
 */
export function demoMarket(options: DemoMarketOptions = {}): DemoMarket {
  const n = options.bars ?? PERIODS_PER_YEAR_DAILY * 4;
  const regimes = options.regimes ?? DEMO_REGIMES;
  const switchProbability = options.switchProbabilityPerBar ?? 0.02;
  const uniform = seededUniform(options.seed ?? 42);
  const normal = normalSource(uniform);
  const P = PERIODS_PER_YEAR_DAILY;
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  const regime = new Int32Array(n);
  let state = 0;
  let price = options.startPrice ?? 100;
  for (let t = 0; t < n; t++) {
    if (t > 0 && regimes.length > 1 && uniform() < switchProbability) {
      state = (state + 1 + Math.floor(uniform() * (regimes.length - 1))) % regimes.length;
    }
    const { annualDrift, annualVolatility } = regimes[state]!;
    if (t > 0) price *= Math.exp((annualDrift - annualVolatility ** 2 / 2) / P + (annualVolatility / Math.sqrt(P)) * normal());
    close[t] = price;
    volume[t] = 1e6 * (annualVolatility / 0.18) * Math.exp(0.3 * normal());
    regime[t] = state;
  }
  return { close, volume, regime, regimes, periodsPerYear: P };
}

/** Simple moving average; NaN until `windowBars` closes are available. */
export function simpleMovingAverage(close: Float64Array, windowBars: number): Float64Array {
  const out = new Float64Array(close.length).fill(NaN);
  let sum = 0;
  for (let t = 0; t < close.length; t++) {
    sum += close[t]!;
    if (t >= windowBars) sum -= close[t - windowBars]!;
    if (t >= windowBars - 1) out[t] = sum / windowBars;
  }
  return out;
}

/** A named strategy of the demo: its parameters and change list. */
export interface DemoStrategy {
  id: string;
  kind: 'ma_crossover' | 'buy_and_hold';
  parameters: Record<string, number | boolean>;
  trace: SignalTrace;
}

/**
 * Moving-average crossover: position +1 while SMA(fast) > SMA(slow), -1 (or 0 when `longOnly`)
 * while below, 0 until the slow average exists. The position is decided on the close of bar t
 * and earns from bar t+1 (the timing rule). Returned as a change list.
 */
export function movingAverageCrossover(close: Float64Array, fastBars: number, slowBars: number, longOnly: boolean): SignalTrace {
  const fast = simpleMovingAverage(close, fastBars);
  const slow = simpleMovingAverage(close, slowBars);
  const idx: number[] = [];
  const signal: number[] = [];
  let previous = 0;
  for (let t = 0; t < close.length; t++) {
    const f = fast[t]!;
    const s = slow[t]!;
    let position = 0;
    if (!Number.isNaN(f) && !Number.isNaN(s)) position = f > s ? 1 : longOnly ? 0 : f < s ? -1 : previous;
    if (position !== previous) {
      idx.push(t);
      signal.push(position);
      previous = position;
    }
  }
  return { idx: Int32Array.from(idx), signal: Float64Array.from(signal) };
}

/** The (fast, slow) pairs the demo sweeps. */
export const DEMO_MA_PAIRS: readonly (readonly [number, number])[] = [[5, 20], [10, 50], [20, 100], [50, 200]];

/** The demo's strategies: buy and hold, and each MA pair long/short and long-only. */
export function demoStrategies(close: Float64Array, pairs: readonly (readonly [number, number])[] = DEMO_MA_PAIRS): DemoStrategy[] {
  const strategies: DemoStrategy[] = [{
    id: 'buy_and_hold', kind: 'buy_and_hold', parameters: {}, trace: { idx: Int32Array.of(0), signal: Float64Array.of(1) },
  }];
  for (const [fastBars, slowBars] of pairs) {
    for (const longOnly of [false, true]) {
      strategies.push({
        id: `ma_${fastBars}_${slowBars}${longOnly ? '_long' : ''}`,
        kind: 'ma_crossover',
        parameters: { fastBars, slowBars, longOnly },
        trace: movingAverageCrossover(close, fastBars, slowBars, longOnly),
      });
    }
  }
  return strategies;
}
