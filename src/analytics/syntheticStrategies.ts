// Strategy families of synthetic sweeps, computed on the bars: parameter grids and O(T) signal
// rules writing a sparse change list. Indicators that cannot come from prefix sums (EMA, RSI,
// rolling max/min) are cached per window length and reused across a family's grid.
import { InputError } from '../errors.ts';
import type { ChangeBuffer, MarketTables } from './synthetic.ts';

/** One strategy of a sweep. */
export interface StrategySpec {
  /** Unique id, e.g. 'sma_crossover_5_20'. */
  id: string;
  family: string;
  parameters: Record<string, number>;
}

interface ParameterRange {
  name: string;
  low: number;
  high: number;
  /** Decimals kept (0 for integers). */
  decimals: number;
}

/** A strategy family: its parameter ranges and its rule. */
interface Family {
  name: string;
  ranges: ParameterRange[];
  compute(parameters: Record<string, number>, tables: MarketTables, cache: IndicatorCache, out: ChangeBuffer): void;
}

/** Indicator arrays keyed by name, evicted least-recently-used beyond a byte budget. */
export class IndicatorCache {
  private readonly entries = new Map<string, Float64Array>();
  private bytes = 0;
  constructor(private readonly budgetBytes: number) {}
  get(key: string, build: () => Float64Array): Float64Array {
    const found = this.entries.get(key);
    if (found) {
      this.entries.delete(key);
      this.entries.set(key, found);
      return found;
    }
    const value = build();
    this.entries.set(key, value);
    this.bytes += value.byteLength;
    for (const [oldKey, old] of this.entries) {
      if (this.bytes <= this.budgetBytes || oldKey === key) break;
      this.entries.delete(oldKey);
      this.bytes -= old.byteLength;
    }
    return value;
  }
  get sizeBytes(): number {
    return this.bytes;
  }
}

/** Appends a change when `value` differs from the last one written (initial position 0). */
function emit(out: ChangeBuffer, t: number, value: number, previous: number): number {
  if (value !== previous) {
    out.idx[out.length] = t;
    out.value[out.length] = value;
    out.length++;
  }
  return value;
}

/** Exponential moving average of close, alpha = 2 / (window + 1), seeded with the first close. */
function ema(close: Float64Array, window: number): Float64Array {
  const out = new Float64Array(close.length);
  const alpha = 2 / (window + 1);
  let value = close[0] ?? 0;
  for (let t = 0; t < close.length; t++) {
    value += alpha * (close[t]! - value);
    out[t] = value;
  }
  return out;
}

/** Wilder RSI (0..100) of close over `period`; NaN during the first `period` bars. see: J. W. Wilder, New Concepts in Technical Trading Systems (1978). */
function rsi(close: Float64Array, period: number): Float64Array {
  const out = new Float64Array(close.length).fill(NaN);
  let gain = 0;
  let loss = 0;
  for (let t = 1; t < close.length; t++) {
    const change = close[t]! - close[t - 1]!;
    const up = change > 0 ? change : 0;
    const down = change < 0 ? -change : 0;
    if (t <= period) {
      gain += up / period;
      loss += down / period;
      if (t < period) continue;
    } else {
      gain = (gain * (period - 1) + up) / period;
      loss = (loss * (period - 1) + down) / period;
    }
    out[t] = loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
  }
  return out;
}

/** Rolling max (or min) of `values` over the `window` bars before t (t excluded); NaN until full. Monotonic deque, O(T). */
function rollingExtreme(values: Float64Array, window: number, max: boolean): Float64Array {
  const n = values.length;
  const out = new Float64Array(n).fill(NaN);
  const deque = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let t = 0; t < n; t++) {
    if (t >= window) out[t] = values[deque[head]!]!;
    const v = values[t]!;
    while (tail > head && (max ? values[deque[tail - 1]!]! <= v : values[deque[tail - 1]!]! >= v)) tail--;
    deque[tail++] = t;
    if (deque[head]! <= t - window) head++;
  }
  return out;
}

const FAMILIES: Family[] = [
  {
    name: 'sma_crossover',
    ranges: [{ name: 'fast', low: 2, high: 200, decimals: 0 }, { name: 'slow', low: 10, high: 1000, decimals: 0 }],
    compute({ fast, slow }, { prefixClose: p }, _cache, out) {
      const f = fast!;
      const s = slow!;
      const start = Math.max(f, s) - 1;
      let previous = 0;
      for (let t = start; t < p.length - 1; t++) {
        const difference = (p[t + 1]! - p[t + 1 - f]!) / f - (p[t + 1]! - p[t + 1 - s]!) / s;
        previous = emit(out, t, difference > 0 ? 1 : difference < 0 ? -1 : 0, previous);
      }
    },
  },
  {
    name: 'ema_crossover',
    ranges: [{ name: 'fast', low: 2, high: 120, decimals: 0 }, { name: 'slow', low: 10, high: 600, decimals: 0 }],
    compute({ fast, slow }, { bars }, cache, out) {
      const a = cache.get(`ema:${fast}`, () => ema(bars.close, fast!));
      const b = cache.get(`ema:${slow}`, () => ema(bars.close, slow!));
      const start = Math.max(fast!, slow!) - 1;
      let previous = 0;
      for (let t = start; t < a.length; t++) {
        const difference = a[t]! - b[t]!;
        previous = emit(out, t, difference > 0 ? 1 : difference < 0 ? -1 : 0, previous);
      }
    },
  },
  {
    name: 'rsi_bands',
    ranges: [{ name: 'period', low: 3, high: 60, decimals: 0 }, { name: 'oversold', low: 10, high: 40, decimals: 1 }, { name: 'overbought', low: 60, high: 90, decimals: 1 }],
    compute({ period, oversold, overbought }, { bars }, cache, out) {
      const values = cache.get(`rsi:${period}`, () => rsi(bars.close, period!));
      let previous = 0;
      for (let t = 0; t < values.length; t++) {
        const v = values[t]!;
        if (Number.isNaN(v)) continue;
        previous = emit(out, t, v < oversold! ? 1 : v > overbought! ? -1 : 0, previous);
      }
    },
  },
  {
    name: 'donchian_breakout',
    ranges: [{ name: 'entry', low: 10, high: 1000, decimals: 0 }, { name: 'exit', low: 5, high: 500, decimals: 0 }],
    compute({ entry, exit }, { bars }, cache, out) {
      const upper = cache.get(`max:${entry}`, () => rollingExtreme(bars.high, entry!, true));
      const lower = cache.get(`min:${entry}`, () => rollingExtreme(bars.low, entry!, false));
      const exitUpper = cache.get(`max:${exit}`, () => rollingExtreme(bars.high, exit!, true));
      const exitLower = cache.get(`min:${exit}`, () => rollingExtreme(bars.low, exit!, false));
      const close = bars.close;
      let position = 0;
      for (let t = Math.max(entry!, exit!); t < close.length; t++) {
        const c = close[t]!;
        let next = position;
        if (c > upper[t]!) next = 1;
        else if (c < lower[t]!) next = -1;
        else if (position === 1 && c < exitLower[t]!) next = 0;
        else if (position === -1 && c > exitUpper[t]!) next = 0;
        position = emit(out, t, next, position);
      }
    },
  },
  {
    name: 'bollinger_reversion',
    ranges: [{ name: 'window', low: 10, high: 500, decimals: 0 }, { name: 'width', low: 1, high: 3.5, decimals: 2 }],
    compute({ window, width }, { prefixClose: p, prefixCloseSquared: q, bars }, _cache, out) {
      const w = window!;
      const k = width!;
      let position = 0;
      for (let t = w - 1; t < bars.close.length; t++) {
        const mean = (p[t + 1]! - p[t + 1 - w]!) / w;
        const variance = (q[t + 1]! - q[t + 1 - w]!) / w - mean * mean;
        if (!(variance > 0)) continue;
        const z = (bars.close[t]! - mean) / Math.sqrt(variance);
        let next = position;
        if (z < -k) next = 1;
        else if (z > k) next = -1;
        else if ((position === 1 && z >= 0) || (position === -1 && z <= 0)) next = 0;
        position = emit(out, t, next, position);
      }
    },
  },
  {
    name: 'momentum',
    ranges: [{ name: 'lookback', low: 5, high: 2000, decimals: 0 }, { name: 'thresholdBps', low: 5, high: 200, decimals: 0 }],
    compute({ lookback, thresholdBps }, { bars }, _cache, out) {
      const close = bars.close;
      const threshold = thresholdBps! / 10_000;
      let previous = 0;
      for (let t = lookback!; t < close.length; t++) {
        const change = close[t]! / close[t - lookback!]! - 1;
        previous = emit(out, t, change > threshold ? 1 : change < -threshold ? -1 : 0, previous);
      }
    },
  },
];

/** Names of the strategy families, in the order plans cycle through them. */
export const STRATEGY_FAMILIES = FAMILIES.map((f) => f.name);

function gridValues(range: ParameterRange, count: number): number[] {
  const scale = 10 ** range.decimals;
  const values = new Set<number>();
  for (let i = 0; i < count; i++) {
    const raw = count === 1 ? range.low : range.low + ((range.high - range.low) * i) / (count - 1);
    values.add(Math.round(raw * scale) / scale);
  }
  return [...values];
}

/** The first `count` points of a family's grid: ~count^(1/d) values per parameter, first parameter outermost. */
function familyGrid(family: Family, count: number): StrategySpec[] {
  const perDimension = Math.max(1, Math.ceil(count ** (1 / family.ranges.length) - 1e-9));
  const axes = family.ranges.map((range) => gridValues(range, perDimension));
  const specs: StrategySpec[] = [];
  const cursor = axes.map(() => 0);
  while (specs.length < count) {
    const parameters: Record<string, number> = {};
    family.ranges.forEach((range, d) => (parameters[range.name] = axes[d]![cursor[d]!]!));
    specs.push({ id: `${family.name}_${family.ranges.map((r) => String(parameters[r.name])).join('_')}`, family: family.name, parameters });
    let d = axes.length - 1;
    while (d >= 0 && ++cursor[d]! === axes[d]!.length) cursor[d--] = 0;
    if (d < 0) break;
  }
  return specs;
}

/**
 * A sweep of `count` strategies spread evenly over the families, each family a grid over its
 * parameter ranges; ids are unique and sorted by family so indicators are reused within a family.
 */
export function planStrategies(count: number): StrategySpec[] {
  if (!Number.isInteger(count) || count < 0) throw new InputError(`strategies must be a non-negative integer, got ${count}`);
  const specs: StrategySpec[] = [];
  FAMILIES.forEach((family, i) => {
    const quota = Math.floor(count / FAMILIES.length) + (i < count % FAMILIES.length ? 1 : 0);
    if (quota > 0) specs.push(...familyGrid(family, quota));
  });
  if (specs.length < count) throw new InputError(`strategies: the parameter grids hold ${specs.length} distinct strategies, fewer than the ${count} asked for`);
  return specs;
}

/** Computes one strategy's change list into `out` (reset first). */
export function computeStrategy(spec: StrategySpec, tables: MarketTables, cache: IndicatorCache, out: ChangeBuffer): void {
  const family = FAMILIES.find((f) => f.name === spec.family);
  if (!family) throw new InputError(`unknown strategy family '${spec.family}'`);
  out.length = 0;
  family.compute(spec.parameters, tables, cache, out);
}
