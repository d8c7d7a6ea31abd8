// Signal replay, the pure part: regime-aware ensemble positions from member change lists, the
// classifier's states and per-regime weights; slicing traces to a bar range; per-regime statistics
// of a return series; the dense (fractional-position) metrics pass of an ensemble.
import { InputError } from '../errors.ts';
import { withScratch } from '../kernels/runtime.ts';
import { buildDenseMarket } from '../market/denseMarket.ts';
import type { Bars, ExecutionCosts, PerformanceMetrics, RegimeTrace, SignalTrace } from '../types.ts';
import { denseStrategyMetrics } from './denseMetrics.ts';
import type { MetricOptions } from './metricOptions.ts';
import { annualizedVolatility, finiteOrNull, sharpeRatio } from './returnMetrics.ts';

/**
 * Ensemble weights (fractions of notional per member strategy id). At a bar whose regime (the
 * classifier state observed at that bar, forward-filled) has an entry in `regimes`, that entry
 * applies; otherwise `global`; when neither exists the ensemble is flat (position 0). Before the
 * classifier's first state, and without a classifier, `global` applies. Members missing from an
 * entry have weight 0.
 */
export interface EnsembleWeights {
  /** Weights used where no regime entry applies; absent: flat there. */
  global?: Record<string, number>;
  /** Weights per regime label. */
  regimes?: Record<string, Record<string, number>>;
}

/** One member of an ensemble: its id and change list. */
export interface EnsembleMember {
  id: string;
  trace: SignalTrace;
}

/** A classifier's forward-filled state per bar (code into labels; -1 before its first state). */
export interface BarRegimes {
  /** states[t] = code of the state observed at bar t (forward fill), -1 before the first row; length = bars. */
  states: Int32Array;
  labels: readonly string[];
}

/** Forward-fills a regime trace to bars: states[t] = last state at or before t, -1 before the first row. */
export function forwardFillStates(trace: RegimeTrace, bars: number): Int32Array {
  const states = new Int32Array(bars).fill(-1);
  const n = trace.idx.length;
  for (let row = 0; row < n; row++) {
    const start = trace.idx[row]!;
    const end = row + 1 < n ? Math.min(bars, trace.idx[row + 1]!) : bars;
    states.fill(trace.state[row]!, Math.max(0, start), Math.max(0, end));
  }
  return states;
}

/**
 * Regime of each bar's RETURN, by the timing rule (ARCHITECTURE.md): the regime of R_t is the
 * state at t - 1. returnRegimes[0] = -1 (bar 0 has no return), and -1 wherever state_{t-1} is -1.
 */
export function returnRegimes(states: Int32Array): Int32Array {
  const out = new Int32Array(states.length).fill(-1);
  for (let t = 1; t < states.length; t++) out[t] = states[t - 1]!;
  return out;
}

function weightVector(ids: readonly string[], record: Record<string, number> | undefined, path: string): Float64Array | null {
  if (!record) return null;
  const vector = new Float64Array(ids.length);
  for (const [id, weight] of Object.entries(record)) {
    const i = ids.indexOf(id);
    if (i < 0) throw new InputError(`${path}: strategy '${id}' is not a member of the ensemble (members: ${ids.join(', ')})`, { field: path, id });
    if (!Number.isFinite(weight)) throw new InputError(`${path}.${id} must be a finite number, got ${weight}`, { field: `${path}.${id}` });
    vector[i] = weight;
  }
  return vector;
}

/**
 * Dense ensemble positions. At each bar t the regime is the classifier state observed at t
 * (forward-filled), so a weight change takes effect from the bar its regime is observed:
 *
 *   pos_t = fround( sum_i w_{regime(t)}(i) * pos_i(t) )       (members in `members` order)
 *
 * which then earns R_{t+1} = pos_t * r_{t+1} by the timing rule. Positions are rounded to float32,
 * the precision the ensemble trace is stored in (signals/combined/ensemble_signals.parquet), so the
 * metrics of the stored trace equal the reported ones. Weights follow EnsembleWeights. O(T x M) time,
 * O(M) extra memory. InputError when a weight names a non-member or a regime label is unknown.
 */
export function ensemblePositions(bars: number, members: readonly EnsembleMember[], weights: EnsembleWeights, regimes?: BarRegimes): Float64Array {
  const ids = members.map((m) => m.id);
  const global = weightVector(ids, weights.global, 'weights.global');
  const labels = regimes?.labels ?? [];
  for (const label of Object.keys(weights.regimes ?? {})) {
    if (!labels.includes(label)) {
      throw new InputError(`weights.regimes: regime '${label}' is not a state of the classifier (states: ${labels.join(', ') || 'none: no classifier'})`, { field: `weights.regimes.${label}` });
    }
  }
  const byCode = labels.map((label) => weightVector(ids, weights.regimes?.[label], `weights.regimes.${label}`) ?? global);
  if (regimes && regimes.states.length !== bars) throw new InputError(`regime states have ${regimes.states.length} bars, expected ${bars}`);
  const m = members.length;
  const current = new Float64Array(m);
  const next = new Int32Array(m);
  const out = new Float64Array(bars);
  for (let t = 0; t < bars; t++) {
    for (let i = 0; i < m; i++) {
      const trace = members[i]!.trace;
      let row = next[i]!;
      while (row < trace.idx.length && trace.idx[row]! <= t) {
        current[i] = trace.signal[row]!;
        row++;
      }
      next[i] = row;
    }
    const code = regimes ? regimes.states[t]! : -1;
    const w = code >= 0 ? byCode[code] ?? null : global;
    if (!w) continue;
    let sum = 0;
    for (let i = 0; i < m; i++) sum += w[i]! * current[i]!;
    out[t] = Math.fround(sum);
  }
  return out;
}

/** Sparse change list of dense positions: a row at every bar where pos_t != pos_{t-1} (pos_{-1} = 0), float32 values. */
export function positionChanges(positions: Float64Array): { idx: Int32Array; signal: Float32Array } {
  const idx: number[] = [];
  const values: number[] = [];
  let previous = 0;
  for (let t = 0; t < positions.length; t++) {
    const value = positions[t]!;
    if (value !== previous) {
      idx.push(t);
      values.push(value);
      previous = value;
    }
  }
  return { idx: Int32Array.from(idx), signal: Float32Array.from(values) };
}

/** A half-open bar range [fromIdx, toIdx). */
export interface BarRange {
  /** First bar, inclusive. */
  fromIdx: number;
  /** End bar, exclusive. */
  toIdx: number;
}

function checkRange(range: BarRange, bars: number): void {
  const { fromIdx, toIdx } = range;
  if (!Number.isInteger(fromIdx) || !Number.isInteger(toIdx) || fromIdx < 0 || toIdx > bars || toIdx - fromIdx < 2) {
    throw new InputError(`bar range [${fromIdx}, ${toIdx}) must be integers with 0 <= from, to <= ${bars} (bars) and at least 2 bars`, { fromIdx, toIdx });
  }
}

function sliceChanges<T extends { idx: Int32Array }>(trace: T, range: BarRange): { rows: number[]; carried: number } {
  // carried: the last row at or before fromIdx (-1 when none); rows: rows strictly inside (from, to).
  let carried = -1;
  const rows: number[] = [];
  for (let row = 0; row < trace.idx.length; row++) {
    const idx = trace.idx[row]!;
    if (idx <= range.fromIdx) carried = row;
    else if (idx < range.toIdx) rows.push(row);
  }
  return { rows, carried };
}

/**
 * A signal trace restricted to bars [fromIdx, toIdx) and re-based (idx - fromIdx): the position held
 * at fromIdx (forward fill) becomes a row at 0, so the replay enters it at the first bar of the range
 * (paying its cost there) and starts flat only if the strategy was flat.
 */
export function sliceSignalTrace(trace: SignalTrace, range: BarRange): SignalTrace {
  const { rows, carried } = sliceChanges(trace, range);
  const all = carried >= 0 ? [carried, ...rows] : rows;
  return {
    idx: Int32Array.from(all, (row, i) => (i === 0 && row === carried ? 0 : trace.idx[row]! - range.fromIdx)),
    signal: Float64Array.from(all, (row) => trace.signal[row]!),
  };
}

/** A regime trace restricted to [fromIdx, toIdx) and re-based, the state at fromIdx carried to row 0. */
export function sliceRegimeTrace(trace: RegimeTrace, range: BarRange): RegimeTrace {
  const { rows, carried } = sliceChanges(trace, range);
  const all = carried >= 0 ? [carried, ...rows] : rows;
  return {
    idx: Int32Array.from(all, (row, i) => (i === 0 && row === carried ? 0 : trace.idx[row]! - range.fromIdx)),
    state: Int32Array.from(all, (row) => trace.state[row]!),
    labels: trace.labels,
  };
}

/** Bars [fromIdx, toIdx) (all columns), validated range. */
export function sliceBars(bars: Bars, range: BarRange): Bars {
  checkRange(range, bars.tsMs.length);
  const { fromIdx, toIdx } = range;
  return {
    tsMs: bars.tsMs.slice(fromIdx, toIdx), open: bars.open.slice(fromIdx, toIdx), high: bars.high.slice(fromIdx, toIdx),
    low: bars.low.slice(fromIdx, toIdx), close: bars.close.slice(fromIdx, toIdx), volume: bars.volume.slice(fromIdx, toIdx),
  };
}

/** Statistics of a return series restricted to one regime's bars. */
export interface RegimeReturnStats {
  /** Bars whose return falls in the regime. */
  bars: number;
  /** Compounded return over those bars, prod(1 + R) - 1 (null without bars). */
  totalReturn: number | null;
  /** mean(R) per bar (null without bars). */
  meanReturn: number | null;
  /** std(R, ddof = 1) * sqrt(P) (null for fewer than 2 bars). */
  volatility: number | null;
  /** mean(R) / std(R, ddof = 1) * sqrt(P) (null for fewer than 2 bars or zero variance). */
  sharpeRatio: number | null;
  /** Sum of the per-bar costs over those bars, when costs are given. */
  costs?: number;
}

/**
 * Per-regime statistics of per-bar returns: bar t counts in regime regimeOfReturn[t] (the state at
 * t - 1 by the timing rule; -1 bars are left out). Sharpe and volatility as in ARCHITECTURE.md,
 * risk-free 0, over the regime's bars only (their calendar gaps are ignored, as per-regime Sharpe
 * conventionally does). Every label gets an entry (bars 0 when it never occurs).
 */
export function returnsByRegime(
  returns: Float64Array, regimeOfReturn: Int32Array, labels: readonly string[], periodsPerYear: number, costs?: Float64Array,
): Record<string, RegimeReturnStats> {
  if (regimeOfReturn.length !== returns.length) throw new InputError(`regimeOfReturn has ${regimeOfReturn.length} bars for ${returns.length} returns`);
  const k = labels.length;
  const count = new Float64Array(k);
  const sum = new Float64Array(k);
  const growth = new Float64Array(k).fill(1);
  const costSum = new Float64Array(k);
  for (let t = 0; t < returns.length; t++) {
    const code = regimeOfReturn[t]!;
    if (code < 0 || code >= k) continue;
    count[code]! += 1;
    sum[code]! += returns[t]!;
    growth[code]! *= 1 + returns[t]!;
    if (costs) costSum[code]! += costs[t]!;
  }
  const squares = new Float64Array(k);
  for (let t = 0; t < returns.length; t++) {
    const code = regimeOfReturn[t]!;
    if (code < 0 || code >= k) continue;
    const d = returns[t]! - sum[code]! / count[code]!;
    squares[code]! += d * d;
  }
  const out: Record<string, RegimeReturnStats> = {};
  labels.forEach((label, code) => {
    const n = count[code]!;
    const mean = n > 0 ? sum[code]! / n : null;
    const std = n > 1 ? Math.sqrt(squares[code]! / (n - 1)) : NaN;
    const stats: RegimeReturnStats = {
      bars: n,
      totalReturn: n > 0 ? finiteOrNull(growth[code]! - 1) : null,
      meanReturn: mean,
      volatility: n > 1 ? annualizedVolatility(std, periodsPerYear) : null,
      sharpeRatio: n > 1 && mean !== null ? sharpeRatio(mean, std, periodsPerYear) : null,
    };
    if (costs) stats.costs = costSum[code]!;
    out[label] = stats;
  });
  return out;
}

/** Dense per-bar series of a strategy or ensemble (copied out of kernel memory). */
export interface DenseSeriesCopy {
  positions: Float64Array;
  gross: Float64Array;
  net: Float64Array;
  cost: Float64Array;
}

/**
 * Metrics of one change list (int8 or fractional positions) on `bars` by the dense path
 * (denseStrategyMetrics, the reference path, exact for fractional positions), plus a copy of its
 * per-bar series. The dense market is built and released within the call.
 */
export function denseMetricsWithSeries(
  bars: Pick<Bars, 'close' | 'volume'>, trace: SignalTrace, costs: ExecutionCosts, options: MetricOptions, source = 'bars',
): { metrics: PerformanceMetrics; series: DenseSeriesCopy } {
  return withScratch(() => {
    const market = buildDenseMarket(bars, costs, source);
    let series: DenseSeriesCopy | undefined;
    const metrics = denseStrategyMetrics(market, trace, costs, options, (s) => {
      series = { positions: s.positions.slice(), gross: s.gross.slice(), net: s.net.slice(), cost: s.cost.slice() };
    });
    return { metrics, series: series! };
  });
}

/**
 * Net per-bar returns of many strategies on one market (dense path, one market build): column j of
 * the result is strategy j's R_t (net of costs). Used for correlations, per-regime Sharpe and the
 * ensemble optimizer's return matrix.
 */
export function denseNetReturns(
  bars: Pick<Bars, 'close' | 'volume'>, traces: readonly SignalTrace[], costs: ExecutionCosts, options: MetricOptions, source = 'bars',
): Float64Array[] {
  return withScratch(() => {
    const market = buildDenseMarket(bars, costs, source);
    return traces.map((trace) => {
      let net: Float64Array | undefined;
      denseStrategyMetrics(market, trace, costs, options, (s) => { net = s.net.slice(); });
      return net!;
    });
  });
}
