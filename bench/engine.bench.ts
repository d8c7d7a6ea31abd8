// End-to-end benchmark of `analyze`: a generated run analyzed with 1 and with 2 workers (no cache),
// then again with valid caches; all in one process, so the ratios mean something on a noisy machine.
// Parity first: both worker counts must produce identical rankings.
import { rmSync } from 'node:fs';
import { analyzeRun, type AnalysisResult } from '../src/coordinator/analyze.ts';
import { analysisStatePath } from '../src/io/analysisState.ts';
import { prepareBenchRun } from './benchRun.ts';

/** Options of runEngineBench. */
export interface EngineBenchOptions {
  /** Strategies in the generated run; default 2,000. */
  strategies?: number;
  /** Bars of the generated run; default 200,000. */
  bars?: number;
  /** Strategies per worker task; default 64. */
  batchSize?: number;
  log?: (line: string) => void;
}

/** One timed analysis. */
export interface EngineBenchCase {
  name: string;
  workers: number;
  cached: boolean;
  wallMs: number;
  /** Strategy-bars per second (strategies x bars / wall time). */
  strategyBarsPerSecond: number;
  msPerStrategy: number;
}

/** The report: cases and the ratios measured in this run. */
export interface EngineBenchReport {
  strategies: number;
  bars: number;
  generateMs: number;
  cases: EngineBenchCase[];
  ratios: {
    /** wall(1 worker) / wall(2 workers), both without cache. */
    twoWorkersOverOne: number;
    /** wall(2 workers, no cache) / wall(2 workers, valid caches: the unchanged run re-used whole). */
    cachedSpeedup: number;
    /** wall(2 workers, no cache) / wall(2 workers, every strategy from its performance.json). */
    perStrategyCacheSpeedup: number;
  };
}

function timed(name: string, workers: number, cached: boolean, strategies: number, bars: number, run: () => Promise<AnalysisResult>): Promise<[EngineBenchCase, AnalysisResult]> {
  const started = performance.now();
  return run().then((result) => {
    const wallMs = performance.now() - started;
    return [{ name, workers, cached, wallMs, strategyBarsPerSecond: (strategies * bars) / (wallMs / 1000), msPerStrategy: wallMs / strategies }, result];
  });
}

/** Generates a run, analyzes it with 1 and 2 workers and with caches, and reports the ratios. */
export async function runEngineBench(options: EngineBenchOptions = {}): Promise<EngineBenchReport> {
  const strategies = options.strategies ?? 2_000;
  const bars = options.bars ?? 200_000;
  const batchSize = options.batchSize ?? 64;
  const log = options.log ?? (() => {});
  const { runDir: run, generateMs = 0, cleanup } = prepareBenchRun('engine', { strategies, classifiers: 0, bars, seed: 7, metrics: false }, undefined, log);
  try {
    // Warm-up (module compile, page faults of the shared memory) on a cache we then discard.
    await analyzeRun(run, { workers: 2, useCache: false, batchSize });
    log('analyze, 1 worker ...');
    const [one, oneResult] = await timed('analyze/1-worker', 1, false, strategies, bars, () => analyzeRun(run, { workers: 1, useCache: false, batchSize }));
    log('analyze, 2 workers ...');
    const [two, twoResult] = await timed('analyze/2-workers', 2, false, strategies, bars, () => analyzeRun(run, { workers: 2, useCache: false, batchSize }));
    log('analyze, 2 workers, valid caches (the unchanged run is re-used whole) ...');
    const [cachedCase, cachedResult] = await timed('analyze/2-workers-cached', 2, true, strategies, bars, () => analyzeRun(run, { workers: 2, batchSize }));
    if (!cachedResult.reusedAnalysis) throw new Error('engine bench: the unchanged run was not re-used');
    log('analyze, 2 workers, through the per-strategy caches ...');
    rmSync(analysisStatePath(run), { force: true });
    const [perStrategyCase, perStrategyResult] = await timed('analyze/2-workers-per-strategy-caches', 2, true, strategies, bars, () => analyzeRun(run, { workers: 2, batchSize }));
    if (perStrategyResult.reusedAnalysis || perStrategyResult.summary.strategies.fromCache !== strategies) throw new Error('engine bench: the per-strategy caches were not used');
    const a = JSON.stringify(oneResult.rankings);
    const b = JSON.stringify(twoResult.rankings);
    if (a !== b) throw new Error('engine bench parity: 1 and 2 workers produced different rankings');
    return {
      strategies, bars, generateMs, cases: [one, two, cachedCase, perStrategyCase],
      ratios: { twoWorkersOverOne: one.wallMs / two.wallMs, cachedSpeedup: two.wallMs / cachedCase.wallMs, perStrategyCacheSpeedup: two.wallMs / perStrategyCase.wallMs },
    };
  } finally {
    cleanup();
  }
}
