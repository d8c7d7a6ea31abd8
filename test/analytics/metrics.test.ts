// Known values for every metric. Sources:
//  [E] empyrical's own suite, empyrical/tests/test_stats.py (quantopian/empyrical, the 0.5.x version
//      that seeds `rand = np.random.RandomState(1337)`): inputs simple_benchmark, positive_returns,
//      negative_returns, all_negative_returns, mixed_returns, flat_line_1, weekly/monthly_returns,
//      one_return, empty_returns, and the expected values quoted next to each assertion. empyrical's
//      tolerance is assert_almost_equal(..., DECIMAL_PLACES = 8); we also require 1e-9 (tolerance.ts).
//      empyrical reports max drawdown as a negative number; ours is its absolute value (ARCHITECTURE.md).
//      empyrical's `period` DAILY/WEEKLY/MONTHLY is our periodsPerYear 252/52/12.
//  [Q] quantstats.stats (ranaroussi/quantstats, quantstats/stats.py): win_rate = #(R > 0) / #(R != 0)
//      after dropna; profit_factor = |sum(R >= 0) / sum(R < 0)|; avg_win = mean(R | R > 0);
//      avg_loss = mean(R | R < 0); best = max R; worst = min R. Values derived by hand below.
//  [H] hand-derived in the comments from ARCHITECTURE.md's conventions.
import { describe, expect, it } from 'vitest';
import { seriesMetrics } from '../../src/analytics/seriesMetrics.ts';
import { denseStrategyMetrics, type DenseStrategySeries } from '../../src/analytics/denseMetrics.ts';
import { defaultExecutionCosts, zeroExecutionCosts } from '../../src/analytics/metricOptions.ts';
import { buildDenseMarket } from '../../src/market/denseMarket.ts';
import { moments } from '../../src/kernels/moments.ts';
import { SchemaError } from '../../src/errors.ts';
import type { ExecutionCosts, PerformanceMetrics, SignalTrace } from '../../src/types.ts';
import {
  allEdgeCases, edgeCases, EMPYRICAL_MIXED_RETURNS, EMPYRICAL_NEGATIVE_RETURNS, EMPYRICAL_POSITIVE_RETURNS,
  EMPYRICAL_SIMPLE_BENCHMARK, EMPYRICAL_WEEKLY_RETURNS, pricedEdgeCases, randomChangeList, randomPricePath, randomReturns,
  randomVolumes,
} from '../helpers/edgeCases.ts';
import { Rng } from '../helpers/rng.ts';
import { close, numpyAlmostEqual } from '../helpers/tolerance.ts';

const DAILY = { periodsPerYear: 252 };
const WEEKLY = { periodsPerYear: 52 };
const MONTHLY = { periodsPerYear: 12 };
const f64 = (values: readonly number[]) => Float64Array.from(values);

/** Asserts a value equals an empyrical/hand-derived number to 1e-9 (and to empyrical's 8 decimals). */
function expectValue(actual: number | null, expected: number, what: string): void {
  expect(actual, `${what}: got null`).not.toBeNull();
  expect(close(actual, expected) && numpyAlmostEqual(actual!, expected, 8), `${what}: ${actual} vs ${expected}`).toBe(true);
}

/** Every field is null or a finite number (ARCHITECTURE.md: never NaN in JSON). */
function expectNoNaN(metrics: PerformanceMetrics): void {
  for (const [key, value] of Object.entries(metrics)) {
    expect(value === null || (typeof value === 'number' && Number.isFinite(value)), `${key} = ${String(value)}`).toBe(true);
  }
}

describe('seriesMetrics vs empyrical test_stats.py [E]', () => {
  const mixed = seriesMetrics(f64(EMPYRICAL_MIXED_RETURNS), DAILY);
  it('mixed_returns, DAILY', () => {
    expectValue(mixed.annualizedReturn, 1.9135925373194231, 'test_annual_ret');
    expectValue(mixed.volatility, 0.9136465399704637, 'test_annual_volatility');
    expectValue(mixed.sharpeRatio, 1.7238613961706866, 'test_sharpe_ratio');
    expectValue(mixed.sortinoRatio, 2.605531251673693, 'test_sortino');
    expectValue(mixed.maxDrawdown, 0.1, 'test_max_drawdown (-0.1)');
    expectValue(mixed.calmarRatio, 19.135925373194233, 'test_calmar');
    // test_cum_returns_final: 0.03893 at 4 decimals; exactly 1.01*1.10*0.96*1.02*1.03*1.02*1.01*0.90 - 1 [H]
    expect(numpyAlmostEqual(mixed.totalReturn!, 0.03893, 4)).toBe(true);
    expectValue(mixed.totalReturn, 1.01 * 1.1 * 0.96 * 1.02 * 1.03 * 1.02 * 1.01 * 0.9 - 1, 'cum_returns_final');
    expect(mixed.netReturn).toBe(mixed.totalReturn);
    expect(mixed.grossReturn).toBe(mixed.totalReturn);
    expect(mixed.netSharpe).toBe(mixed.sharpeRatio);
    expect(mixed.grossSharpe).toBe(mixed.sharpeRatio);
    expect(mixed.totalCosts).toBe(0);
  });

  it('mixed_returns with required return flat_line_1 (0.01 per bar) via an annual risk-free rate', () => {
    // test_sortino(mixed_returns, flat_line_1, DAILY) = -1.3934779588919977. riskFreeRate is annual
    // and compounded per bar: (1 + rf)^(1/252) - 1 = 0.01 for rf = 1.01^252 - 1.
    const withRiskFree = seriesMetrics(f64(EMPYRICAL_MIXED_RETURNS), { periodsPerYear: 252, riskFreeRate: 1.01 ** 252 - 1 });
    expectValue(withRiskFree.sortinoRatio, -1.3934779588919977, 'test_sortino with flat_line_1');
    // Volatility does not depend on the risk-free rate; max drawdown is of the raw returns.
    expectValue(withRiskFree.volatility, 0.9136465399704637, 'test_annual_volatility');
    expectValue(withRiskFree.maxDrawdown, 0.1, 'max drawdown');
  });

  it('positive_returns: Sharpe, no drawdown, no downside (Sortino inf -> null, Calmar NaN -> null)', () => {
    const m = seriesMetrics(f64(EMPYRICAL_POSITIVE_RETURNS), DAILY);
    expectValue(m.sharpeRatio, 52.915026221291804, 'test_sharpe_ratio');
    expect(m.maxDrawdown).toBe(0); // test_max_drawdown: -0.0
    expect(m.sortinoRatio).toBeNull(); // test_sortino: np.inf
    expect(m.calmarRatio).toBeNull(); // empyrical calmar_ratio: NaN when max_dd >= 0
  });

  it('negative_returns', () => {
    const m = seriesMetrics(f64(EMPYRICAL_NEGATIVE_RETURNS), DAILY);
    expectValue(m.sharpeRatio, -24.406808633910085, 'test_sharpe_ratio');
    expectValue(m.sortinoRatio, -13.532743075043401, 'test_sortino');
    expectValue(m.maxDrawdown, 0.36590730349873601, 'test_max_drawdown');
    expect(numpyAlmostEqual(m.totalReturn!, -0.3659, 4)).toBe(true); // test_cum_returns_final
    // test_max_drawdown: for returns that never rise, max drawdown = -cum_returns_final
    expectValue(m.maxDrawdown, -m.totalReturn!, 'max drawdown = -total');
  });

  it('all_negative_returns: max drawdown = -cum_returns_final', () => {
    const returns = f64([-0.02, -0.06, -0.07, -0.01, -0.09, -0.02, -0.06, -0.08, -0.05]);
    const m = seriesMetrics(returns, DAILY);
    expectValue(m.maxDrawdown, 1 - 0.98 * 0.94 * 0.93 * 0.99 * 0.91 * 0.98 * 0.94 * 0.92 * 0.95, 'test_max_drawdown');
  });

  it('simple_benchmark: no drawdown, Sortino inf -> null', () => {
    const m = seriesMetrics(f64(EMPYRICAL_SIMPLE_BENCHMARK), DAILY);
    expect(m.maxDrawdown).toBe(0);
    expect(m.sortinoRatio).toBeNull();
    expect(m.calmarRatio).toBeNull();
  });

  it('[10, -10, 10] %: max drawdown 0.10', () => {
    expectValue(seriesMetrics(f64([0.1, -0.1, 0.1]), DAILY).maxDrawdown, 0.1, 'test_max_drawdown');
  });

  it('flat_line_1 (9 x 1 %): Sharpe inf -> null (zero variance), no drawdown', () => {
    const m = seriesMetrics(f64(new Array(9).fill(0.01)), DAILY);
    expect(m.sharpeRatio).toBeNull(); // test_sharpe_ratio(flat_line_1) = np.inf
    expect(m.volatility).toBe(0);
    expect(m.maxDrawdown).toBe(0);
    expect(m.calmarRatio).toBeNull();
  });

  it('flat_line_1_tz (1000 x 1 %): annual volatility 0', () => {
    const m = seriesMetrics(new Float64Array(1000).fill(0.01), DAILY);
    expect(numpyAlmostEqual(m.volatility!, 0, 8)).toBe(true); // test_annual_volatility = 0.0
  });

  it('weekly_returns, WEEKLY (P = 52)', () => {
    const m = seriesMetrics(f64(EMPYRICAL_WEEKLY_RETURNS), WEEKLY);
    expectValue(m.annualizedReturn, 0.24690830513998208, 'test_annual_ret');
    expectValue(m.volatility, 0.38851569394870583, 'test_annual_volatility');
    expectValue(m.calmarRatio, 2.4690830513998208, 'test_calmar');
    expectValue(m.sortinoRatio, 1.1158901056866439, 'test_sortino');
  });

  it('monthly_returns, MONTHLY (P = 12)', () => {
    const m = seriesMetrics(f64(EMPYRICAL_WEEKLY_RETURNS), MONTHLY);
    expectValue(m.annualizedReturn, 0.052242061386048144, 'test_annual_ret');
    expectValue(m.volatility, 0.18663690238892558, 'test_annual_volatility');
    expectValue(m.calmarRatio, 0.52242061386048144, 'test_calmar');
    expectValue(m.sortinoRatio, 0.53605626741889756, 'test_sortino');
  });

  it('downside deviation (moments kernel) vs test_downside_risk, annualized by sqrt(P)', () => {
    const cases: Array<[readonly number[], number, number, number]> = [
      [EMPYRICAL_MIXED_RETURNS, 0, 252, 0.60448325038829653],
      [EMPYRICAL_MIXED_RETURNS, 0.1, 252, 1.7161730681956295],
      [EMPYRICAL_WEEKLY_RETURNS, 0, 52, 0.25888650451930134],
      [EMPYRICAL_WEEKLY_RETURNS, 0.1, 52, 0.7733045971672482],
      [EMPYRICAL_WEEKLY_RETURNS, 0, 12, 0.1243650540411842],
      [EMPYRICAL_WEEKLY_RETURNS, 0.1, 12, 0.37148351242013422],
      [[0.01], 0, 252, 0], // one_return
    ];
    for (const [returns, required, P, expected] of cases) {
      expectValue(moments(f64(returns), required).downsideDeviation * Math.sqrt(P), expected, `downside_risk(required=${required}, P=${P})`);
    }
    // mixed_returns with required_return = mixed_returns: every excess is 0 -> downside 0, Sharpe NaN (null)
  });

  it('one_return: drawdown 0, Sharpe / Sortino / Calmar NaN -> null, cum_returns_final 0.01', () => {
    const m = seriesMetrics(f64([0.01]), DAILY);
    expect(m.maxDrawdown).toBe(0);
    expect(m.sharpeRatio).toBeNull();
    expect(m.sortinoRatio).toBeNull();
    expect(m.calmarRatio).toBeNull();
    expect(m.volatility).toBeNull();
    expectValue(m.totalReturn, 0.01, 'test_cum_returns_final(one_return)');
  });

  it('empty_returns: every metric null (empyrical NaN)', () => {
    const m = seriesMetrics(new Float64Array(0), DAILY);
    expect(m).toEqual({
      bars: 0, totalReturn: null, annualizedReturn: null, volatility: null, sharpeRatio: null, sortinoRatio: null,
      maxDrawdown: null, calmarRatio: null, winRate: null, profitFactor: null, avgWin: null, avgLoss: null,
      largestWin: null, largestLoss: null, grossReturn: null, netReturn: null, totalCosts: null, costPerTrade: null,
      grossSharpe: null, netSharpe: null, tradeCount: 0, exposure: null, avgTradeDurationBars: null,
    });
  });
});

describe('seriesMetrics per-bar win/loss vs quantstats definitions [Q]', () => {
  it('mixed_returns', () => {
    // Finite non-zero bars: 1, 10, -4, 2, 3, 2, 1, -10 (%). Wins 6, losses 2.
    const m = seriesMetrics(f64(EMPYRICAL_MIXED_RETURNS), DAILY);
    expectValue(m.winRate, 6 / 8, 'win_rate');
    expectValue(m.profitFactor, (0.01 + 0.1 + 0.02 + 0.03 + 0.02 + 0.01) / (0.04 + 0.1), 'profit_factor = 0.19 / 0.14');
    expectValue(m.avgWin, 0.19 / 6, 'avg_win');
    expectValue(m.avgLoss, -0.14 / 2, 'avg_loss');
    expect(m.largestWin).toBe(0.1); // best
    expect(m.largestLoss).toBe(-0.1); // worst
  });

  it('zero bars count neither way: simple_benchmark has 4 wins out of 4 non-zero bars', () => {
    const m = seriesMetrics(f64(EMPYRICAL_SIMPLE_BENCHMARK), DAILY);
    expect(m.winRate).toBe(1);
    expect(m.profitFactor).toBeNull(); // no loss: quantstats gives inf
    expect(m.avgLoss).toBeNull();
    expect(m.largestLoss).toBeNull();
    expectValue(m.avgWin, 0.01, 'avg_win');
  });

  it('negative_returns: no win', () => {
    const m = seriesMetrics(f64(EMPYRICAL_NEGATIVE_RETURNS), DAILY);
    expect(m.winRate).toBe(0);
    expect(m.profitFactor).toBe(0);
    expect(m.avgWin).toBeNull();
    expect(m.largestWin).toBeNull();
    expectValue(m.avgLoss, -(0.06 + 0.07 + 0.01 + 0.09 + 0.02 + 0.06 + 0.08 + 0.05) / 8, 'avg_loss');
    expect(m.largestLoss).toBe(-0.09);
  });
});

describe('seriesMetrics on every named edge case', () => {
  it.each(allEdgeCases.map((c) => [c.name, c] as const))('%s: no NaN or Infinity in any field', (_name, c) => {
    expectNoNaN(seriesMetrics(c.returns, DAILY));
  });

  it('allNaN: nothing observed -> risk metrics null; compounding treats NaN as 0', () => {
    const m = seriesMetrics(edgeCases.allNaN.returns, DAILY);
    expect(m).toMatchObject({ bars: 7, totalReturn: 0, annualizedReturn: 0, maxDrawdown: 0, volatility: null, sharpeRatio: null, sortinoRatio: null, calmarRatio: null, winRate: null });
  });

  it('flatLine (all returns 0): zero variance -> null Sharpe; no drawdown -> null Calmar; no losses -> null profitFactor', () => {
    const m = seriesMetrics(edgeCases.flatLine.returns, DAILY);
    expect(m).toMatchObject({ totalReturn: 0, annualizedReturn: 0, volatility: 0, sharpeRatio: null, sortinoRatio: null, maxDrawdown: 0, calmarRatio: null, winRate: null, profitFactor: null });
  });

  it('withGaps: NaN bars are skipped by moments but counted in n for the annualization', () => {
    // Finite: 0.01, 0.02, -0.01, 0.03, -0.02 (5 of 9 bars). total = 1.01*1.02*0.99*1.03*0.98 - 1 [H]
    const m = seriesMetrics(edgeCases.withGaps.returns, DAILY);
    const total = 1.01 * 1.02 * 0.99 * 1.03 * 0.98 - 1;
    expectValue(m.totalReturn, total, 'total');
    expectValue(m.annualizedReturn, (1 + total) ** (252 / 9) - 1, 'CAGR over n = 9 bars');
    const finite = seriesMetrics(f64([0.01, 0.02, -0.01, 0.03, -0.02]), DAILY);
    expectValue(m.sharpeRatio, finite.sharpeRatio!, 'Sharpe skips NaN');
    expectValue(m.sortinoRatio, finite.sortinoRatio!, 'Sortino skips NaN');
    expectValue(m.volatility, finite.volatility!, 'volatility skips NaN');
  });

  it('Sortino of a single losing bar is null, as empyrical.sortino_ratio returns NaN when len(returns) < 2', () => {
    expect(seriesMetrics(f64([-0.01]), DAILY).sortinoRatio).toBeNull();
    // two bars are enough: mean = -0.005, DD = sqrt((0.01^2 + 0) / 2) -> -0.005 / 0.0070710678 * sqrt(252)
    expectValue(seriesMetrics(f64([-0.01, 0]), DAILY).sortinoRatio, (-0.005 / Math.sqrt(0.0001 / 2)) * Math.sqrt(252), 'sortino');
  });
});

describe('metamorphic properties', () => {
  const rng = new Rng(99);
  const returns = randomReturns(rng, 501, 0.02, 0.012, 0.0004);

  it('Sharpe is scale invariant; volatility scales; sign flips Sharpe', () => {
    const base = seriesMetrics(returns, DAILY);
    for (const c of [0.5, 3, 10]) {
      const scaled = seriesMetrics(returns.map((x) => c * x), DAILY);
      expectValue(scaled.sharpeRatio, base.sharpeRatio!, `Sharpe at scale ${c}`);
      expectValue(scaled.sortinoRatio, base.sortinoRatio!, `Sortino at scale ${c}`);
      expectValue(scaled.volatility, c * base.volatility!, `volatility at scale ${c}`);
    }
    expectValue(seriesMetrics(returns.map((x) => -x), DAILY).sharpeRatio, -base.sharpeRatio!, 'Sharpe of -R');
  });

  it('max drawdown does not grow when returns are raised (empyrical test_max_drawdown_translation)', () => {
    const base = seriesMetrics(returns, DAILY).maxDrawdown!;
    for (const k of [0.0001, 0.001, 0.01]) {
      expect(seriesMetrics(returns.map((x) => x + k), DAILY).maxDrawdown!).toBeLessThanOrEqual(base);
      expect(seriesMetrics(returns.map((x) => x - k), DAILY).maxDrawdown!).toBeGreaterThanOrEqual(base);
    }
  });

  it('long/short symmetry: negating the trace negates gross returns bar by bar, costs unchanged', () => {
    const n = 1001;
    const close = randomPricePath(rng, n);
    const volume = randomVolumes(rng, n);
    const trace = randomChangeList(rng, n, 0.05);
    const flipped: SignalTrace = { idx: trace.idx, signal: trace.signal.map((s) => -s) };
    for (const costs of [defaultExecutionCosts(), defaultExecutionCosts({ slippageModel: 'sqrt' })]) {
      const market = buildDenseMarket({ close, volume }, costs);
      const long = capture(market, trace, costs);
      const short = capture(market, flipped, costs);
      for (let t = 0; t < n; t++) {
        const sum = short.series.gross[t]! + long.series.gross[t]!;
        expect(sum === 0, `bar ${t}: ${short.series.gross[t]} vs ${long.series.gross[t]}`).toBe(true); // exact negation
        expect(short.series.cost[t]).toBe(long.series.cost[t]);
      }
      expect(short.metrics.tradeCount).toBe(long.metrics.tradeCount);
      expect(short.metrics.exposure).toBe(long.metrics.exposure);
      expect(short.metrics.totalCosts).toBe(long.metrics.totalCosts);
      expect(short.metrics.avgTradeDurationBars).toBe(long.metrics.avgTradeDurationBars);
      expectValue(short.metrics.grossSharpe, -long.metrics.grossSharpe!, 'gross Sharpe of the mirrored strategy');
    }
  });

  it('scaling positions scales gross returns and leaves the gross Sharpe unchanged (zero costs)', () => {
    const n = 777;
    const close = randomPricePath(rng, n);
    const trace = randomChangeList(rng, n, 0.05);
    const costs = zeroExecutionCosts();
    const market = buildDenseMarket({ close, volume: new Float64Array(n).fill(1e6) }, costs);
    const base = capture(market, trace, costs);
    const half = capture(market, { idx: trace.idx, signal: trace.signal.map((s) => 0.5 * s) }, costs);
    expectValue(half.metrics.grossSharpe, base.metrics.grossSharpe!, 'gross Sharpe at half size');
    for (let t = 0; t < n; t++) expect(half.series.gross[t]).toBe(0.5 * base.series.gross[t]!);
  });
});

/** Runs denseStrategyMetrics and keeps copies of the dense series. */
function capture(market: ReturnType<typeof buildDenseMarket>, trace: SignalTrace, costs: ExecutionCosts) {
  let series: DenseStrategySeries | undefined;
  const metrics = denseStrategyMetrics(market, trace, costs, DAILY, (s) => {
    series = { positions: s.positions.slice(), gross: s.gross.slice(), net: s.net.slice(), cost: s.cost.slice() };
  });
  return { metrics, series: series! };
}

function expectSeries(actual: Float64Array, expected: readonly number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  expected.forEach((value, t) => expect(close(actual[t], value), `${what}[${t}]: ${actual[t]} vs ${value}`).toBe(true));
}

describe('denseStrategyMetrics: hand-derived strategies [H]', () => {
  // Six bars alternating +10 % / -10 %: close 100, 110, 99, 108.9, 98.01, 107.811
  //   r = [0, .1, -.1, .1, -.1, .1]
  // Trace: long at bar 0, flip to short at bar 2, flip to long at bar 4 (still open at bar 5):
  //   pos = [1, 1, -1, -1, 1, 1]
  // gross[t] = pos[t-1] r[t] = [0, .1, -.1, -.1, .1, .1]
  const close = f64([100, 110, 99, 108.9, 98.01, 107.811]);
  const trace: SignalTrace = { idx: Int32Array.from([0, 2, 4]), signal: f64([1, -1, 1]) };
  const gross = [0, 0.1, -0.1, -0.1, 0.1, 0.1];

  it('linear costs: series, trades, costs, exposure, durations', () => {
    // unit = commission 0.001 + slippage 0.0005 = 0.0015; |Δpos| = 1, 2, 2 at bars 0, 2, 4
    //   cost = [0.0015, 0, 0.003, 0, 0.003, 0];  totalCosts = 0.0075
    //   net  = gross - cost = [-0.0015, 0.1, -0.103, -0.1, 0.097, 0.1]
    // Trades (a flip's cost is split over its legs, 0.0015 each):
    //   T1 long  0..2: gross 1.1*0.9 - 1 = -0.01; net 0.9985*1.1*0.9*0.9985 - 1
    //   T2 short 2..4: gross 0.9*1.1 - 1 = -0.01; net 0.9985*0.9*1.1*0.9985 - 1
    //   T3 long  4..5, open at the end (no exit cost): gross 0.1; net 0.9985*1.1 - 1 = 0.09835
    // tradeCount 3; winRate 1/3; profitFactor 0.09835 / (2 * 0.0129677725)
    // durations 2 + 2 + 1 = 5 bars -> avg 5/3; exposure: bars 1..5 are earned by a position -> 5/6
    // costPerTrade 0.0075 / 3 = 0.0025; grossReturn 1.1^3 * 0.9^2 - 1 = 0.07811
    // max drawdown of net equity: peak after bar 1 (0.9985*1.1), trough after bar 3 -> 1 - 0.897*0.9 = 0.1927
    const costs = defaultExecutionCosts();
    const market = buildDenseMarket({ close, volume: new Float64Array(6).fill(1e6) }, costs);
    const { metrics, series } = capture(market, trace, costs);
    const net = [-0.0015, 0.1, -0.103, -0.1, 0.097, 0.1];
    expectSeries(series.positions, [1, 1, -1, -1, 1, 1], 'positions');
    expectSeries(series.gross, gross, 'gross');
    expectSeries(series.cost, [0.0015, 0, 0.003, 0, 0.003, 0], 'cost');
    expectSeries(series.net, net, 'net');
    const loss = 0.9985 * 1.1 * 0.9 * 0.9985 - 1;
    const win = 0.9985 * 1.1 - 1;
    expect(metrics.tradeCount).toBe(3);
    expectValue(metrics.winRate, 1 / 3, 'winRate');
    expectValue(metrics.profitFactor, win / (-2 * loss), 'profitFactor');
    expectValue(metrics.avgWin, win, 'avgWin');
    expectValue(metrics.avgLoss, loss, 'avgLoss');
    expectValue(metrics.largestWin, 0.09835, 'largestWin');
    expectValue(metrics.largestLoss, -0.0129677725, 'largestLoss');
    expectValue(metrics.totalCosts, 0.0075, 'totalCosts');
    expectValue(metrics.costPerTrade, 0.0025, 'costPerTrade');
    expectValue(metrics.exposure, 5 / 6, 'exposure');
    expectValue(metrics.avgTradeDurationBars, 5 / 3, 'avgTradeDurationBars');
    expectValue(metrics.grossReturn, 0.07811, 'grossReturn');
    const netTotal = net.reduce((growth, x) => growth * (1 + x), 1) - 1;
    expectValue(metrics.netReturn, netTotal, 'netReturn');
    expectValue(metrics.totalReturn, netTotal, 'totalReturn');
    expectValue(metrics.annualizedReturn, (1 + netTotal) ** (252 / 6) - 1, 'annualizedReturn');
    expectValue(metrics.maxDrawdown, 1 - 0.897 * 0.9, 'maxDrawdown');
    expectValue(metrics.calmarRatio, ((1 + netTotal) ** (252 / 6) - 1) / (1 - 0.897 * 0.9), 'calmarRatio');
    // The ratio formulas are those of the plain series (checked against empyrical above):
    const netSeries = seriesMetrics(f64(net), DAILY);
    const grossSeries = seriesMetrics(f64(gross), DAILY);
    expectValue(metrics.sharpeRatio, netSeries.sharpeRatio!, 'Sharpe of net');
    expectValue(metrics.netSharpe, netSeries.sharpeRatio!, 'netSharpe');
    expectValue(metrics.grossSharpe, grossSeries.sharpeRatio!, 'grossSharpe');
    expectValue(metrics.sortinoRatio, netSeries.sortinoRatio!, 'Sortino of net');
    expectValue(metrics.volatility, netSeries.volatility!, 'volatility of net');
    // Sharpe by hand: mean(net) = 0.0925 / 6; deviations squared summed, ddof = 1.
    const mean = 0.0925 / 6;
    const variance = net.reduce((s, x) => s + (x - mean) ** 2, 0) / 5;
    expectValue(metrics.sharpeRatio, (mean / Math.sqrt(variance)) * Math.sqrt(252), 'Sharpe by hand');
  });

  it('sqrt costs: square-root impact with rolling sigma', () => {
    // window 2: sigma[t] = std(r[t-1], r[t], ddof 1) for t >= 2; sigma[0] = sigma[1] = 0.
    //   sigma[2] = sigma[4] = std(0.1, -0.1) = sqrt(0.02)
    // cost[t] = |Δ| (0.001 + k sigma[t] sqrt(|Δ| capital / (close[t] volume[t]))), k = 1, capital 1e5
    //   bar 0: |Δ| 1, sigma 0          -> 0.001
    //   bar 2: |Δ| 2, close 99,    volume 2e6 -> 2 (0.001 + sqrt(0.02) sqrt(2e5 / 1.98e8))
    //   bar 4: |Δ| 2, close 98.01, volume 5e5 -> 2 (0.001 + sqrt(0.02) sqrt(2e5 / 4.9005e7))
    const costs = defaultExecutionCosts({ slippageModel: 'sqrt', volatilityWindowBars: 2, impactCoefficient: 1, capital: 1e5 });
    const volume = f64([1e6, 1e6, 2e6, 1e6, 5e5, 1e6]);
    const market = buildDenseMarket({ close, volume }, costs);
    const { metrics, series } = capture(market, trace, costs);
    const c2 = 2 * (0.001 + Math.sqrt(0.02) * Math.sqrt(2e5 / (99 * 2e6)));
    const c4 = 2 * (0.001 + Math.sqrt(0.02) * Math.sqrt(2e5 / (98.01 * 5e5)));
    expectSeries(series.cost, [0.001, 0, c2, 0, c4, 0], 'cost');
    expectSeries(series.net, [-0.001, 0.1, -0.1 - c2, -0.1, 0.1 - c4, 0.1], 'net');
    // Trades: legs pay half of a flip's cost each (|pos| = 1 on both sides).
    const t1 = (1 - 0.001) * 1.1 * 0.9 * (1 - c2 / 2) - 1;
    const t2 = (1 - c2 / 2) * 0.9 * 1.1 * (1 - c4 / 2) - 1;
    const t3 = (1 - c4 / 2) * 1.1 - 1;
    expect(metrics.tradeCount).toBe(3);
    expectValue(metrics.totalCosts, 0.001 + c2 + c4, 'totalCosts');
    expectValue(metrics.costPerTrade, (0.001 + c2 + c4) / 3, 'costPerTrade');
    expectValue(metrics.largestLoss, Math.min(t1, t2), 'largestLoss');
    expectValue(metrics.avgLoss, (t1 + t2) / 2, 'avgLoss');
    expectValue(metrics.largestWin, t3, 'largestWin');
    expectValue(metrics.profitFactor, t3 / -(t1 + t2), 'profitFactor');
    expectValue(metrics.grossReturn, 0.07811, 'grossReturn (costs do not touch gross)');
  });

  it('fractional resize: a resize within one sign stays in the trade and pays its own cost', () => {
    // Flat prices (r = 0); trace 0.5 at bar 0, 1 at bar 1, 0 at bar 3 on 5 bars.
    //   pos = [0.5, 1, 1, 0, 0]; |Δpos| = 0.5, 0.5, 0, 1 -> cost = 0.0015 * [0.5, 0.5, 0, 1, 0]
    // One trade 0..3: net = (1 - 0.00075)(1 - 0.00075)(1 - 0.0015) - 1 (entry, resize, exit); gross 0
    // exposure: bars 1..3 held -> 3/5; duration 3
    const costs = defaultExecutionCosts();
    const market = buildDenseMarket({ close: new Float64Array(5).fill(100), volume: new Float64Array(5).fill(1e6) }, costs);
    const { metrics } = capture(market, { idx: Int32Array.from([0, 1, 3]), signal: f64([0.5, 1, 0]) }, costs);
    const net = 0.99925 * 0.99925 * 0.9985 - 1;
    expect(metrics.tradeCount).toBe(1);
    expectValue(metrics.largestLoss, net, 'trade net');
    expectValue(metrics.totalCosts, 0.003, 'totalCosts');
    expectValue(metrics.exposure, 3 / 5, 'exposure');
    expectValue(metrics.avgTradeDurationBars, 3, 'duration');
    expect(metrics.grossReturn).toBe(0);
    expect(metrics.grossSharpe).toBeNull(); // zero variance
    // With zero costs the single trade returns exactly 0: a trade, but neither win nor loss.
    const free = capture(buildDenseMarket({ close: new Float64Array(5).fill(100), volume: new Float64Array(5).fill(1e6) }, zeroExecutionCosts()),
      { idx: Int32Array.from([0, 1, 3]), signal: f64([0.5, 1, 0]) }, zeroExecutionCosts()).metrics;
    expect(free).toMatchObject({ tradeCount: 1, winRate: 0, profitFactor: null, avgWin: null, avgLoss: null, totalCosts: 0, costPerTrade: 0 });
  });
});

describe('denseStrategyMetrics on the named edge cases', () => {
  const costs = defaultExecutionCosts();
  it.each(pricedEdgeCases.map((c) => [c.name, c] as const))('%s: no NaN or Infinity in any field', (_name, c) => {
    expectNoNaN(denseStrategyMetrics(buildDenseMarket(c, costs), c.trace, costs, DAILY));
  });

  it('emptyReturns: every metric null, no trades', () => {
    const m = denseStrategyMetrics(buildDenseMarket(edgeCases.emptyReturns, costs), edgeCases.emptyReturns.trace, costs, DAILY);
    expect(m).toEqual({
      bars: 0, totalReturn: null, annualizedReturn: null, volatility: null, sharpeRatio: null, sortinoRatio: null,
      maxDrawdown: null, calmarRatio: null, winRate: null, profitFactor: null, avgWin: null, avgLoss: null,
      largestWin: null, largestLoss: null, grossReturn: null, netReturn: null, totalCosts: null, costPerTrade: null,
      grossSharpe: null, netSharpe: null, tradeCount: 0, exposure: null, avgTradeDurationBars: null,
    });
  });

  it('oneBar: a trade opened on the only bar earns nothing and pays its entry cost', () => {
    // net = [-0.0015]; one open trade 0..0, net -0.0015; exposure 0/1; Sharpe needs 2 bars -> null;
    // one losing trade and no win: profitFactor = 0 / 0.0015 = 0
    const c = edgeCases.oneBar;
    const m = denseStrategyMetrics(buildDenseMarket(c, costs), c.trace, costs, DAILY);
    expect(m).toMatchObject({ bars: 1, tradeCount: 1, exposure: 0, avgTradeDurationBars: 0, sharpeRatio: null, volatility: null, winRate: 0, profitFactor: 0, grossReturn: 0 });
    expectValue(m.totalReturn, -0.0015, 'totalReturn');
    expectValue(m.largestLoss, -0.0015, 'trade net');
    expectValue(m.maxDrawdown, 0.0015, 'maxDrawdown: the start value 1 is the first peak');
  });

  it('flatLine: zero variance -> null Sharpe; costs are the only loss', () => {
    // pos = [1,1,1,1,0,...]: cost 0.0015 at bars 0 and 4; gross all 0
    const c = edgeCases.flatLine;
    const m = denseStrategyMetrics(buildDenseMarket(c, costs), c.trace, costs, DAILY);
    expect(m).toMatchObject({ tradeCount: 1, grossReturn: 0, grossSharpe: null });
    expectValue(m.totalCosts, 0.003, 'totalCosts');
    expectValue(m.netReturn, 0.9985 * 0.9985 - 1, 'netReturn');
    expectValue(m.exposure, 4 / 9, 'exposure');
  });

  it('noTrades: nothing traded -> trade fields null, exposure 0, zero variance', () => {
    const c = edgeCases.noTrades;
    const m = denseStrategyMetrics(buildDenseMarket(c, costs), c.trace, costs, DAILY);
    expect(m).toMatchObject({
      tradeCount: 0, winRate: null, profitFactor: null, avgWin: null, avgLoss: null, largestWin: null, largestLoss: null,
      costPerTrade: null, avgTradeDurationBars: null, exposure: 0, totalCosts: 0, totalReturn: 0, maxDrawdown: 0,
      calmarRatio: null, sharpeRatio: null, sortinoRatio: null,
    });
  });

  it('positiveReturns held long with zero costs: no losing trade -> null profitFactor, null Sortino', () => {
    const c = edgeCases.positiveReturns;
    const free = zeroExecutionCosts();
    const m = denseStrategyMetrics(buildDenseMarket(c, free), c.trace, free, DAILY);
    expect(m).toMatchObject({ tradeCount: 1, winRate: 1, profitFactor: null, sortinoRatio: null, maxDrawdown: 0, calmarRatio: null });
  });

  it('allShort: a short trade gains when prices fall', () => {
    // close 100 .. 106 (TEN_BARS); short from bar 0, open to the end, zero costs: trade gross = prod(1 - r) - 1
    const c = edgeCases.allShort;
    const free = zeroExecutionCosts();
    const m = denseStrategyMetrics(buildDenseMarket(c, free), c.trace, free, DAILY);
    let growth = 1;
    for (let t = 1; t < c.close.length; t++) growth *= 1 - (c.close[t]! / c.close[t - 1]! - 1);
    expect(m.tradeCount).toBe(1);
    expectValue(m.largestLoss, growth - 1, 'short trade return'); // prices rose 100 -> 106: the short loses
    expectValue(m.exposure, 9 / 10, 'exposure');
  });

  it('flipLongToShortInOneBar: one bar closes the long and opens the short (|Δpos| = 2)', () => {
    // close 100, 101, 99, 102, 104, 103; pos = [0, 1, 1, -1, -1, -1]
    // cost at bar 3 = 2 * 0.0015; T1 long 1..3: net 0.9985 * (99/101) * (102/99) * 0.9985 - 1
    // T2 short 3..5 (open): net 0.9985 * (1 - (104/102 - 1)) * (1 - (103/104 - 1)) - 1
    // t1 = +0.69 % (win), t2 = -1.17 % (loss): winRate 1/2, profitFactor t1 / -t2
    const c = edgeCases.flipLongToShortInOneBar;
    const m = denseStrategyMetrics(buildDenseMarket(c, costs), c.trace, costs, DAILY);
    const t1 = 0.9985 * (99 / 101) * (102 / 99) * 0.9985 - 1;
    const t2 = 0.9985 * (2 - 104 / 102) * (2 - 103 / 104) - 1;
    expect(m.tradeCount).toBe(2);
    expectValue(m.totalCosts, 0.0015 + 0.003, 'totalCosts');
    expectValue(m.largestWin, t1, 'largestWin');
    expectValue(m.largestLoss, t2, 'largestLoss');
    expectValue(m.winRate, 0.5, 'winRate');
    expectValue(m.profitFactor, t1 / -t2, 'profitFactor');
    expectValue(m.avgTradeDurationBars, (2 + 2) / 2, 'avgTradeDurationBars');
    expectValue(m.exposure, 4 / 6, 'exposure');
  });

  it('changeAtLastBar: a flip on the last bar leaves a zero-length open trade paying its entry cost', () => {
    // pos = [1, 1, 1, 1, -1]: T1 long 0..4 closed at bar 4 (exit leg 0.0015), T2 short 4..4 open: net -0.0015
    const c = edgeCases.changeAtLastBar;
    const m = denseStrategyMetrics(buildDenseMarket(c, costs), c.trace, costs, DAILY);
    expect(m.tradeCount).toBe(2);
    expectValue(m.largestLoss, -0.0015, 'zero-length trade');
    expectValue(m.avgTradeDurationBars, 4 / 2, 'avgTradeDurationBars');
    expectValue(m.largestWin, 0.9985 * (103 / 100) * 0.9985 - 1, 'long trade');
  });

  it('invalid prices: buildDenseMarket throws SchemaError naming the bar', () => {
    expect(() => buildDenseMarket(edgeCases.withGaps, costs)).toThrow(SchemaError);
    expect(() => buildDenseMarket(edgeCases.withGaps, costs)).toThrow(/close at bar 2 is NaN/);
    expect(() => buildDenseMarket(edgeCases.nonPositivePrice, costs)).toThrow(/close at bar 1 is 0/);
    expect(() => buildDenseMarket(edgeCases.allNaN, costs)).toThrow(/close at bar 0 is NaN/);
  });

  it('zeroVolumeTrade: the sqrt law cannot price a trade on a bar without volume', () => {
    const c = edgeCases.zeroVolumeTrade;
    const sqrtCosts = defaultExecutionCosts({ slippageModel: 'sqrt' });
    const market = buildDenseMarket(c, sqrtCosts);
    expect(() => denseStrategyMetrics(market, c.trace, sqrtCosts, DAILY)).toThrow(SchemaError);
    expect(() => denseStrategyMetrics(market, c.trace, sqrtCosts, DAILY)).toThrow(/^bar 2: the sqrt cost model needs volume > 0/);
    // The linear model does not read volume.
    expect(denseStrategyMetrics(buildDenseMarket(c, costs), c.trace, costs, DAILY).tradeCount).toBe(1);
  });
});

describe('constant series', () => {
  it('has exactly zero volatility and an undefined Sharpe, whatever the rounding of the mean', () => {
    const m = seriesMetrics(new Float64Array(1001).fill(0.01), { periodsPerYear: 252 });
    expect(m.volatility).toBe(0);
    expect(m.sharpeRatio).toBeNull();
  });
});
