// Test fixtures of the report: a small analyzed run, and the optional outputs (regimes,
// correlation, ensemble weights) written with the shapes of src/coordinator/outputs.ts. The numbers
// of those outputs are made up (derived from the rankings): the report must lay out whatever the
// files say, and these tests check the layout, not the analytics that produce them.
import { correlateRun } from '../../src/coordinator/correlate.ts';
import { mineRun } from '../../src/coordinator/mine.ts';
import { optimizeRun } from '../../src/coordinator/optimizeRun.ts';
import { analyzeRegimes } from '../../src/coordinator/regimes.ts';
import { overfitRun } from '../../src/coordinator/overfit.ts';
import { walkForward } from '../../src/coordinator/walkforward.ts';
import { replayEnsemble } from '../../src/coordinator/replay.ts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRun } from '../../src/coordinator/analyze.ts';
import { generateRun } from '../../src/coordinator/generate.ts';
import type {
  ClassifierStats, CorrelationMatrixFile, OptimalWeightsFile, RegimePerformanceFile, RegimeSummaryFile,
} from '../../src/coordinator/outputs.ts';
import type { RankedStrategyRow } from '../../src/coordinator/rankings.ts';
import { writeJsonAtomic } from '../../src/io/atomicWrite.ts';
import { openRun } from '../../src/io/workspace.ts';
import { mulberry32 } from '../helpers/rng.ts';

/** A generated run (strategies × classifiers × bars) analyzed on the calling thread; returns its directory. */
export async function analyzedRun(prefix: string, options: { strategies: number; classifiers: number; bars: number; seed?: number; analyze?: boolean }): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), `sweeplens-report-${prefix}-`)), 'run');
  generateRun(dir, { strategies: options.strategies, classifiers: options.classifiers, bars: options.bars, seed: options.seed ?? 42, metrics: false });
  if (options.analyze ?? true) await analyzeRun(dir, { workers: 0 });
  return dir;
}

function rankings(dir: string): RankedStrategyRow[] {
  return (JSON.parse(readFileSync(join(dir, 'summary/strategy_rankings.json'), 'utf8')) as { strategies: RankedStrategyRow[] }).strategies;
}

/** Writes regime_summary.json, regime_performance.json, correlation_matrix.json and optimal_weights.json into the run. */
export async function writeOptionalOutputs(dir: string): Promise<void> {
  const run = await openRun(dir);
  const rows = rankings(dir);
  const random = mulberry32(9);
  const bars = run.metadata.barCounts[run.symbols()[0]!]!;
  const now = new Date().toISOString();
  const classifiers: ClassifierStats[] = [];
  const perClassifier: RegimePerformanceFile['classifiers'] = {};
  for (const id of run.classifierIds()) {
    const labels = (await run.readRegimes(id)).labels;
    const shares = labels.map(() => 0.2 + random());
    const total = shares.reduce((a, b) => a + b, 0);
    const regimes: ClassifierStats['regimes'] = {};
    labels.forEach((label, i) => {
      const count = Math.round((shares[i]! / total) * bars);
      regimes[label] = { bars: count, share: shares[i]! / total, episodes: 10 + i, averageDurationBars: count / (10 + i) };
    });
    const counts = labels.map((_, i) => labels.map((_, j) => (i === j ? 0 : 5 + i + 2 * j)));
    classifiers.push({
      id, family: id.split('_').slice(0, 2).join('_'), bars, classifiedBars: bars - 10, unclassifiedBars: 10, stateChanges: 60, regimes,
      transitions: { labels, counts, probabilities: counts.map((row) => row.map((c) => c / row.reduce((a, b) => a + b, 0))), convention: 'per-change' },
    });
    perClassifier[id] = { labels, regimes: Object.fromEntries(labels.map((l) => [l, { bars: regimes[l]!.bars, share: regimes[l]!.share }])) };
  }
  const best = run.classifierIds()[1] ?? run.classifierIds()[0]!;
  const summary: RegimeSummaryFile = {
    version: 'sweeplens-regimes-1', runId: run.metadata.runId, runDir: dir, generatedAt: now, timing: 'regime of R_t is state_{t-1}; forward fill',
    classifiers, bestClassifier: best, separationStrategies: 20, minRegimeBars: 50, consensus: null, elapsedMs: 1,
    separation: run.classifierIds().map((id, i) => ({ rank: i + 1, classifier: id, score: 1 / (i + 1), anovaF: 2 - i * 0.3, strategies: 20, regimes: perClassifier[id]!.labels })),
  };
  summary.separation.sort((a, b) => (a.classifier === best ? -1 : b.classifier === best ? 1 : a.rank - b.rank));
  summary.separation.forEach((s, i) => (s.rank = i + 1));
  writeJsonAtomic(join(dir, 'summary/regime_summary.json'), summary);

  const top = rows.slice(0, 20);
  const strategies: RegimePerformanceFile['strategies'] = {};
  for (const row of top) {
    strategies[row.id] = {};
    for (const [classifier, info] of Object.entries(perClassifier)) {
      strategies[row.id]![classifier] = Object.fromEntries(info.labels.map((label) => [label, { ...row, sharpeRatio: (row.sharpeRatio ?? 0) + 2 * (random() - 0.5) }]));
    }
  }
  const performance: RegimePerformanceFile = {
    version: 'sweeplens-regimes-1', runId: run.metadata.runId, generatedAt: now, costs: rows[0] ? JSON.parse(readFileSync(join(dir, 'summary/performance_summary.json'), 'utf8')).costs : undefined,
    riskFreeRate: 0, periodsPerYear: {}, definitions: {}, classifiers: perClassifier, strategyIds: top.map((r) => r.id), totalStrategies: rows.length,
    strategies, table: 'analytics/regime_performance.parquet', denseFallbacks: [], failures: [],
  };
  writeJsonAtomic(join(dir, 'analytics/regime_performance.json'), performance);

  const ids = rows.slice(0, 24).map((r) => r.id);
  const group = ids.map((_, i) => i % 4);
  const matrix = ids.map((_, i) => ids.map((_, j) => (i === j ? 1 : group[i] === group[j] ? 0.7 + 0.05 * ((i + j) % 4) : 0.1 - 0.02 * ((i * j) % 7))));
  const correlation: CorrelationMatrixFile = {
    version: 'sweeplens-regimes-1', runId: run.metadata.runId, generatedAt: now, returns: 'net', method: 'dense', rankBy: 'sharpeRatio', top: ids.length, ids, matrix,
    filter: { maxCorrelation: 0.7, kept: ids.filter((_, i) => i < 4), removed: ids.slice(4).map((id, k) => ({ id, correlatedWith: ids[(k + 4) % 4]!, correlation: 0.75 })) },
    table: 'analytics/correlation_matrix.parquet',
  };
  writeJsonAtomic(join(dir, 'analytics/correlation_matrix.json'), correlation);

  const members = ids.slice(0, 4);
  const entry = (weights: number[]) => ({
    bars, weights: Object.fromEntries(members.map((id, i) => [id, weights[i]!])), expected: { annualizedReturn: 0.1, volatility: 0.2, sharpeRatio: 0.5 },
    converged: true, iterations: 12, inSample: { ...rows[0]! },
  });
  const labels = perClassifier[best]!.labels;
  const weights: OptimalWeightsFile = {
    version: 'sweeplens-regimes-1', runId: run.metadata.runId, generatedAt: now, classifier: best, classifierSource: 'best-separating', objective: 'max-sharpe',
    constraints: { minWeight: 0, maxWeight: 0.6, maxStrategies: null }, riskFreeRate: 0, periodsPerYear: 98_280, estimators: 'sample mean and covariance',
    selection: { rankBy: 'sharpeRatio', top: 24, maxCorrelation: 0.7, strategies: members },
    global: entry([0.4, 0.3, 0.2, 0.1]),
    regimes: {
      [labels[0]!]: entry([0.6, 0.2, 0.2, 0]),
      [labels[1]!]: entry([0.1, 0.1, 0.2, 0.6]),
      [labels[2]!]: { bars: 12, skippedReason: 'fewer than 50 bars' },
    },
    switching: { inSample: { ...rows[1]! } },
  };
  writeJsonAtomic(join(dir, 'analytics/optimal_weights.json'), weights);
}

/**
 * Runs the real pipeline on an analyzed run so the report draws real outputs, not hand-made
 * ones: regimes, correlation, optimal weights (min-variance: always solvable), overfitting,
 * walk-forward, a replay of the regime-switching ensemble and pattern mining (`sweeplens mine`).
 */
export async function writeComputedOutputs(dir: string): Promise<void> {
  await analyzeRegimes(dir, { workers: 0 });
  await correlateRun(dir, { workers: 0, top: 16 });
  const optimized = await optimizeRun(dir, { workers: 0, top: 16, objective: 'min-variance' });
  await overfitRun(dir, { workers: 0, candidates: 40, blocks: 8 });
  await walkForward(dir, { workers: 0, windows: 3, objective: 'min-variance' });
  const weights = optimized.file;
  const regimes: Record<string, Record<string, number>> = {};
  for (const [label, entry] of Object.entries(weights.regimes)) if ('weights' in entry) regimes[label] = entry.weights;
  const run = await openRun(dir);
  await replayEnsemble({
    name: 'report-test', symbol: run.symbols()[0]!, strategies: weights.selection.strategies,
    ...(weights.classifier ? { classifier: weights.classifier } : {}),
    weights: { global: weights.global.weights, ...(weights.classifier ? { regimes } : {}) },
    costs: {},
  }, { runDir: dir });
  await mineRun(dir);
}
