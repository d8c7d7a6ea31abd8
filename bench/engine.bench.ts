// End-to-end benchmark of `analyze`: a generated run analyzed with 1 and with 2 workers (no cache),
// in interleaved rounds, then again with valid caches; all in one process, so the ratios mean
// something on a noisy machine. Parity first: both worker counts must produce identical rankings.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeRun, type AnalysisResult } from '../src/coordinator/analyze.ts';
import { analysisStatePath } from '../src/io/analysisState.ts';
import { prepareBenchRun } from './benchRun.ts';

/** Options of runEngineBench. */
export interface EngineBenchOptions {
  /** Strategies in the generated run; default 2,000. */
  strategies?: number;
  /** Bars of the generated run; default 1,000,000 (the 2,000-strategy case). */
  bars?: number;
  /** Strategies per worker task; default 64. */
  batchSize?: number;
  /** Rounds of (1 worker, 2 workers), in alternating order; the ratios are medians over rounds. Default 5 (the ratio of one round swings by ~0.1 on a shared 2-vCPU machine). */
  rounds?: number;
  /**
   * Rounds of (1 worker, 2 workers) run as whole CLI processes (`sweeplens analyze <run> --workers N
   * --no-cache`, each writing into a fresh folder), alternating; default 3, 0 for none. They need the
   * built CLI (`cliEntry`); without it they are skipped and the report says why.
   */
  processRounds?: number;
  /** The built CLI entry; default dist/src/cli/main.js next to this module when run from dist/. */
  cliEntry?: string;
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
  /** Each round's wall and strategies-phase (summary timings.computeMs) milliseconds, 1 and 2 workers. */
  rounds: { oneMs: number; twoMs: number; oneComputeMs: number; twoComputeMs: number }[];
  /**
   * Each whole-process round's wall milliseconds with 1 and 2 workers: a fresh `node` per analysis, so
   * besides the engine these pay process start, module loading, the first decode and optimizing
   * compiles of the process, and exit, all of which do not shrink with more workers.
   */
  processRounds: { oneMs: number; twoMs: number }[];
  /** Why the whole-process rounds were skipped, when they were. */
  processSkipped?: string;
  ratios: {
    /** wall(1 worker) / wall(2 workers), both without cache: median over rounds of each round's ratio. */
    twoWorkersOverOne: number;
    /**
     * The same for the phase the pool shares (computing the strategies; summary timings.computeMs):
     * how the engine scales, without the serial scan, bars, market index and outputs.
     */
    computeTwoWorkersOverOne: number;
    /** wall(1 worker) / wall(2 workers) of whole CLI processes: median over the process rounds (NaN when skipped). */
    processTwoWorkersOverOne: number;
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

/** The middle value (the mean of the two middle ones for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The timed analysis of median wall time (the lower middle one for an even count). */
function medianCase(cases: readonly [EngineBenchCase, AnalysisResult][]): [EngineBenchCase, AnalysisResult] {
  return [...cases].sort((a, b) => a[0].wallMs - b[0].wallMs)[(cases.length - 1) >> 1]!;
}

/** The built CLI next to this module (dist/bench -> dist/src/cli/main.js); undefined when running from the TS sources. */
function builtCliEntry(): string | undefined {
  const entry = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  return existsSync(entry) ? entry : undefined;
}

/**
 * `rounds` rounds of `sweeplens analyze run --workers 1` and `--workers 2` as child processes (the
 * CLI's default batch size), in
 * alternating order, each writing into a fresh folder (removed after the last round: removing
 * thousands of files between runs slows the next run's file creation on ext4).
 */
function timeProcesses(cliEntry: string, run: string, rounds: number, log: (line: string) => void): EngineBenchReport['processRounds'] {
  const outParent = mkdtempSync(join(tmpdir(), 'sweeplens-engine-bench-out-'));
  const results: EngineBenchReport['processRounds'] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const wall: Record<number, number> = {};
      for (const workers of r % 2 === 0 ? [1, 2] : [2, 1]) {
        log(`sweeplens analyze as a process, ${workers} worker${workers === 1 ? '' : 's'} (round ${r + 1} of ${rounds}) ...`);
        const args = [cliEntry, 'analyze', run, '--workers', String(workers), '--no-cache', '--quiet', '--top', '1', '--out', join(outParent, `r${r}-w${workers}`)];
        const started = performance.now();
        const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
        wall[workers] = performance.now() - started;
        if (child.status !== 0) throw new Error(`engine bench: sweeplens analyze --workers ${workers} failed (exit ${child.status}): ${child.stderr.trim().slice(0, 500)}`);
      }
      results.push({ oneMs: wall[1]!, twoMs: wall[2]! });
    }
  } finally {
    rmSync(outParent, { recursive: true, force: true });
  }
  return results;
}

/** Generates a run, analyzes it with 1 and 2 workers and with caches, and reports the ratios. */
export async function runEngineBench(options: EngineBenchOptions = {}): Promise<EngineBenchReport> {
  const strategies = options.strategies ?? 2_000;
  const bars = options.bars ?? 1_000_000;
  const batchSize = options.batchSize ?? 64;
  const log = options.log ?? (() => {});
  const { runDir: run, generateMs = 0, cleanup } = prepareBenchRun('engine', { strategies, classifiers: 0, bars, seed: 7, metrics: false }, undefined, log);
  try {
    // Warm-up (module compile, page faults of the shared memory) on a cache we then discard.
    await analyzeRun(run, { workers: 2, useCache: false, batchSize });
    const roundCount = options.rounds ?? 5;
    const rounds: EngineBenchReport['rounds'] = [];
    const ones: [EngineBenchCase, AnalysisResult][] = [];
    const twos: [EngineBenchCase, AnalysisResult][] = [];
    for (let r = 0; r < roundCount; r++) {
      // (1 then 2 workers in even rounds, 2 then 1 in odd ones: a drift of the machine's speed hits both)
      for (const workers of r % 2 === 0 ? [1, 2] as const : [2, 1] as const) {
        log(`analyze, ${workers} worker${workers === 1 ? '' : 's'} (round ${r + 1} of ${roundCount}) ...`);
        const name = workers === 1 ? 'analyze/1-worker' : 'analyze/2-workers';
        (workers === 1 ? ones : twos).push(await timed(name, workers, false, strategies, bars, () => analyzeRun(run, { workers, useCache: false, batchSize })));
      }
      const [oneCase, oneAnalysis] = ones[r]!;
      const [twoCase, twoAnalysis] = twos[r]!;
      rounds.push({
        oneMs: oneCase.wallMs, twoMs: twoCase.wallMs, oneComputeMs: oneAnalysis.summary.timings!.computeMs, twoComputeMs: twoAnalysis.summary.timings!.computeMs,
      });
    }
    const [one, oneResult] = medianCase(ones);
    const [two, twoResult] = medianCase(twos);
    log('analyze, 2 workers, valid caches (the unchanged run is re-used whole) ...');
    const [cachedCase, cachedResult] = await timed('analyze/2-workers-cached', 2, true, strategies, bars, () => analyzeRun(run, { workers: 2, batchSize }));
    if (!cachedResult.reusedAnalysis) throw new Error('engine bench: the unchanged run was not re-used');
    log('analyze, 2 workers, through the per-strategy caches ...');
    rmSync(analysisStatePath(run), { force: true });
    const [perStrategyCase, perStrategyResult] = await timed('analyze/2-workers-per-strategy-caches', 2, true, strategies, bars, () => analyzeRun(run, { workers: 2, batchSize }));
    if (perStrategyResult.reusedAnalysis || perStrategyResult.summary.strategies.fromCache !== strategies) throw new Error('engine bench: the per-strategy caches were not used');
    const processRoundCount = options.processRounds ?? 3;
    const cliEntry = options.cliEntry ?? builtCliEntry();
    let processRounds: EngineBenchReport['processRounds'] = [];
    let processSkipped: string | undefined;
    if (processRoundCount > 0 && cliEntry) processRounds = timeProcesses(cliEntry, run, processRoundCount, log);
    else processSkipped = processRoundCount > 0 ? 'no built CLI next to the bench (run it from dist/: npm run bench)' : 'processRounds is 0';
    const a = JSON.stringify(oneResult.rankings);
    const b = JSON.stringify(twoResult.rankings);
    if (a !== b) throw new Error('engine bench parity: 1 and 2 workers produced different rankings');
    return {
      strategies, bars, generateMs, cases: [one, two, cachedCase, perStrategyCase], rounds, processRounds,
      ...(processSkipped !== undefined ? { processSkipped } : {}),
      ratios: {
        twoWorkersOverOne: median(rounds.map((round) => round.oneMs / round.twoMs)),
        computeTwoWorkersOverOne: median(rounds.map((round) => round.oneComputeMs / round.twoComputeMs)),
        processTwoWorkersOverOne: processRounds.length > 0 ? median(processRounds.map((round) => round.oneMs / round.twoMs)) : NaN,
        cachedSpeedup: two.wallMs / cachedCase.wallMs, perStrategyCacheSpeedup: two.wallMs / perStrategyCase.wallMs },
    };
  } finally {
    cleanup();
  }
}
