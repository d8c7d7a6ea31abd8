// walkForward: fold boundaries, and the out-of-sample metrics recomputed independently from the
// stored weights and the strategies' dense net returns.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { denseStrategyMetrics } from '../../src/analytics/denseMetrics.ts';
import { zeroExecutionCosts } from '../../src/analytics/metricOptions.ts';
import { seriesMetrics } from '../../src/analytics/seriesMetrics.ts';
import { analyzeRun, type PerformanceSummary } from '../../src/coordinator/analyze.ts';
import type { WalkForwardReport } from '../../src/coordinator/overfitOutputs.ts';
import { regimeOfBars, segmentBounds, walkForward } from '../../src/coordinator/walkforward.ts';
import { InputError } from '../../src/errors.ts';
import { openRun } from '../../src/io/workspace.ts';
import { buildDenseMarket } from '../../src/market/denseMarket.ts';
import type { RegimeTrace } from '../../src/types.ts';
import { writeNoiseRun } from './overfitRuns.ts';

const BARS = 3000;
const dir = join(mkdtempSync(join(tmpdir(), 'sweeplens-walkforward-')), 'run');
let regimes: RegimeTrace;
/** Raw dense net returns by strategy id, computed here (not by the coordinator's loader). */
const netById = new Map<string, Float64Array>();

beforeAll(async () => {
  regimes = writeNoiseRun(dir, { seed: 7, bars: BARS, strategies: 12, plantedAccuracy: 0.55, holdingBars: 5, classifier: true }).regimes!;
  await analyzeRun(dir, { workers: 0, costs: zeroExecutionCosts() });
  const run = await openRun(dir);
  const bars = await run.readBars('SYN');
  const market = buildDenseMarket(bars, zeroExecutionCosts());
  for (const id of run.strategyIds()) {
    const trace = await run.readSignal(id);
    denseStrategyMetrics(market, trace, zeroExecutionCosts(), { periodsPerYear: 252 }, (series) => netById.set(id, Float64Array.from(series.net)));
  }
});

/** Regime of bar t's return, written out directly: the last state change at or before t − 1. */
function regimeAt(t: number): number {
  let state = -1;
  for (let row = 0; row < regimes.idx.length && regimes.idx[row]! <= t - 1; row++) state = regimes.state[row]!;
  return state;
}

/** Replays the stored weights over [start, end) and returns the portfolio's net returns. */
function replay(report: WalkForwardReport, foldIndex: number, start: number, end: number): Float64Array {
  const fold = report.folds[foldIndex]!;
  const out = new Float64Array(end - start);
  for (let t = start; t < end; t++) {
    let weights = fold.weights.global;
    if (fold.weights.regimes) {
      const code = regimeAt(t);
      const entry = code >= 0 ? fold.weights.regimes[regimes.labels[code]!] : undefined;
      if (entry?.weights) weights = entry.weights;
    }
    let sum = 0;
    for (const id of report.candidates) {
      const w = weights[id] ?? 0;
      if (w > 0) sum += w * netById.get(id)![t]!;
    }
    out[t - start] = sum;
  }
  return out;
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) { out.set(p, offset); offset += p.length; }
  return out;
}

describe('walkForward', () => {
  it('cuts windows + 1 segments and fits on the previous one (rolling)', async () => {
    const { report } = await walkForward(dir, { windows: 4, workers: 0, write: false });
    expect(report.segments).toEqual([0, 600, 1200, 1800, 2400, 3000]);
    expect(report.folds.map((f) => [f.inSample, f.outOfSample])).toEqual([
      [{ start: 0, end: 600 }, { start: 600, end: 1200 }],
      [{ start: 600, end: 1200 }, { start: 1200, end: 1800 }],
      [{ start: 1200, end: 1800 }, { start: 1800, end: 2400 }],
      [{ start: 1800, end: 2400 }, { start: 2400, end: 3000 }],
    ]);
    expect(report.candidates).toHaveLength(13);
    for (const fold of report.folds) {
      const total = Object.values(fold.weights.global).reduce((s, w) => s + w, 0);
      expect(Math.abs(total - 1)).toBeLessThan(1e-9);
      expect(fold.weights.regimes).toBeNull();
    }
  });

  it('picks each fold\'s candidates by in-sample Sharpe only (no look-ahead), and fits over those alone', async () => {
    const { report } = await walkForward(dir, { windows: 3, workers: 0, write: false, candidates: 4 });
    expect(report.selection).toBe('in-sample');
    for (const fold of report.folds) {
      const { start, end } = fold.inSample;
      const scored = report.candidates.map((id) => {
        const r = netById.get(id)!.subarray(start, end);
        const mean = r.reduce((s, v) => s + v, 0) / r.length;
        const std = Math.sqrt(r.reduce((s, v) => s + (v - mean) ** 2, 0) / (r.length - 1));
        return { id, sharpe: std > 0 ? mean / std : -Infinity };
      }).sort((a, b) => b.sharpe - a.sharpe);
      expect([...fold.candidates].sort()).toEqual(scored.slice(0, 4).map((s) => s.id).sort());
      for (const id of Object.keys(fold.weights.global)) expect(fold.candidates).toContain(id);
    }
    // The full-sample variant keeps the old behaviour: the same top-K of the rankings in every fold.
    const full = await walkForward(dir, { windows: 3, workers: 0, write: false, candidates: 4, selection: 'full-sample' });
    expect(full.report.candidates).toHaveLength(4);
    for (const fold of full.report.folds) expect(fold.candidates).toEqual(full.report.candidates);
    expect(full.report.warnings.some((w) => w.includes('full-sample ranking'))).toBe(true);
  });

  it('anchored folds start at bar 0; uneven segment sizes differ by at most one bar', async () => {
    const { report } = await walkForward(dir, { windows: 6, mode: 'anchored', workers: 0, write: false });
    expect(report.segments).toEqual(segmentBounds(BARS, 7));
    expect(report.segments).toEqual([0, 428, 857, 1285, 1714, 2142, 2571, 3000]);
    report.folds.forEach((fold, f) => {
      expect(fold.inSample).toEqual({ start: 0, end: report.segments[f + 1] });
      expect(fold.outOfSample).toEqual({ start: report.segments[f + 1], end: report.segments[f + 2] });
    });
  });

  it('out-of-sample metrics equal a replay of the stored weights recomputed independently (global weights)', async () => {
    const { report } = await walkForward(dir, { windows: 4, workers: 0, maxWeight: 0.5, write: false });
    const options = { periodsPerYear: report.periodsPerYear, riskFreeRate: 0 };
    const oos: Float64Array[] = [];
    report.folds.forEach((fold, f) => {
      const returns = replay(report, f, fold.outOfSample.start, fold.outOfSample.end);
      oos.push(returns);
      expect(fold.outOfSampleMetrics).toEqual(seriesMetrics(returns, options));
      expect(fold.inSampleMetrics).toEqual(seriesMetrics(replay(report, f, fold.inSample.start, fold.inSample.end), options));
      expect(Math.max(...Object.values(fold.weights.global))).toBeLessThanOrEqual(0.5 + 1e-12);
    });
    expect(report.aggregate.outOfSample).toEqual(seriesMetrics(concat(oos), options));
    // The planted edge (sign of the next return right 55 % of the time) carries the ensemble out of sample.
    expect(report.aggregate.outOfSample.sharpeRatio!).toBeGreaterThan(0);
    expect(report.folds.every((f) => (f.weights.global.planted ?? 0) > 0)).toBe(true);
  });

  it('with a classifier: weights per regime, switched by the state at t − 1, equal the independent replay', async () => {
    const { report, reportPath } = await walkForward(dir, { windows: 3, workers: 0, classifier: 'vol', mode: 'anchored', candidates: 6 });
    expect(reportPath).toBe(join(dir, 'analytics/walkforward.json'));
    expect(report.classifier).toBe('vol');
    const options = { periodsPerYear: report.periodsPerYear, riskFreeRate: 0 };
    report.folds.forEach((fold, f) => {
      expect(Object.keys(fold.weights.regimes!).sort()).toEqual(['calm', 'stormy']);
      expect(fold.outOfSampleMetrics).toEqual(seriesMetrics(replay(report, f, fold.outOfSample.start, fold.outOfSample.end), options));
    });
    expect(report.aggregate.meanOutOfSampleSharpe).toBe(
      report.folds.reduce((s, f) => s + f.outOfSampleMetrics.sharpeRatio!, 0) / report.folds.length,
    );
  });

  it('regimeOfBars forward-fills the states and applies the t − 1 timing rule', () => {
    expect(Array.from(regimeOfBars({ idx: Int32Array.of(0, 5), state: Int32Array.of(0, 1) }, 8))).toEqual([-1, 0, 0, 0, 0, 0, 1, 1]);
    expect(Array.from(regimeOfBars({ idx: Int32Array.of(3), state: Int32Array.of(2) }, 6))).toEqual([-1, -1, -1, -1, 2, 2]);
    expect(Array.from(regimeOfBars({ idx: new Int32Array(0), state: new Int32Array(0) }, 3))).toEqual([-1, -1, -1]);
    const ofBar = regimeOfBars(regimes, BARS);
    for (const t of [0, 1, 2, 150, 1499, 2999]) expect(ofBar[t]).toBe(regimeAt(t));
  });

  it('rejects bad options, and a fold too short for its candidates names the fold', async () => {
    await expect(walkForward(dir, { windows: 0, workers: 0 })).rejects.toThrow(/options\.windows must be an integer >= 1, got 0/);
    await expect(walkForward(dir, { windows: 2, mode: 'sideways' as never, workers: 0 })).rejects.toThrow(InputError);
    await expect(walkForward(dir, { windows: 299, workers: 0, write: false })).rejects.toThrow(/^fold 0 \(in-sample bars \[0, 10\)\): returns: 10 bars for 13 strategies/);
    await expect(walkForward(dir, { windows: 2, workers: 0, minDeflatedSharpe: 0.5 })).rejects.toThrow(/no deflated Sharpe ratios yet/);
  });
});

describe('walkForward on a run not analyzed yet', () => {
  it('analyzes it with the caller\'s costs and risk-free rate, and fits under them', async () => {
    const fresh = join(dirname(dir), 'fresh');
    writeNoiseRun(fresh, { seed: 9, bars: 600, strategies: 6, holdingBars: 20 });
    const messages: string[] = [];
    const result = await walkForward(fresh, { windows: 2, workers: 0, candidates: 3, write: false, costs: zeroExecutionCosts(), riskFreeRate: 0.01, onStatus: (m) => messages.push(m) });
    expect(result.analyzedNow).toBe(true);
    expect(messages).toEqual([`${fresh}: not analyzed yet (no ${join(fresh, 'summary/performance_summary.json')}); analyzing it first`]);
    const summary = JSON.parse(readFileSync(join(fresh, 'summary/performance_summary.json'), 'utf8')) as PerformanceSummary;
    expect(summary.costs).toEqual(zeroExecutionCosts());
    expect(summary.riskFreeRate).toBe(0.01);
    expect(result.report.costs).toEqual(zeroExecutionCosts());
  });
});
