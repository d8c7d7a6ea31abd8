// Per-regime metrics: the change-proportional kernel against the dense reference (test/reference/
// regimes.ts) to 1e-9 relative on random strategies x random classifiers, both cost models; the
// regime parts add up to the whole; classifier statistics; consensus regimes.
import { describe, expect, it } from 'vitest';
import { consensusRegimes, CONSENSUS_TIE_RULE } from '../../src/analytics/consensus.ts';
import { denseStrategyMetrics } from '../../src/analytics/denseMetrics.ts';
import { defaultExecutionCosts, type MetricOptions } from '../../src/analytics/metricOptions.ts';
import {
  classifierSeparation, denseRegimeAggregates, regimeCodes, regimeMetricsFromAggregates, sparseRegimeAggregates, strategyRegimeMetrics,
  type ClassifierRegimeAggregates,
} from '../../src/analytics/regimeMetrics.ts';
import { classifierStats, regimeOfReturnBars, regimeReturnBarCounts, UNCLASSIFIED_REGIME } from '../../src/analytics/regimeStats.ts';
import { assembleStrategyMetrics, riskFreeForOptions, type StrategyAggregates } from '../../src/analytics/strategyMetrics.ts';
import { buildRegimeTables } from '../../src/kernels/regimes.ts';
import { buildMarketIndex, type MarketIndex } from '../../src/market/marketIndex.ts';
import type { ExecutionCosts, PerformanceMetrics, RegimeTrace, SignalTrace } from '../../src/types.ts';
import { randomPricePath, randomVolumes } from '../helpers/edgeCases.ts';
import { Rng } from '../helpers/rng.ts';
import { referenceRegimeAggregates, stateAt } from '../reference/regimes.ts';

const RELATIVE = 1e-9;
/** Values this close to 0 are equal (about 10 ulps of a per-bar return of order 1). */
const FLOOR = 1e-15;

function mismatches(expected: PerformanceMetrics, actual: PerformanceMetrics): string[] {
  const out: string[] = [];
  for (const key of Object.keys(expected) as (keyof PerformanceMetrics)[]) {
    const a = expected[key];
    const b = actual[key];
    if (a === b) continue;
    if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) { out.push(`${key}: reference ${a} kernel ${b}`); continue; }
    if (Math.abs(a - b) > Math.max(RELATIVE * Math.max(Math.abs(a), Math.abs(b)), FLOOR)) out.push(`${key}: reference ${a} kernel ${b}`);
  }
  return out;
}

function randomTrace(rng: Rng, n: number): SignalTrace {
  const idx: number[] = [];
  const signal: number[] = [];
  const style = rng.integer(0, 4);
  let t = rng.chance(0.3) ? 0 : rng.integer(0, Math.max(1, Math.min(n, 40)));
  while (t < n) {
    idx.push(t);
    signal.push(rng.pick([-1, 0, 1, 1, -1]));
    t += style === 0 ? 1 : style === 1 ? (rng.chance(0.1) ? rng.integer(100, 3000) : rng.integer(1, 5)) : rng.integer(1, 60);
  }
  return { idx: Int32Array.from(idx), signal: Float64Array.from(signal) };
}

/** A classifier with 1..4 labels, changes at random gaps (repeated rows allowed, maybe at bar 0). */
function randomClassifier(rng: Rng, n: number): RegimeTrace {
  const labels = ['calm', 'trend', 'volatile', 'crash'].slice(0, rng.integer(1, 5));
  const idx: number[] = [];
  const state: number[] = [];
  let t = rng.chance(0.3) ? 0 : rng.integer(0, Math.min(n, 200));
  const long = rng.chance(0.5);
  while (t < n) {
    idx.push(t);
    state.push(rng.integer(0, labels.length));
    t += long ? rng.integer(1, 5000) : rng.integer(1, 40);
  }
  return { idx: Int32Array.from(idx), state: Int32Array.from(state), labels };
}

interface Setup { index: MarketIndex; options: MetricOptions; costs: ExecutionCosts }

function setup(rng: Rng, n: number, model: 'linear' | 'sqrt', riskFreeRate: number): Setup {
  const costs = defaultExecutionCosts({ slippageModel: model, volatilityWindowBars: rng.integer(2, 30) });
  const options: MetricOptions = { periodsPerYear: 252, riskFreeRate };
  const bars = { close: randomPricePath(rng, n, { drift: rng.between(-0.001, 0.001), volatility: rng.between(0.001, 0.02) }), volume: randomVolumes(rng, n) };
  return { index: buildMarketIndex(bars, costs, undefined, { riskFreePerBar: riskFreeForOptions(options) }), options, costs };
}

/** Reference aggregates of one strategy x classifier from the dense series of denseStrategyMetrics. */
function reference(s: Setup, trace: SignalTrace, classifier: RegimeTrace): StrategyAggregates[] {
  let series: { positions: Float64Array; gross: Float64Array; net: Float64Array; cost: Float64Array } | undefined;
  denseStrategyMetrics(s.index, trace, s.costs, s.options, (d) => {
    series = { positions: d.positions.slice(), gross: d.gross.slice(), net: d.net.slice(), cost: d.cost.slice() };
  });
  return referenceRegimeAggregates({ ...series!, returns: s.index.returns.slice() }, classifier, riskFreeForOptions(s.options));
}

function sparse(s: Setup, trace: SignalTrace, classifiers: RegimeTrace[]): ClassifierRegimeAggregates[] {
  const tables = buildRegimeTables(s.index, riskFreeForOptions(s.options), s.index.instance);
  const result = sparseRegimeAggregates(tables, trace, classifiers.map(regimeCodes), s.costs, s.options, s.index.instance);
  if (result.path !== 'sparse') throw new Error(`unexpected fallback: ${result.reason}`);
  return result.classifiers;
}

describe('per-regime metrics: change-proportional vs dense reference', () => {
  for (const model of ['linear', 'sqrt'] as const) {
    for (const riskFreeRate of [0, 0.04]) {
      it(`${model} costs, rf ${riskFreeRate}: every metric of every regime to 1e-9 relative`, () => {
        const rng = new Rng((model === 'linear' ? 101 : 202) + riskFreeRate * 1000);
        let checked = 0;
        for (let round = 0; round < 6; round++) {
          const n = round === 0 ? 2 : round === 1 ? rng.integer(4100, 9000) : rng.integer(3, 1500);
          const s = setup(rng, n, model, riskFreeRate);
          const classifiers = [randomClassifier(rng, n), randomClassifier(rng, n), randomClassifier(rng, n)];
          for (let k = 0; k < 6; k++) {
            const trace = randomTrace(rng, n);
            const got = sparse(s, trace, classifiers);
            classifiers.forEach((classifier, c) => {
              const expected = reference(s, trace, classifier);
              expected.forEach((agg, code) => {
                const label = `n=${n} round ${round} strategy ${k} classifier ${c} regime ${code}`;
                expect(mismatches(assembleStrategyMetrics(agg, s.options), assembleStrategyMetrics(got[c]!.perRegime[code]!, s.options)), label).toEqual([]);
                checked++;
              });
            });
          }
        }
        expect(checked).toBeGreaterThan(100);
      });
    }
  }

  it('dense fallback path (fractional positions) agrees with the reference too', () => {
    const rng = new Rng(9);
    const s = setup(rng, 700, 'linear', 0.02);
    const classifier = randomClassifier(rng, 700);
    const trace: SignalTrace = { idx: Int32Array.from([0, 50, 200, 201, 500]), signal: Float64Array.from([0.5, -0.25, 1, 0, 0.75]) };
    const tables = buildRegimeTables(s.index, riskFreeForOptions(s.options), s.index.instance);
    const result = sparseRegimeAggregates(tables, trace, [regimeCodes(classifier)], s.costs, s.options, s.index.instance);
    expect(result.path).toBe('fallback');
    const dense = denseRegimeAggregates(s.index, trace, [regimeCodes(classifier)], s.costs, s.options)[0]!;
    reference(s, trace, classifier).forEach((agg, code) => {
      expect(mismatches(assembleStrategyMetrics(agg, s.options), assembleStrategyMetrics(dense.perRegime[code]!, s.options))).toEqual([]);
    });
    let path = '';
    strategyRegimeMetrics(s.index, tables, trace, [classifier], s.costs, s.options, (p) => { path = p; });
    expect(path).toBe('dense');
  });

  it('regime parts of every strategy add up to the whole (bars, summed returns, costs, exposure, trades)', () => {
    const rng = new Rng(4242);
    const n = 6000;
    const s = setup(rng, n, 'sqrt', 0);
    const classifiers = [randomClassifier(rng, n), randomClassifier(rng, n)];
    for (let k = 0; k < 20; k++) {
      const trace = randomTrace(rng, n);
      let series: { net: Float64Array; gross: Float64Array } | undefined;
      const whole = denseStrategyMetrics(s.index, trace, s.costs, s.options, (d) => { series = { net: d.net.slice(), gross: d.gross.slice() }; });
      const netSum = series!.net.reduce((a, b) => a + b, 0);
      const grossSum = series!.gross.reduce((a, b) => a + b, 0);
      for (const agg of sparse(s, trace, classifiers)) {
        const parts = agg.perRegime;
        expect(parts.reduce((a, p) => a + p.bars, 0)).toBe(n);
        expect(parts.reduce((a, p) => a + p.net.mean * p.bars, 0)).toBeCloseTo(netSum, 12);
        expect(parts.reduce((a, p) => a + p.gross.mean * p.bars, 0)).toBeCloseTo(grossSum, 12);
        expect(Math.abs(parts.reduce((a, p) => a + p.totalCosts, 0) - whole.totalCosts!)).toBeLessThan(1e-12);
        expect(parts.reduce((a, p) => a + p.tradeNetReturns.length, 0)).toBe(whole.tradeCount);
        expect(parts.reduce((a, p) => a + p.exposureBars, 0)).toBe(Math.round(whole.exposure! * n));
        expect(parts.reduce((a, p) => a + p.tradeDurationBarsSum, 0)).toBeCloseTo((whole.avgTradeDurationBars ?? 0) * whole.tradeCount, 6);
        // compounding: the product of the parts' growth is the whole's growth
        const growth = parts.reduce((a, p) => a * (1 + p.net.totalReturn), 1);
        expect(Math.abs(growth - 1 - whole.totalReturn!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(whole.totalReturn!)));
      }
    }
  });

  it('labels the no-state bucket and leaves it out when empty', () => {
    const rng = new Rng(1);
    const s = setup(rng, 100, 'linear', 0);
    const classifier: RegimeTrace = { idx: Int32Array.from([0, 40]), state: Int32Array.from([0, 1]), labels: ['a', 'b'] };
    const [agg] = sparse(s, { idx: Int32Array.from([10]), signal: Float64Array.from([1]) }, [classifier]);
    const entries = regimeMetricsFromAggregates(agg!, classifier.labels, s.options);
    expect(entries.map((e) => [e.regime, e.metrics.bars])).toEqual([['a', 40], ['b', 59], [UNCLASSIFIED_REGIME, 1]]);
  });
});

describe('classifier statistics', () => {
  it('hand example: counts, changes, durations, per-change transition matrix', () => {
    // bars 0..9: none none A A B B B A A C ; row at 5 repeats B (not a change)
    const trace: RegimeTrace = { idx: Int32Array.from([2, 4, 5, 7, 9]), state: Int32Array.from([0, 1, 1, 0, 2]), labels: ['A', 'B', 'C', 'D'] };
    const stats = classifierStats('k', trace, 10);
    expect(stats.classifiedBars).toBe(8);
    expect(stats.unclassifiedBars).toBe(2);
    expect(stats.stateChanges).toBe(3);
    expect(stats.regimes.A).toEqual({ bars: 4, share: 0.5, episodes: 2, averageDurationBars: 2 });
    expect(stats.regimes.B).toEqual({ bars: 3, share: 3 / 8, episodes: 1, averageDurationBars: 3 });
    expect(stats.regimes.C).toEqual({ bars: 1, share: 1 / 8, episodes: 1, averageDurationBars: 1 });
    expect(stats.regimes.D).toEqual({ bars: 0, share: 0, episodes: 0, averageDurationBars: null });
    expect(stats.transitions.counts).toEqual([[0, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
    expect(stats.transitions.probabilities).toEqual([[0, 0.5, 0.5, 0], [1, 0, 0, 0], [null, null, null, null], [null, null, null, null]]);
    expect(stats.transitions.convention).toBe('per-change');
  });

  it('return-bar regimes follow the timing rule (state_{t-1})', () => {
    const trace: RegimeTrace = { idx: Int32Array.from([2, 4]), state: Int32Array.from([0, 1]), labels: ['A', 'B'] };
    expect(Array.from(regimeOfReturnBars(trace, 7))).toEqual([-1, -1, -1, 0, 0, 1, 1]);
    expect(Array.from(regimeReturnBarCounts(trace, 7))).toEqual([2, 2, 3]);
  });
});

describe('consensus regimes', () => {
  const bars = 12;
  const label = (trace: RegimeTrace, t: number): string | undefined => { const s = stateAt(trace, t); return s < 0 ? undefined : trace.labels[s]; };

  /** Bar-by-bar majority with the documented tie rule (the oracle). */
  function perBarMajority(classifiers: RegimeTrace[], n: number): (string | undefined)[] {
    const out: (string | undefined)[] = [];
    let previous: string | undefined;
    for (let t = 0; t < n; t++) {
      const votes = new Map<string, number>();
      const current = classifiers.map((c) => label(c, t));
      for (const l of current) if (l !== undefined) votes.set(l, (votes.get(l) ?? 0) + 1);
      if (votes.size === 0) { out.push(undefined); continue; }
      const best = Math.max(...votes.values());
      const tied = [...votes.keys()].filter((l) => votes.get(l) === best);
      previous = previous !== undefined && tied.includes(previous) ? previous : current.find((l) => l !== undefined && tied.includes(l));
      out.push(previous);
    }
    return out;
  }

  it('majority vote with the tie rule (keep the previous, else the first classifier)', () => {
    const a: RegimeTrace = { idx: Int32Array.from([0, 4, 8]), state: Int32Array.from([0, 1, 0]), labels: ['up', 'down'] };
    const b: RegimeTrace = { idx: Int32Array.from([2, 6]), state: Int32Array.from([1, 0]), labels: ['down', 'up'] };
    const c: RegimeTrace = { idx: Int32Array.from([1, 5, 9]), state: Int32Array.from([0, 1, 0]), labels: ['flat', 'down'] };
    const combined = consensusRegimes([a, b, c], bars);
    const perBar = Array.from({ length: bars }, (_, t) => label(combined, t));
    expect(perBar).toEqual(perBarMajority([a, b, c], bars));
    // b's codes map 1 -> 'up', 0 -> 'down'. bar 0: only a (up); bar 1: up vs flat tie -> keep up;
    // bars 2-4: three-way ties -> keep up; bar 5: down, up, down -> down; bar 6: all down; bar 8: up, down, down -> down
    expect(perBar.slice(0, 9)).toEqual(['up', 'up', 'up', 'up', 'up', 'down', 'down', 'down', 'down']);
    // a tie with no previous consensus state: the first classifier's label
    const fresh = consensusRegimes([
      { idx: Int32Array.from([0, 2]), state: Int32Array.from([0, 1]), labels: ['p', 'q'] },
      { idx: Int32Array.from([0, 2]), state: Int32Array.from([0, 1]), labels: ['r', 's'] },
    ], 4);
    expect(Array.from(fresh.state, (code) => fresh.labels[code])).toEqual(['p', 'q']);
    expect(CONSENSUS_TIE_RULE).toContain('first classifier');
    // two classifiers, tie at the first bar: the first classifier's label
    const tie = consensusRegimes([{ idx: Int32Array.from([3]), state: Int32Array.from([0]), labels: ['x'] }, { idx: Int32Array.from([3]), state: Int32Array.from([0]), labels: ['y'] }], 5);
    expect(tie.labels[tie.state[0]!]).toBe('x');
    expect(Array.from(tie.idx)).toEqual([3]);
  });

  it('majority equals the bar-by-bar oracle on random classifiers', () => {
    const rng = new Rng(77);
    for (let round = 0; round < 30; round++) {
      const n = rng.integer(1, 300);
      const classifiers = Array.from({ length: rng.integer(1, 6) }, () => randomClassifier(rng, n));
      const combined = consensusRegimes(classifiers, n);
      expect(Array.from({ length: n }, (_, t) => label(combined, t))).toEqual(perBarMajority(classifiers, n));
      for (let i = 1; i < combined.state.length; i++) expect(combined.state[i]).not.toBe(combined.state[i - 1]);
    }
  });

  it("joint mode crosses labels into 'a|b' states from the first bar where all have one", () => {
    const a: RegimeTrace = { idx: Int32Array.from([0, 4]), state: Int32Array.from([0, 1]), labels: ['up', 'down'] };
    const b: RegimeTrace = { idx: Int32Array.from([2, 4, 6]), state: Int32Array.from([0, 0, 1]), labels: ['calm', 'wild'] };
    const joint = consensusRegimes([a, b], 8, 'joint');
    expect(Array.from(joint.idx)).toEqual([2, 4, 6]);
    expect(Array.from(joint.state, (s) => joint.labels[s])).toEqual(['up|calm', 'down|calm', 'down|wild']);
  });
});

describe('classifier separation', () => {
  it('is larger for a classifier whose regimes split performance', () => {
    const rng = new Rng(5);
    const n = 4000;
    const s = setup(rng, n, 'linear', 0);
    // "trend" classifier: regime 1 exactly where the market rose over the bar -> a long strategy does well there
    const up: number[] = [];
    const state: number[] = [];
    for (let t = 0; t + 1 < n; t++) {
      const code = s.index.returns[t + 1]! > 0 ? 1 : 0;
      if (state.length === 0 || state[state.length - 1] !== code) { up.push(t); state.push(code); }
    }
    const informative: RegimeTrace = { idx: Int32Array.from(up), state: Int32Array.from(state), labels: ['down', 'up'] };
    const noise = randomClassifier(rng, n);
    const strategies = Array.from({ length: 5 }, () => randomTrace(rng, n));
    const tables = buildRegimeTables(s.index, 0, s.index.instance);
    const per = strategies.map((trace) => strategyRegimeMetrics(s.index, tables, trace, [informative, noise], s.costs, s.options));
    const good = classifierSeparation(per.map((p) => ({ regimes: p[0]! })), 30);
    const bad = classifierSeparation(per.map((p) => ({ regimes: p[1]! })), 30);
    expect(good.score).not.toBeNull();
    expect(good.score!).toBeGreaterThan(bad.score ?? 0);
    expect(good.anovaF!).toBeGreaterThan(bad.anovaF ?? 0);
  });
});
