// Pattern mining vs analyze on the same generated run. Acceptance: mineRun takes at most twice the
// time of analyzeRun (no cache) on a 1,000-strategy run.
import { cpus } from 'node:os';
import { analyzeRun } from '../src/coordinator/analyze.ts';
import { mineRun } from '../src/coordinator/mine.ts';
import { readRunMetadata } from '../src/io/layout.ts';
import { prepareBenchRun } from './benchRun.ts';

/** Options of runPatternsBench. */
export interface PatternsBenchOptions {
  /** Existing run to measure; default: generate one into a temp folder (removed afterwards). */
  runDir?: string;
  /** Strategies of the generated run; default 1,000. */
  strategies?: number;
  /** Bars of the generated run; default 100,000. */
  bars?: number;
  /** Classifiers of the generated run; default 4. */
  classifiers?: number;
  /** Seed of the generated run; default 42. */
  seed?: number;
  /** Worker threads of analyzeRun; default: its own default (the machine's parallelism). */
  workers?: number;
  /** Timed rounds (analyze then mine each round; the minimum of each is reported); default 1. */
  repeats?: number;
  /** Progress lines; default none. */
  log?: (line: string) => void;
}

/** What runPatternsBench measured. */
export interface PatternsBenchReport {
  runDir: string;
  strategies: number;
  classifiers: number;
  bars: number;
  totalSignalChanges: number;
  generateMs: number | undefined;
  /** analyzeRun with useCache: false, ms (minimum over rounds). */
  analyzeMs: number;
  /** mineRun with default options, ms (minimum over rounds). */
  mineMs: number;
  /** Every round's timings, in order. */
  rounds: { analyzeMs: number; mineMs: number }[];
  /** mineMs / analyzeMs; the acceptance bar is <= 2. */
  ratio: number;
  patterns: number;
  environment: { node: string; cpus: number; cpuModel: string };
}

/** Generates (or reuses) a run, then times analyzeRun (no cache) and mineRun on it. */
export async function runPatternsBench(options: PatternsBenchOptions = {}): Promise<PatternsBenchReport> {
  const log = options.log ?? (() => {});
  const { runDir, generateMs, cleanup } = prepareBenchRun('patterns', {
    strategies: options.strategies ?? 1_000, classifiers: options.classifiers ?? 4, bars: options.bars ?? 100_000, seed: options.seed ?? 42, metrics: false,
  }, options.runDir, log);
  try {
    const metadata = readRunMetadata(runDir);
    const rounds: PatternsBenchReport['rounds'] = [];
    let patterns = 0;
    for (let round = 0; round < Math.max(1, options.repeats ?? 1); round++) {
      log(`round ${round + 1}: analyze (no cache)`);
      let started = performance.now();
      await analyzeRun(runDir, { useCache: false, ...(options.workers !== undefined ? { workers: options.workers } : {}) });
      const analyzeMs = performance.now() - started;
      log(`round ${round + 1}: mine`);
      started = performance.now();
      const mined = await mineRun(runDir);
      const mineMs = performance.now() - started;
      patterns = mined.file.patterns.length;
      rounds.push({ analyzeMs, mineMs });
      log(`round ${round + 1}: analyze ${analyzeMs.toFixed(0)} ms, mine ${mineMs.toFixed(0)} ms`);
    }
    const analyzeMs = Math.min(...rounds.map((r) => r.analyzeMs));
    const mineMs = Math.min(...rounds.map((r) => r.mineMs));
    const barCounts = Object.values(metadata.barCounts);
    return {
      runDir,
      strategies: metadata.strategies.length,
      classifiers: metadata.classifiers.length,
      bars: barCounts[0] ?? 0,
      totalSignalChanges: metadata.totalSignalChanges,
      generateMs,
      analyzeMs,
      mineMs,
      rounds,
      ratio: mineMs / analyzeMs,
      patterns,
      environment: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' },
    };
  } finally {
    cleanup();
  }
}
