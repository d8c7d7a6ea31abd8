// Per-bar market tables for pattern mining: volatility grid, relative volume, regimes, event index.
import { InputError } from '../errors.ts';
import { barReturns } from '../kernels/returns.ts';
import { rollingVolatility } from '../kernels/costs.ts';
import type { RegimeTrace } from '../types.ts';
import { DEFAULTS, resolvePatternOptions, VOL_BINS } from './patternOptions.ts';
import type { PatternMarket, PatternMarketInput, PatternMinerOptions } from './patternTypes.ts';

function median(values: Float64Array): number {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0).sort();
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** Dense state codes of a regime trace (forward fill; -1 before the first row). */
export function denseRegimes(trace: RegimeTrace, nBars: number): Int32Array {
  const out = new Int32Array(nBars).fill(-1);
  for (let r = 0; r < trace.idx.length; r++) {
    const start = trace.idx[r]!;
    const end = r + 1 < trace.idx.length ? Math.min(trace.idx[r + 1]!, nBars) : nBars;
    if (start < nBars) out.fill(trace.state[r]!, start, end);
  }
  return out;
}

/** Per-bar tables of a market for mining (volatility grid, relative volume, regimes, event index). */
export function preparePatternMarket(input: PatternMarketInput, options: Pick<PatternMinerOptions, 'volatilityWindow' | 'eventWindow'> = {}): PatternMarket {
  const o = resolvePatternOptions({ volatilityWindow: options.volatilityWindow ?? DEFAULTS.volatilityWindow, eventWindow: options.eventWindow ?? DEFAULTS.eventWindow });
  const nBars = input.close.length;
  const returns = barReturns(input.close).returns;
  const volatility = rollingVolatility(returns, o.volatilityWindow);
  const finite = Float64Array.from(volatility.filter((v) => Number.isFinite(v))).sort();
  const edges = new Float64Array(VOL_BINS + 1);
  for (let b = 0; b <= VOL_BINS; b++) edges[b] = finite.length > 0 ? finite[Math.min(finite.length - 1, Math.floor((b / VOL_BINS) * (finite.length - 1) + 0.5))]! : NaN;
  const volatilityBin = new Uint8Array(nBars);
  for (let t = 0; t < nBars; t++) {
    const v = volatility[t]!;
    let lo = 0;
    let hi = VOL_BINS - 1;
    while (lo < hi) { // largest b with edges[b] <= v
      const mid = (lo + hi + 1) >> 1;
      if (edges[mid]! <= v) lo = mid;
      else hi = mid - 1;
    }
    volatilityBin[t] = lo;
  }
  let relativeVolume: Float64Array | null = null;
  if (input.volume && input.volume.length === nBars) {
    const m = median(input.volume);
    if (Number.isFinite(m) && m > 0) relativeVolume = Float64Array.from(input.volume, (v) => v / m);
  }
  let regimeAt: Int32Array | null = null;
  let labels: string[] = [];
  let labelBarShare = new Float64Array(0);
  if (input.regimes) {
    labels = input.regimes.trace.labels;
    regimeAt = denseRegimes(input.regimes.trace, nBars);
    const counts = new Float64Array(labels.length);
    let labelled = 0;
    for (let t = 0; t < nBars; t++) {
      const s = regimeAt[t]!;
      if (s >= 0 && s < labels.length) { counts[s]!++; labelled++; }
    }
    labelBarShare = counts.map((c) => (labelled > 0 ? c / labelled : 0));
  }
  let events: PatternMarket['events'] = null;
  if (input.events) {
    const e = input.events;
    const before = new Int32Array(nBars + 1); // before[t] = events with idx < t
    for (let r = 0; r < e.idx.length; r++) {
      const i = e.idx[r]!;
      if (r > 0 && i < e.idx[r - 1]!) throw new InputError('events must be sorted by idx');
      if (i >= 0 && i < nBars) before[i + 1]!++;
    }
    for (let t = 1; t <= nBars; t++) before[t]! += before[t - 1]!;
    let covered = 0;
    for (let t = 0; t < nBars; t++) if (before[t + 1]! > before[Math.max(0, t - o.eventWindow)]!) covered++;
    events = { ...e, before, baselineRate: nBars > 0 ? covered / nBars : 0 };
  }
  return {
    close: input.close, nBars, classifier: input.regimes?.classifier ?? null, labels, regimeAt, labelBarShare,
    volatility, volatilityBin, volatilityEdges: edges, relativeVolume, events,
  };
}
