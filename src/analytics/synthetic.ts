// Synthetic market data for tests, demos and benchmarks: seeded geometric random-walk bars with
// sticky volatility/drift regimes and shared per-market tables.
// Pure math: typed arrays in and out, no I/O.
import type { Bars } from '../types.ts';

/** Uniform [0,1) source. mulberry32 (Tommy Ettinger, public domain): 32-bit state, full period. */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal variates from a uniform source (Box-Muller, both variates used). */
export function seededNormal(uniform: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return z;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/** Hidden market regimes of the generator, ground truth for classifiers. */
export const MARKET_REGIME_LABELS = ['calm', 'normal', 'volatile'] as const;
/** Per-bar volatility of each regime (fraction per 1-minute bar). */
export const MARKET_REGIME_SIGMA = [0.0004, 0.0008, 0.0018] as const;

/** Options of syntheticBars. */
export interface SyntheticBarsOptions {
  /** Number of bars, >= 2. */
  bars: number;
  seed: number;
  /** First bar time, epoch ms; default 2024-01-02T14:30:00Z. */
  startMs?: number;
  /** Bar spacing, ms; default 60,000 (1-minute bars). */
  spacingMs?: number;
  /** First close; default 100. */
  startPrice?: number;
  /** Mean bars between regime switches; default 5,000. */
  meanRegimeBars?: number;
}

/** Bars plus the hidden regime path that generated them. */
export interface SyntheticMarket {
  bars: Bars;
  /** Hidden regime of each bar, an index into MARKET_REGIME_LABELS. */
  regime: Uint8Array;
}

/**
 * Geometric random walk with sticky regimes: log close_t = log close_{t-1} + mu_t + sigma_t z_t,
 * with (sigma_t, mu_t) switching between regimes as a Markov chain (switch probability
 * 1/meanRegimeBars per bar; drift flips sign with the regime). Open is the previous close with a
 * small gap; high/low extend beyond open/close by half-normal wicks; volume rises with sigma.
 */
export function syntheticBars(options: SyntheticBarsOptions): SyntheticMarket {
  const n = options.bars;
  const uniform = seededUniform(options.seed);
  const normal = seededNormal(uniform);
  const spacing = options.spacingMs ?? 60_000;
  const start = options.startMs ?? Date.UTC(2024, 0, 2, 14, 30);
  const switchProbability = 1 / (options.meanRegimeBars ?? 5_000);
  const bars: Bars = {
    tsMs: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n),
    low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n),
  };
  const regime = new Uint8Array(n);
  let state = 1;
  let drift = 0;
  let previousClose = options.startPrice ?? 100;
  for (let t = 0; t < n; t++) {
    if (uniform() < switchProbability) {
      state = Math.floor(uniform() * MARKET_REGIME_LABELS.length);
      drift = (uniform() - 0.5) * 0.0001;
    }
    const sigma = MARKET_REGIME_SIGMA[state as 0 | 1 | 2];
    regime[t] = state;
    const open = previousClose * Math.exp(0.1 * sigma * normal());
    const close = open * Math.exp(drift + sigma * normal());
    const top = Math.max(open, close);
    const bottom = Math.min(open, close);
    bars.tsMs[t] = start + t * spacing;
    bars.open[t] = open;
    bars.close[t] = close;
    bars.high[t] = top * Math.exp(0.5 * sigma * Math.abs(normal()));
    bars.low[t] = bottom * Math.exp(-0.5 * sigma * Math.abs(normal()));
    bars.volume[t] = Math.round(50_000 * (sigma / MARKET_REGIME_SIGMA[1]) * Math.exp(0.4 * normal()));
    previousClose = close;
  }
  return { bars, regime };
}

/** Per-market tables shared by every strategy and classifier of a run (computed once, O(T)). */
export interface MarketTables {
  bars: Bars;
  /** r_t = close_t / close_{t-1} - 1, r_0 = 0. */
  returns: Float64Array;
  /** prefixClose[t] = sum of close[0..t-1] (length T+1). */
  prefixClose: Float64Array;
  /** prefixCloseSquared[t] = sum of close² over [0, t) (length T+1). */
  prefixCloseSquared: Float64Array;
  /** prefixReturns / prefixReturnsSquared: sums of r and r² over [0, t) (length T+1). */
  prefixReturns: Float64Array;
  prefixReturnsSquared: Float64Array;
}

/** Builds the shared tables (prefix sums are re-centred on the first close to keep precision). */
export function marketTables(bars: Bars): MarketTables {
  const n = bars.close.length;
  const returns = new Float64Array(n);
  const prefixClose = new Float64Array(n + 1);
  const prefixCloseSquared = new Float64Array(n + 1);
  const prefixReturns = new Float64Array(n + 1);
  const prefixReturnsSquared = new Float64Array(n + 1);
  for (let t = 0; t < n; t++) {
    const c = bars.close[t]!;
    const r = t > 0 ? c / bars.close[t - 1]! - 1 : 0;
    returns[t] = r;
    prefixClose[t + 1] = prefixClose[t]! + c;
    prefixCloseSquared[t + 1] = prefixCloseSquared[t]! + c * c;
    prefixReturns[t + 1] = prefixReturns[t]! + r;
    prefixReturnsSquared[t + 1] = prefixReturnsSquared[t]! + r * r;
  }
  return { bars, returns, prefixClose, prefixCloseSquared, prefixReturns, prefixReturnsSquared };
}

/** A sparse change list in reusable scratch buffers: the first `length` entries are valid. */
export interface ChangeBuffer {
  idx: Int32Array;
  value: Int8Array;
  length: number;
}

/** Scratch change buffer able to hold a change at every bar. */
export function changeBuffer(bars: number): ChangeBuffer {
  return { idx: new Int32Array(bars), value: new Int8Array(bars), length: 0 };
}


