// Classifier families of synthetic sweeps: sticky regime labels computed on the bars.
import { InputError } from '../errors.ts';
import type { MarketTables } from './synthetic.ts';

/** One classifier of a sweep. */
export interface ClassifierSpec {
  id: string;
  family: string;
  parameters: Record<string, number>;
  /** State labels, in code order. */
  labels: string[];
}

/** A sparse regime change list: state codes index the spec's labels. */
export interface RegimeChanges {
  idx: Int32Array;
  state: Int32Array;
}

const VOLATILITY_LABELS = ['low_vol', 'normal_vol', 'high_vol'];
const TREND_LABELS = ['trending_down', 'ranging', 'trending_up'];

/**
 * Keeps a state until a different raw state has held for `dwellBars` consecutive bars (the
 * hysteresis that makes regimes sticky), emitting one row per accepted change.
 */
class StickyStates {
  private idx: number[] = [];
  private state: number[] = [];
  private current = -1;
  private candidate = -1;
  private run = 0;
  constructor(private readonly dwellBars: number) {}
  push(t: number, raw: number): void {
    if (raw === this.current) {
      this.candidate = -1;
      this.run = 0;
      return;
    }
    if (raw !== this.candidate) {
      this.candidate = raw;
      this.run = 0;
    }
    if (++this.run >= this.dwellBars || this.current < 0) {
      this.current = raw;
      this.idx.push(t);
      this.state.push(raw);
      this.candidate = -1;
      this.run = 0;
    }
  }
  result(): RegimeChanges {
    return { idx: Int32Array.from(this.idx), state: Int32Array.from(this.state) };
  }
}

/**
 * Volatility regime: rolling std of bar returns over `window` (prefix sums), relative to the
 * whole-run std: below `lowRatio` -> low_vol, above `highRatio` -> high_vol, else normal_vol;
 * sticky with a dwell of window/4 bars.
 */
function volatilityRegimes(parameters: Record<string, number>, tables: MarketTables): RegimeChanges {
  const { window, lowRatio, highRatio } = parameters as { window: number; lowRatio: number; highRatio: number };
  const { prefixReturns: s, prefixReturnsSquared: q } = tables;
  const n = tables.returns.length;
  const overallMean = s[n]! / n;
  const overallStd = Math.sqrt(Math.max(q[n]! / n - overallMean * overallMean, 0));
  const sticky = new StickyStates(Math.max(1, Math.floor(window / 4)));
  for (let t = window; t < n; t++) {
    const mean = (s[t + 1]! - s[t + 1 - window]!) / window;
    const std = Math.sqrt(Math.max((q[t + 1]! - q[t + 1 - window]!) / window - mean * mean, 0));
    const ratio = overallStd > 0 ? std / overallStd : 1;
    sticky.push(t, ratio < lowRatio ? 0 : ratio > highRatio ? 2 : 1);
  }
  return sticky.result();
}

/**
 * Trend regime: change of the `window`-bar SMA over `window` bars, in basis points:
 * above +thresholdBps -> trending_up, below -thresholdBps -> trending_down, else ranging;
 * sticky with a dwell of window/4 bars.
 */
function trendRegimes(parameters: Record<string, number>, tables: MarketTables): RegimeChanges {
  const { window, thresholdBps } = parameters as { window: number; thresholdBps: number };
  const p = tables.prefixClose;
  const n = tables.returns.length;
  const sticky = new StickyStates(Math.max(1, Math.floor(window / 4)));
  const threshold = thresholdBps / 10_000;
  for (let t = 2 * window - 1; t < n; t++) {
    const now = (p[t + 1]! - p[t + 1 - window]!) / window;
    const before = (p[t + 1 - window]! - p[t + 1 - 2 * window]!) / window;
    const slope = now / before - 1;
    sticky.push(t, slope > threshold ? 2 : slope < -threshold ? 0 : 1);
  }
  return sticky.result();
}

/** `count` classifiers alternating volatility and trend families over small parameter grids. */
export function planClassifiers(count: number): ClassifierSpec[] {
  if (!Number.isInteger(count) || count < 0) throw new InputError(`classifiers must be a non-negative integer, got ${count}`);
  const specs: ClassifierSpec[] = [];
  const windows = [30, 60, 120, 240, 480, 960, 1920, 3840];
  const ratios = [[0.7, 1.3], [0.8, 1.2], [0.6, 1.5], [0.75, 1.4]] as const;
  const thresholds = [5, 10, 20, 40, 80];
  const volatility: ClassifierSpec[] = [];
  for (const window of windows) {
    for (const [lowRatio, highRatio] of ratios) {
      volatility.push({ id: `volatility_regime_${window}_${lowRatio}_${highRatio}`, family: 'volatility_regime', parameters: { window, lowRatio, highRatio }, labels: VOLATILITY_LABELS });
    }
  }
  const trend: ClassifierSpec[] = [];
  for (const window of windows) {
    for (const thresholdBps of thresholds) {
      trend.push({ id: `trend_regime_${window}_${thresholdBps}`, family: 'trend_regime', parameters: { window, thresholdBps }, labels: TREND_LABELS });
    }
  }
  for (let i = 0; specs.length < count; i++) {
    const source = i % 2 === 0 ? volatility : trend;
    const spec = source[Math.floor(i / 2)];
    if (!spec) {
      if (Math.floor(i / 2) >= Math.max(volatility.length, trend.length)) break;
      continue;
    }
    specs.push(spec);
  }
  if (specs.length < count) throw new InputError(`classifiers: at most ${specs.length} distinct synthetic classifiers, asked for ${count}`);
  return specs;
}

/** Computes one classifier's regime changes. */
export function computeClassifier(spec: ClassifierSpec, tables: MarketTables): RegimeChanges {
  if (spec.family === 'volatility_regime') return volatilityRegimes(spec.parameters, tables);
  if (spec.family === 'trend_regime') return trendRegimes(spec.parameters, tables);
  throw new InputError(`unknown classifier family '${spec.family}'`);
}
