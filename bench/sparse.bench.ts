// Benchmark of the change-proportional (sparse) metric path against the dense WASM path, measured
// in one run. Parity is checked first (every PerformanceMetrics field to 1e-9 relative); a
// disagreement aborts the run.
//
// Cases (one seeded market per size, random -1/0/1 change lists with geometric gaps):
//   sparse-metrics/dense-wasm        denseStrategyMetrics on the MarketIndex (expand + costs + moments + drawdown + trades), T = 1e6, K ~ 40k
//   sparse-metrics/sparse            strategyMetrics (sparse path), T = 1e6, K ~ 40k (mean gap 25 bars)
//   sparse-metrics/sparse@2T         strategyMetrics, T = 2e6 with the same K (mean gap 50 bars): cost should be flat in T
//   sparse-metrics/sparse-distinct   strategyMetrics, one call per strategy, cycling through B different change lists of the
//                                    1e6 market (the repeated single trace above lets the branch predictor learn its pattern)
//   sparse-metrics/sparse-batch      sparseStrategyMetricsBatch over the same B strategies (tiled kernel), time per strategy
// The cases are timed interleaved (one call of each per round, many rounds), so a load spike on a
// shared machine hits all of them alike; ratios are formed from the per-case medians.
import { PARITY_TOLERANCE } from '../src/constants.ts';
import { defaultExecutionCosts, type MetricOptions } from '../src/analytics/metricOptions.ts';
import { denseStrategyMetrics } from '../src/analytics/denseMetrics.ts';
import { sparseStrategyMetricsBatch, strategyMetrics } from '../src/analytics/sparseMetrics.ts';
import { buildMarketIndex, type MarketIndex } from '../src/market/marketIndex.ts';
import type { ExecutionCosts, PerformanceMetrics, SignalTrace } from '../src/types.ts';
import { Rng } from '../test/helpers/rng.ts';
import { BENCH_SEED, generateBenchInput, type BenchCaseResult, type ParityResult } from './kernels.bench.ts';

/** Bars of the main case, and mean bars between changes (K ~ T / gap). */
export const SPARSE_BENCH_BARS = 1_000_000;
export const SPARSE_BENCH_MEAN_GAP = 25;

/** Options of runSparseBench. */
export interface SparseBenchOptions {
  /** Fewer rounds and strategies (a smoke run of a few seconds). */
  quick: boolean;
  log?: (line: string) => void;
}

/** A timed case; meanMs is the mean over rounds, medianMs the median the ratios use. */
export interface SparseBenchCase extends BenchCaseResult {
  medianMs: number;
  /** Position changes per strategy (K). */
  changes: number;
}

/** What runSparseBench returns. */
export interface SparseBenchReport {
  quick: boolean;
  parity: ParityResult[];
  cases: SparseBenchCase[];
  /**
   * sparseOverDense@1000000 = dense median / sparse median (speed-up, same run);
   * sparseTDoubling = sparse median at 2T / at T with the same K (flatness in T, < 1.3 wanted);
   * sparseDistinctOverDense@1000000 = dense median / median of single calls over distinct traces;
   * sparseBatchOverDense@1000000 = dense median / batch median per strategy (amortized over the batch);
   * sparseNsPerChange@1000000 = sparse median / K in nanoseconds.
   */
  ratios: Record<string, number>;
}

/** A -1/0/1 change list with geometric gaps of mean `meanGap` (every row a real change). */
export function randomChangeList(bars: number, meanGap: number, seed: number): SignalTrace {
  const rng = new Rng(seed);
  const idx: number[] = [];
  const signal: number[] = [];
  const logKeep = Math.log(1 - 1 / meanGap);
  let previous = 0;
  for (let t = rng.integer(0, meanGap); t < bars; t += 1 + Math.floor(Math.log(1 - rng.uniform()) / logKeep)) {
    let next = previous;
    while (next === previous) next = rng.pick([-1, 0, 1]);
    idx.push(t);
    signal.push(next);
    previous = next;
  }
  return { idx: Int32Array.from(idx), signal: Float64Array.from(signal) };
}

function checkParity(check: string, bars: number, dense: PerformanceMetrics, sparse: PerformanceMetrics): ParityResult {
  let worst = 0;
  const problems: string[] = [];
  for (const key of Object.keys(dense) as (keyof PerformanceMetrics)[]) {
    const a = dense[key];
    const b = sparse[key];
    if (a === b) continue;
    if (a === null || b === null) {
      problems.push(`${key}: dense ${a} vs sparse ${b}`);
      continue;
    }
    const difference = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    worst = Math.max(worst, difference);
    if (!(difference <= PARITY_TOLERANCE)) problems.push(`${key}: dense ${a} vs sparse ${b} (relative difference ${difference.toExponential(2)})`);
  }
  if (problems.length > 0) {
    throw new Error(`PARITY FAILURE (${check}, ${bars} bars): the sparse and dense paths disagree by more than ${PARITY_TOLERANCE}:\n  ${problems.join('\n  ')}`);
  }
  return { check, bars, maxRelativeDifference: worst };
}

interface TimedCase {
  family: string;
  implementation: string;
  bars: number;
  changes: number;
  /** Strategies per call (the time is divided by it). */
  perCall: number;
  fn: () => void;
  samples: number[];
}

let sink = 0;

/**
 * Runs the sparse-vs-dense benchmark: builds the 1e6- and 2e6-bar market indexes, checks parity of
 * the sparse path (single and batch, linear and sqrt costs) against the dense path, then times the
 * cases interleaved and forms the ratios from this one run.
 */
export function runSparseBench(options: SparseBenchOptions): SparseBenchReport {
  const log = options.log ?? (() => undefined);
  const linear = defaultExecutionCosts();
  const sqrt: ExecutionCosts = defaultExecutionCosts({ slippageModel: 'sqrt' });
  const metricOptions: MetricOptions = { periodsPerYear: 252 };
  const T = SPARSE_BENCH_BARS;
  const parity: ParityResult[] = [];

  log(`sparse bench: building market indexes of ${T.toLocaleString('en-US')} and ${(2 * T).toLocaleString('en-US')} bars (seed ${BENCH_SEED}) ...`);
  const index: MarketIndex = buildMarketIndex(generateBenchInput(T), sqrt, undefined, { source: 'bench' });
  const index2: MarketIndex = buildMarketIndex(generateBenchInput(2 * T), sqrt, undefined, { source: 'bench' });
  const trace = randomChangeList(T, SPARSE_BENCH_MEAN_GAP, BENCH_SEED);
  const trace2 = randomChangeList(2 * T, 2 * SPARSE_BENCH_MEAN_GAP, BENCH_SEED);
  const batchSize = options.quick ? 8 : 64;
  const batch = Array.from({ length: batchSize }, (_, i) => randomChangeList(T, SPARSE_BENCH_MEAN_GAP, BENCH_SEED + 1 + i));

  // Parity first: every field of the sparse metrics against the dense path.
  for (const [name, costs] of [['linear', linear], ['sqrt', sqrt]] as const) {
    const paths: string[] = [];
    const sparse = strategyMetrics(index, trace, costs, metricOptions, (path, reason) => paths.push(reason ? `${path} (${reason})` : path));
    if (paths[0] !== 'sparse') throw new Error(`sparse bench: the sparse path was not taken (${paths[0]})`);
    parity.push(checkParity(`sparse vs dense, ${name} costs, K=${trace.idx.length}`, T, denseStrategyMetrics(index, trace, costs, metricOptions), sparse));
    parity.push(checkParity(`sparse vs dense at 2T, ${name} costs, K=${trace2.idx.length}`, 2 * T,
      denseStrategyMetrics(index2, trace2, costs, metricOptions), strategyMetrics(index2, trace2, costs, metricOptions)));
  }
  for (const [name, costs] of [['linear', linear], ['sqrt', sqrt]] as const) {
    const batchResults = sparseStrategyMetricsBatch(index, batch.slice(0, 3), costs, metricOptions);
    batch.slice(0, 3).forEach((tr, i) => {
      parity.push(checkParity(`sparse batch (tiled) vs dense, ${name} costs, strategy ${i}`, T, denseStrategyMetrics(index, tr, costs, metricOptions), batchResults[i]!));
    });
  }
  log(`sparse bench: parity ok (${parity.length} checks, max relative difference ${Math.max(...parity.map((p) => p.maxRelativeDifference)).toExponential(2)})`);

  const K = trace.idx.length;
  let next = 0;
  const averageBatchK = batch.reduce((sum, tr) => sum + tr.idx.length, 0) / batchSize;
  const cases: TimedCase[] = [
    { family: 'sparse-metrics', implementation: 'dense-wasm', bars: T, changes: K, perCall: 1, samples: [],
      fn: () => { sink += denseStrategyMetrics(index, trace, linear, metricOptions).bars; } },
    { family: 'sparse-metrics', implementation: 'sparse', bars: T, changes: K, perCall: 1, samples: [],
      fn: () => { sink += strategyMetrics(index, trace, linear, metricOptions).bars; } },
    { family: 'sparse-metrics', implementation: 'sparse@2T', bars: 2 * T, changes: trace2.idx.length, perCall: 1, samples: [],
      fn: () => { sink += strategyMetrics(index2, trace2, linear, metricOptions).bars; } },
    { family: 'sparse-metrics', implementation: 'sparse-distinct', bars: T, changes: Math.round(averageBatchK), perCall: 1, samples: [],
      fn: () => { sink += strategyMetrics(index, batch[(next = (next + 1) % batchSize)]!, linear, metricOptions).bars; } },
    { family: 'sparse-metrics', implementation: 'sparse-batch', bars: T, changes: Math.round(averageBatchK), perCall: batchSize, samples: [],
      fn: () => { sink += sparseStrategyMetricsBatch(index, batch, linear, metricOptions).length; } },
  ];
  // warm-up (the first calls run in V8's baseline tiers)
  for (const c of cases) for (let i = 0; i < 3; i++) c.fn();
  const rounds = options.quick ? 9 : 41;
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) {
      const start = performance.now();
      c.fn();
      c.samples.push((performance.now() - start) / c.perCall);
    }
  }
  const results: SparseBenchCase[] = cases.map((c) => {
    const sorted = [...c.samples].sort((a, b) => a - b);
    const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length;
    const sd = Math.sqrt(sorted.reduce((sum, x) => sum + (x - mean) ** 2, 0) / Math.max(1, sorted.length - 1));
    const median = sorted[sorted.length >> 1]!;
    const name = `${c.family}/${c.implementation}`;
    const result: SparseBenchCase = {
      name, family: c.family, implementation: c.implementation, bars: c.bars, changes: c.changes,
      barsPerSecond: c.bars / (mean / 1000), meanMs: mean, medianMs: median,
      rmePercent: (100 * 1.96 * sd / Math.sqrt(sorted.length)) / mean, samples: sorted.length,
    };
    log(`${name.padEnd(30)} ${c.bars.toLocaleString('en-US').padStart(10)} bars  K ${c.changes.toLocaleString('en-US').padStart(7)}  median ${median.toFixed(3).padStart(8)} ms  mean ${mean.toFixed(3)} ms  (${sorted.length} rounds${c.perCall > 1 ? `, per strategy of ${c.perCall}` : ''})`);
    return result;
  });
  const byName = (implementation: string) => results.find((r) => r.implementation === implementation)!;
  const dense = byName('dense-wasm');
  const sparse = byName('sparse');
  const ratios: Record<string, number> = {
    [`sparseOverDense@${T}`]: dense.medianMs / sparse.medianMs,
    sparseTDoubling: byName('sparse@2T').medianMs / sparse.medianMs,
    [`sparseDistinctOverDense@${T}`]: dense.medianMs / byName('sparse-distinct').medianMs,
    [`sparseBatchOverDense@${T}`]: dense.medianMs / byName('sparse-batch').medianMs,
    [`sparseBatchNsPerChange@${T}`]: (byName('sparse-batch').medianMs * 1e6) / averageBatchK,
    [`sparseNsPerChange@${T}`]: (sparse.medianMs * 1e6) / K,
  };
  if (!Number.isFinite(sink)) log('(sink is not finite; results still valid)');
  return { quick: options.quick, parity, cases: results, ratios };
}
