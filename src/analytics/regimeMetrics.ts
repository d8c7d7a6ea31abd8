// Per-regime strategy metrics (every strategy x classifier), change-proportional through the WASM
// kernel assembly/regimes.ts, with a dense path for what it cannot do exactly; and the classifier
// separation score built on them.
import { InputError, SchemaError } from '../errors.ts';
import { changeListError } from '../kernels/expand.ts';
import type { Moments } from '../kernels/moments.ts';
import {
  REGIME_SLOT, REGIME_SLOTS, REGIME_STATUS, runRegimeKernel, type RegimeCodes, type RegimeTables,
} from '../kernels/regimes.ts';
import { extractTrades } from '../kernels/trades.ts';
import type { DenseMarket } from '../market/denseMarket.ts';
import type { ExecutionCosts, PerformanceMetrics, RegimeTrace, SignalTrace } from '../types.ts';
import { denseStrategyMetrics } from './denseMetrics.ts';
import type { MetricOptions } from './metricOptions.ts';
import { regimeOfReturnBars, UNCLASSIFIED_REGIME, validateRegimeTrace } from './regimeStats.ts';
import { assembleStrategyMetrics, riskFreeForOptions, type StrategyAggregates } from './strategyMetrics.ts';

/**
 * Definitions of the per-regime metrics on a non-contiguous set of bars (the regime's bars: bars t
 * whose regime state_{t-1} is the regime), written into regime_performance.json.
 */
export const REGIME_METRIC_DEFINITIONS: Record<string, string> = {
  bars: 'return bars t whose regime state_{t-1} is the regime (bar 0 and bars up to the first classifier row are in "(none)")',
  totalReturn: 'prod over the regime bars of (1 + R_net) - 1 (compounded only over the regime bars)',
  annualizedReturn: '(1 + totalReturn)^(P / bars) - 1, bars = the regime bar count',
  volatility: 'std(R_net over the regime bars, ddof = 1) * sqrt(P)',
  sharpeRatio: 'mean(R_net - rf) / std(R_net - rf, ddof = 1) * sqrt(P) over the regime bars',
  sortinoRatio: 'mean(R_net - rf) / sqrt(mean(min(R_net - rf, 0)^2)) * sqrt(P) over the regime bars',
  maxDrawdown: 'max drawdown of the equity compounded over the regime bars only, concatenated in time order, starting at 1',
  totalCosts: 'sum of the costs charged on the regime bars (a change at bar t is charged on bar t, regime state_{t-1})',
  exposure: 'regime bars with pos_{t-1} != 0 / regime bars',
  tradeCount: 'trades ENTERED in the regime: a trade opened at bar e belongs to regime state_e (the regime of its first return bar e + 1)',
  winRate: 'over the trades entered in the regime, each with its whole net return (it may run into other regimes)',
  costPerTrade: 'totalCosts of the regime bars / trades entered in the regime',
  avgTradeDurationBars: 'mean (exit bar - entry bar) of the trades entered in the regime',
};

/** Aggregates of one strategy in every regime of one classifier: index = regime code, last = no state. */
export interface ClassifierRegimeAggregates {
  /** perRegime[code] for code < labels.length; perRegime[labels.length] = bars without a state. */
  perRegime: StrategyAggregates[];
  /** Sums of net returns and of their squares per regime (for the ANOVA separation statistic). */
  netSums: Float64Array;
  netSquares: Float64Array;
}

/** Result of the change-proportional path, or why it cannot be exact. */
export type RegimeAggregatesResult = { path: 'sparse'; classifiers: ClassifierRegimeAggregates[] } | { path: 'fallback'; reason: string };

/** A classifier's regime trace as the per-regime computations take it. */
export function regimeCodes(trace: RegimeTrace): RegimeCodes {
  return { idx: trace.idx, state: trace.state, regimes: trace.labels.length };
}

function momentsFromSums(n: number, sum: number, squares: number, down: number, log: number, rf: number): Moments {
  const mean = n > 0 ? sum / n : NaN;
  const ssd = n > 0 ? Math.max(0, squares - sum * mean) : NaN;
  return {
    count: n,
    mean: n > 0 ? mean - rf : NaN,
    std: n >= 2 ? Math.sqrt(ssd / (n - 1)) : NaN,
    downsideDeviation: n > 0 ? Math.sqrt(down / n) : NaN,
    positiveCount: NaN,
    negativeCount: NaN,
    totalReturn: Math.expm1(log),
    sumSquaredDeviations: ssd,
  };
}

/** The trades' net returns grouped by regime code (a counting sort: each group keeps the trades' order). */
function tradesPerCode(tradeNet: Float64Array, tradeRegime: Int32Array, codes: number): Float64Array[] {
  const counts = new Int32Array(codes);
  for (let i = 0; i < tradeRegime.length; i++) counts[tradeRegime[i]!]!++;
  const groups = Array.from(counts, (count) => new Float64Array(count));
  counts.fill(0);
  for (let i = 0; i < tradeNet.length; i++) {
    const code = tradeRegime[i]!;
    groups[code]![counts[code]!++] = tradeNet[i]!;
  }
  return groups;
}

function blocksToAggregates(blocks: Float64Array, tradeNet: Float64Array, tradeRegime: Int32Array, regimes: number, rf: number): ClassifierRegimeAggregates {
  const perRegime: StrategyAggregates[] = [];
  const netSums = new Float64Array(regimes + 1);
  const netSquares = new Float64Array(regimes + 1);
  const tradesByCode = tradesPerCode(tradeNet, tradeRegime, regimes + 1);
  for (let code = 0; code <= regimes; code++) {
    const b = blocks.subarray(code * REGIME_SLOTS, (code + 1) * REGIME_SLOTS);
    const n = b[REGIME_SLOT.bars]!;
    netSums[code] = b[REGIME_SLOT.netSum]!;
    netSquares[code] = b[REGIME_SLOT.netSquares]!;
    perRegime.push({
      bars: n,
      net: momentsFromSums(n, b[REGIME_SLOT.netSum]!, b[REGIME_SLOT.netSquares]!, b[REGIME_SLOT.netDown]!, b[REGIME_SLOT.netLog]!, rf),
      gross: momentsFromSums(n, b[REGIME_SLOT.grossSum]!, b[REGIME_SLOT.grossSquares]!, b[REGIME_SLOT.grossDown]!, b[REGIME_SLOT.grossLog]!, rf),
      maxDrawdown: -Math.expm1(-b[REGIME_SLOT.drop]!),
      totalCosts: b[REGIME_SLOT.costs]!,
      exposureBars: b[REGIME_SLOT.exposure]!,
      tradeNetReturns: tradesByCode[code]!,
      tradeDurationBarsSum: b[REGIME_SLOT.duration]!,
    });
  }
  return { perRegime, netSums, netSquares };
}

/**
 * Per-regime aggregates of one strategy against several classifiers by the change-proportional
 * path (O(K + G) range queries per classifier, see assembly/regimes.ts). Exact (the same numbers
 * as denseRegimeAggregates to 1e-9) for positions in {-1, 0, 1}; otherwise returns a fallback
 * reason: a fractional position, a bar whose net return reaches -100 %, a short position over a
 * bar with r >= 1. Throws SchemaError for an invalid change list or an unpriceable sqrt-law trade.
 */
export function sparseRegimeAggregates(
  tables: RegimeTables, trace: SignalTrace, classifiers: readonly RegimeCodes[], costs: ExecutionCosts, options: MetricOptions,
  instance: DenseMarket['instance'],
): RegimeAggregatesResult {
  const rf = riskFreeForOptions(options);
  if (rf !== tables.riskFreePerBar) return { path: 'fallback', reason: `the regime tables were built for a per-bar risk-free rate of ${tables.riskFreePerBar}, the options give ${rf}` };
  if (tables.shortRuinBar >= 0 && trace.signal.some((v) => v < 0)) {
    return { path: 'fallback', reason: `bar ${tables.shortRuinBar}: a bar return >= 100 % ruins a short position` };
  }
  const results = runRegimeKernel(instance, tables, trace.idx, trace.signal, classifiers, costs);
  const out: ClassifierRegimeAggregates[] = [];
  for (let c = 0; c < results.length; c++) {
    const result = results[c]!;
    switch (result.status) {
      case REGIME_STATUS.notUnit:
        return { path: 'fallback', reason: `row ${result.detail}: position ${trace.signal[result.detail]} is not in {-1, 0, 1}` };
      case REGIME_STATUS.ruin:
        return { path: 'fallback', reason: `bar ${result.detail}: a net return reaches -100 %` };
      case REGIME_STATUS.unpriced:
        throw new SchemaError(`bar ${result.detail}: the sqrt cost model needs volume > 0 and close > 0 where a trade happens`, { column: 'volume', row: result.detail });
      case REGIME_STATUS.badRow:
        if (result.detail < 0) throw changeListError(trace.idx, -result.detail - 1, tables.barCount);
        throw new InputError(`classifier ${c}: regime row ${result.detail} is out of order or has a code outside [0, ${classifiers[c]!.regimes})`, { row: result.detail });
      default:
        out.push(blocksToAggregates(result.blocks, result.tradeNet, result.tradeRegime, classifiers[c]!.regimes, rf));
    }
  }
  return { path: 'sparse', classifiers: out };
}

/**
 * The same aggregates by the dense path (O(T) per strategy and classifier): the dense net/gross
 * series of denseStrategyMetrics, split by regimeOfReturnBars, reduced per regime with two-pass
 * moments; trades from extractTrades, each in the regime of its entry bar. Works for any position
 * (fractional ensemble weights included).
 */
export function denseRegimeAggregates(
  market: DenseMarket, trace: SignalTrace, classifiers: readonly RegimeCodes[], costs: ExecutionCosts, options: MetricOptions,
): ClassifierRegimeAggregates[] {
  const rf = riskFreeForOptions(options);
  const n = market.barCount;
  let series: { positions: Float64Array; gross: Float64Array; net: Float64Array; cost: Float64Array } | undefined;
  denseStrategyMetrics(market, trace, costs, options, (s) => {
    series = { positions: s.positions.slice(), gross: s.gross.slice(), net: s.net.slice(), cost: s.cost.slice() };
  });
  const { positions, gross, net, cost } = series!;
  const trades = extractTrades(positions, market.returns, cost);
  return classifiers.map((classifier) => {
    const regimes = classifier.regimes;
    const regimeOfBar = regimeOfReturnBars({ idx: classifier.idx, state: classifier.state, labels: new Array<string>(regimes).fill('') }, n);
    const stateAt = (t: number) => (t + 1 < n ? regimeOfBar[t + 1]! : stateAtBar(classifier, t));
    const codeOf = (t: number) => { const c = regimeOfBar[t]!; return c < 0 ? regimes : c; };
    const perRegime: StrategyAggregates[] = [];
    const netSums = new Float64Array(regimes + 1);
    const netSquares = new Float64Array(regimes + 1);
    const tradeLists: number[][] = Array.from({ length: regimes + 1 }, () => []);
    const durations = new Float64Array(regimes + 1);
    for (let i = 0; i < trades.start.length; i++) {
      const s = stateAt(trades.start[i]!);
      const code = s < 0 ? regimes : s;
      tradeLists[code]!.push(trades.netReturn[i]!);
      durations[code]! += trades.end[i]! - trades.start[i]!;
    }
    for (let code = 0; code <= regimes; code++) {
      const bars: number[] = [];
      for (let t = 0; t < n; t++) if (codeOf(t) === code) bars.push(t);
      const pick = (values: Float64Array) => Float64Array.from(bars, (t) => values[t]!);
      const netValues = pick(net);
      let exposure = 0;
      let costs = 0;
      for (const t of bars) {
        if (t > 0 && positions[t - 1] !== 0) exposure++;
        costs += cost[t]!;
      }
      netSums[code] = netValues.reduce((a, b) => a + b, 0);
      netSquares[code] = netValues.reduce((a, b) => a + b * b, 0);
      perRegime.push({
        bars: bars.length,
        net: twoPassMoments(netValues, rf),
        gross: twoPassMoments(pick(gross), rf),
        maxDrawdown: compoundedMaxDrawdown(netValues),
        totalCosts: costs,
        exposureBars: exposure,
        tradeNetReturns: Float64Array.from(tradeLists[code]!),
        tradeDurationBarsSum: durations[code]!,
      });
    }
    return { perRegime, netSums, netSquares };
  });
}

/** Forward-filled state at bar t (-1 before the first row), by binary search. */
function stateAtBar(classifier: RegimeCodes, t: number): number {
  let lo = 0;
  let hi = classifier.idx.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (classifier.idx[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? -1 : classifier.state[lo - 1]!;
}

/** Moments of R - rf with a two-pass variance (std of R, which equals std of R - rf). */
export function twoPassMoments(values: Float64Array, rf: number): Moments {
  const n = values.length;
  let sum = 0;
  let log = 0;
  for (let i = 0; i < n; i++) { sum += values[i]!; log += Math.log1p(values[i]!); }
  const mean = n > 0 ? sum / n : NaN;
  let ssd = 0;
  let down = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    ssd += d * d;
    const x = Math.min(values[i]! - rf, 0);
    down += x * x;
  }
  return {
    count: n, mean: n > 0 ? mean - rf : NaN, std: n >= 2 ? Math.sqrt(ssd / (n - 1)) : NaN, downsideDeviation: n > 0 ? Math.sqrt(down / n) : NaN,
    positiveCount: NaN, negativeCount: NaN, totalReturn: Math.expm1(log), sumSquaredDeviations: n > 0 ? ssd : NaN,
  };
}

/** Max drawdown of prod(1 + R) starting at 1 (the start is the first peak), positive fraction. */
export function compoundedMaxDrawdown(values: ArrayLike<number>): number {
  let equity = 1;
  let peak = 1;
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    equity *= 1 + values[i]!;
    if (equity > peak) peak = equity;
    const dd = 1 - equity / peak;
    if (dd > worst) worst = dd;
  }
  return worst;
}

/** One regime's metrics for one strategy and classifier. */
export interface RegimeMetricsEntry {
  /** Regime label (UNCLASSIFIED_REGIME for bars without a state). */
  regime: string;
  metrics: PerformanceMetrics;
  /** Sum of net returns and of their squares over the regime bars (ANOVA inputs). */
  netSum: number;
  netSquares: number;
}

/**
 * Metrics per regime (see REGIME_METRIC_DEFINITIONS) from aggregates, through the one assembler
 * (assembleStrategyMetrics). The no-state bucket is included as UNCLASSIFIED_REGIME only when it
 * has bars.
 */
export function regimeMetricsFromAggregates(aggregates: ClassifierRegimeAggregates, labels: readonly string[], options: MetricOptions): RegimeMetricsEntry[] {
  const out: RegimeMetricsEntry[] = [];
  aggregates.perRegime.forEach((agg, code) => {
    const none = code === labels.length;
    if (none && agg.bars === 0) return;
    out.push({
      regime: none ? UNCLASSIFIED_REGIME : labels[code]!, metrics: assembleStrategyMetrics(agg, options),
      netSum: aggregates.netSums[code]!, netSquares: aggregates.netSquares[code]!,
    });
  });
  return out;
}

/**
 * Per-regime metrics of one strategy for each classifier: the change-proportional path where it is
 * exact, the dense path otherwise (`onPath` says which ran and why). `market` must be the market the
 * tables were built from (it serves the dense path). Validates the classifiers (O(G) each); see
 * regimeMetricsForCodes to validate once for many strategies.
 */
export function strategyRegimeMetrics(
  market: DenseMarket, tables: RegimeTables, trace: SignalTrace, classifiers: readonly RegimeTrace[], costs: ExecutionCosts, options: MetricOptions,
  onPath?: (path: 'sparse' | 'dense', reason?: string) => void,
): RegimeMetricsEntry[][] {
  for (const [i, c] of classifiers.entries()) validateRegimeTrace(c, market.barCount, `classifier ${i}`);
  return regimeMetricsForCodes(market, tables, trace, classifiers.map(regimeCodes), classifiers.map((c) => c.labels), costs, options, onPath);
}

/**
 * strategyRegimeMetrics on classifiers already validated (validateRegimeTrace) and given as codes
 * plus labels: what a worker runs per strategy.
 */
export function regimeMetricsForCodes(
  market: DenseMarket, tables: RegimeTables, trace: SignalTrace, codes: readonly RegimeCodes[], labels: readonly (readonly string[])[],
  costs: ExecutionCosts, options: MetricOptions, onPath?: (path: 'sparse' | 'dense', reason?: string) => void,
): RegimeMetricsEntry[][] {
  const sparse = sparseRegimeAggregates(tables, trace, codes, costs, options, market.instance);
  let aggregates: ClassifierRegimeAggregates[];
  if (sparse.path === 'sparse') {
    onPath?.('sparse');
    aggregates = sparse.classifiers;
  } else {
    onPath?.('dense', sparse.reason);
    aggregates = denseRegimeAggregates(market, trace, codes, costs, options);
  }
  return aggregates.map((agg, i) => regimeMetricsFromAggregates(agg, labels[i]!, options));
}

/** One strategy's per-regime entries for one classifier, as the separation score takes them. */
export interface SeparationInput {
  regimes: readonly RegimeMetricsEntry[];
}

/** Separation of one classifier (see ClassifierSeparation in src/coordinator/outputs.ts). */
export interface SeparationScore {
  score: number | null;
  anovaF: number | null;
  strategies: number;
  regimes: string[];
}

/**
 * How well a classifier separates strategy performance. Per strategy, over its regimes with at
 * least `minRegimeBars` bars (UNCLASSIFIED_REGIME excluded) and a defined Sharpe ratio, with time
 * weights w_s = bars_s / sum bars:
 *
 *   dispersion = sqrt(sum_s w_s (S_s - S_bar)^2),  S_bar = sum_s w_s S_s   (S = annualized net Sharpe)
 *   F = [sum_s n_s (m_s - m)^2 / (k - 1)] / [sum_s sum_t (R_t - m_s)^2 / (N - k)]   (one-way ANOVA)
 *
 * score = mean dispersion, anovaF = mean F over the strategies with at least 2 such regimes
 * (F only where the within-regime variance is > 0); null when no strategy qualifies.
 */
export function classifierSeparation(perStrategy: readonly SeparationInput[], minRegimeBars: number): SeparationScore {
  const separation = new SeparationAccumulator(minRegimeBars);
  for (const strategy of perStrategy) separation.add(strategy.regimes);
  return separation.result();
}

/**
 * classifierSeparation built one strategy at a time (a run's strategies need not be held at once):
 * add each strategy's entries for the classifier, then take the result. Same sums in the same order.
 */
export class SeparationAccumulator {
  private dispersionSum = 0;
  private fSum = 0;
  private fCount = 0;
  private counted = 0;
  private readonly used = new Set<string>();

  constructor(private readonly minRegimeBars: number) {}

  /** One strategy's per-regime entries for the classifier. */
  add(regimes: readonly RegimeMetricsEntry[]): void {
    const eligible = regimes.filter((r) => r.regime !== UNCLASSIFIED_REGIME && r.metrics.bars >= this.minRegimeBars && r.metrics.sharpeRatio !== null);
    if (eligible.length < 2) return;
    const total = eligible.reduce((s, r) => s + r.metrics.bars, 0);
    const mean = eligible.reduce((s, r) => s + (r.metrics.bars / total) * r.metrics.sharpeRatio!, 0);
    const variance = eligible.reduce((s, r) => s + (r.metrics.bars / total) * (r.metrics.sharpeRatio! - mean) ** 2, 0);
    this.dispersionSum += Math.sqrt(variance);
    this.counted++;
    for (const r of eligible) this.used.add(r.regime);
    const k = eligible.length;
    const grand = eligible.reduce((s, r) => s + r.netSum, 0) / total;
    let between = 0;
    let within = 0;
    for (const r of eligible) {
      const m = r.netSum / r.metrics.bars;
      between += r.metrics.bars * (m - grand) ** 2;
      within += Math.max(0, r.netSquares - r.netSum * m);
    }
    if (within > 0 && total > k) {
      this.fSum += (between / (k - 1)) / (within / (total - k));
      this.fCount++;
    }
  }

  result(): SeparationScore {
    return {
      score: this.counted > 0 ? this.dispersionSum / this.counted : null,
      anovaF: this.fCount > 0 ? this.fSum / this.fCount : null,
      strategies: this.counted,
      regimes: [...this.used].sort(),
    };
  }
}
