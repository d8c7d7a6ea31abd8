// Reference (plain TS) of the per-regime aggregates of assembly/regimes.ts: the dense per-bar series
// (as denseStrategyMetrics' onSeries hands them out) split by regime bar by bar, then the same
// formulas (two-pass moments, compounded drawdown, trades by entry bar) with no prefix sums.
import type { Moments } from '../../src/kernels/moments.ts';
import type { StrategyAggregates } from '../../src/analytics/strategyMetrics.ts';
import type { RegimeTrace } from '../../src/types.ts';
import { extractTrades } from './trades.ts';

/** Dense series of one strategy (positions, gross, net, cost per bar) and the market's bar returns. */
export interface ReferenceSeries {
  positions: Float64Array;
  gross: Float64Array;
  net: Float64Array;
  cost: Float64Array;
  returns: Float64Array;
}

/** Forward-filled state at bar t by a linear scan; -1 before the first row (and for t < 0). */
export function stateAt(trace: RegimeTrace, t: number): number {
  let state = -1;
  for (let row = 0; row < trace.idx.length && trace.idx[row]! <= t; row++) state = trace.state[row]!;
  return state;
}

function referenceMoments(values: number[], rf: number): Moments {
  const n = values.length;
  const mean = n > 0 ? values.reduce((a, b) => a + b, 0) / n : NaN;
  let ssd = 0;
  let down = 0;
  let growth = 1;
  for (const v of values) {
    ssd += (v - mean) ** 2;
    down += Math.min(v - rf, 0) ** 2;
    growth *= 1 + v;
  }
  return {
    count: n, mean: n > 0 ? mean - rf : NaN, std: n >= 2 ? Math.sqrt(ssd / (n - 1)) : NaN, downsideDeviation: n > 0 ? Math.sqrt(down / n) : NaN,
    positiveCount: NaN, negativeCount: NaN, totalReturn: growth - 1, sumSquaredDeviations: n > 0 ? ssd : NaN,
  };
}

function referenceDrawdown(values: number[]): number {
  let equity = 1;
  let peak = 1;
  let worst = 0;
  for (const v of values) {
    equity *= 1 + v;
    peak = Math.max(peak, equity);
    worst = Math.max(worst, 1 - equity / peak);
  }
  return worst;
}

/**
 * Aggregates per regime code (index labels.length = bars without a state): bar t is in regime
 * state_{t-1}; a trade entered at bar e is in regime state_e.
 */
export function referenceRegimeAggregates(series: ReferenceSeries, regimes: RegimeTrace, riskFreePerBar: number): StrategyAggregates[] {
  const n = series.net.length;
  const m = regimes.labels.length;
  const codeOf = (t: number) => { const s = stateAt(regimes, t - 1); return s < 0 ? m : s; };
  const trades = extractTrades(series.positions, series.returns, series.cost);
  const out: StrategyAggregates[] = [];
  for (let code = 0; code <= m; code++) {
    const net: number[] = [];
    const gross: number[] = [];
    let costs = 0;
    let exposure = 0;
    for (let t = 0; t < n; t++) {
      if (codeOf(t) !== code) continue;
      net.push(series.net[t]!);
      gross.push(series.gross[t]!);
      costs += series.cost[t]!;
      if (t > 0 && series.positions[t - 1] !== 0) exposure++;
    }
    const tradeNet: number[] = [];
    let duration = 0;
    for (let i = 0; i < trades.start.length; i++) {
      const s = stateAt(regimes, trades.start[i]!);
      if ((s < 0 ? m : s) !== code) continue;
      tradeNet.push(trades.netReturn[i]!);
      duration += trades.end[i]! - trades.start[i]!;
    }
    out.push({
      bars: net.length, net: referenceMoments(net, riskFreePerBar), gross: referenceMoments(gross, riskFreePerBar),
      maxDrawdown: referenceDrawdown(net), totalCosts: costs, exposureBars: exposure,
      tradeNetReturns: Float64Array.from(tradeNet), tradeDurationBarsSum: duration,
    });
  }
  return out;
}
