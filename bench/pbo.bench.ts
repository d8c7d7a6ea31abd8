// Benchmark of PBO by CSCV (assembly/pbo.ts): S = 16 blocks (12,870 splits) over 1,000 strategies ×
// 100,000 bars by default. Correctness first: on a small seeded case the WASM driver must give the
// same selections, ranks and PBO as the brute-force reference (test/reference/pbo.ts), otherwise the
// run aborts. The big matrix is generated directly in kernel memory (800 MB for the default size) and
// read in place, so the timings are of the kernels, not of copying.
import { halfSplitMasks, probabilityOfBacktestOverfitting, summarizePbo } from '../src/analytics/overfitting/pbo.ts';
import { pooledPbo } from '../src/coordinator/pooledPbo.ts';
import { EnginePool } from '../src/engine/pool.ts';
import { pboBlockSums, pboSplits } from '../src/kernels/pbo.ts';
import { kernels } from '../src/kernels/runtime.ts';
import { bruteForcePbo } from '../test/reference/pbo.ts';
import { Rng } from '../test/helpers/rng.ts';

/** Seed of every generated input. */
export const PBO_BENCH_SEED = 20240615;

/** Options of runPboBench. */
export interface PboBenchOptions {
  /** Bars T; default 100,000. */
  nBars?: number;
  /** Strategies N; default 1,000. */
  nStrategies?: number;
  /** CSCV blocks S; default 16. */
  blocks?: number;
  seed?: number;
}

/** What runPboBench measured. */
export interface PboBenchReport {
  nBars: number;
  nStrategies: number;
  blocks: number;
  splits: number;
  /** Parity with the brute-force reference on the small case (always true: a mismatch throws). */
  parity: boolean;
  /** Wall time to generate the returns (not part of the PBO), ms. */
  generateMs: number;
  /** Block sums, O(T·N), ms. */
  blockSumsMs: number;
  /** All splits, O(C(S,S/2)·S·N), ms. */
  splitsMs: number;
  /** Summary (logits, histogram, regression), ms. */
  summaryMs: number;
  /** blockSumsMs + splitsMs + summaryMs. */
  totalMs: number;
  /**
   * PBO of the generated set: iid N(drift_j, 0.01²) returns with drift_j ~ U(±2e-4), i.e. true per-bar
   * Sharpe ratios up to 0.02 (t ≈ 4.5 on 50,000 bars), so the IS-best is genuinely good and PBO ≈ 0.
   */
  pbo: number;
}

function checkParity(seed: number): void {
  const rng = new Rng(seed);
  const nBars = 200;
  const nStrategies = 10;
  const values = new Float64Array(nBars * nStrategies);
  for (let i = 0; i < values.length; i++) values[i] = rng.normal(0, 0.01);
  const names = Array.from({ length: nStrategies }, (_, j) => `s${j}`);
  const got = probabilityOfBacktestOverfitting({ values, bars: nBars, names }, { blocks: 8 });
  const want = bruteForcePbo(values, nBars, nStrategies, 8);
  const same = got.pbo === want.pbo
    && want.selected.every((s, c) => got.selected[c] === s)
    && want.ranks.every((r, c) => got.ranks[c] === r);
  if (!same) throw new Error('pbo bench: WASM CSCV differs from the brute-force reference; not timing');
}

/** Runs the benchmark once (parity check, then one timed run) and returns the timings. */
export function runPboBench(options: PboBenchOptions = {}): PboBenchReport {
  const nBars = options.nBars ?? 100_000;
  const nStrategies = options.nStrategies ?? 1_000;
  const blocks = options.blocks ?? 16;
  const seed = options.seed ?? PBO_BENCH_SEED;
  checkParity(seed);

  const instance = kernels();
  const mark = instance.arena.mark();
  try {
    let started = performance.now();
    const region = instance.arena.f64(nBars * nStrategies);
    const values = new Float64Array(instance.memory.buffer, region.byteOffset, nBars * nStrategies);
    const rng = new Rng(seed);
    for (let j = 0; j < nStrategies; j++) {
      const drift = rng.between(-2e-4, 2e-4);
      for (let t = 0; t < nBars; t++) values[j * nBars + t] = rng.normal(drift, 0.01);
    }
    const generateMs = performance.now() - started;

    started = performance.now();
    const sums = pboBlockSums(values, nBars, nStrategies, blocks, instance);
    const blockSumsMs = performance.now() - started;

    started = performance.now();
    const masks = halfSplitMasks(blocks);
    const part = pboSplits(sums, masks, 0, masks.length, 'sharpe', instance);
    const splitsMs = performance.now() - started;

    started = performance.now();
    const result = summarizePbo([part], { nStrategies, nBars, blocks, metric: 'sharpe' });
    const summaryMs = performance.now() - started;

    return {
      nBars, nStrategies, blocks, splits: masks.length, parity: true,
      generateMs, blockSumsMs, splitsMs, summaryMs, totalMs: blockSumsMs + splitsMs + summaryMs, pbo: result.pbo,
    };
  } finally {
    instance.arena.release(mark);
  }
}

/** Strategies of the warm-up slice of runPooledPboBench. */
const WARMUP_STRATEGIES = 100;

/** Options of runPooledPboBench. */
export interface PooledPboBenchOptions extends PboBenchOptions {
  /** Worker threads of the pool; default 2. */
  workers?: number;
}

/** What runPooledPboBench measured (same matrix for both drivers, in the pool's shared memory). */
export interface PooledPboBenchReport {
  nBars: number;
  nStrategies: number;
  blocks: number;
  splits: number;
  workers: number;
  /** Pool-sharded result equals the single-threaded one on the small case and on the big one (a mismatch throws). */
  parity: boolean;
  /** EnginePool.create until every worker has answered a trivial task, ms (not part of the PBO). */
  poolStartMs: number;
  /** Wall time to generate the returns in shared memory, ms (not part of the PBO). */
  generateMs: number;
  /** pooledPbo end to end: block sums on the main thread, shared copies, sharded splits, merge and summary, ms. */
  pooledMs: number;
  /** The single-threaded driver on the same matrix (block sums + all splits in one call + summary), ms. */
  singleThreadMs: number;
  /** singleThreadMs / pooledMs. */
  speedup: number;
  /** Pool tasks the splits were sharded into. */
  tasks: number;
  pbo: number;
}

/**
 * Pool-sharded PBO (pooledPbo, as overfitRun runs it) against the single-threaded driver on the same
 * T×N matrix generated in the pool's shared memory (iid N(drift_j, 0.01²) returns, as runPboBench).
 * Parity first: on a small seeded case the pooled result must equal probabilityOfBacktestOverfitting
 * exactly; on the big case the two results must be identical too.
 */
export async function runPooledPboBench(options: PooledPboBenchOptions = {}): Promise<PooledPboBenchReport> {
  const nBars = options.nBars ?? 100_000;
  const nStrategies = options.nStrategies ?? 1_000;
  const blocks = options.blocks ?? 16;
  const seed = options.seed ?? PBO_BENCH_SEED;
  const workers = options.workers ?? 2;
  let started = performance.now();
  const pool = EnginePool.create({ workers });
  try {
    const rng = new Rng(seed);
    const small = { values: Float64Array.from({ length: 300 * 12 }, () => rng.normal(0, 0.01)), bars: 300, names: Array.from({ length: 12 }, (_, j) => `s${j}`) };
    const smallPooled = await pooledPbo(small, pool, { blocks: 8 });
    const smallSingle = probabilityOfBacktestOverfitting(small, { blocks: 8 });
    if (!samePbo(smallPooled.results[0]!, smallSingle)) throw new Error('pbo bench: pooled CSCV differs from the single-threaded driver; not timing');
    // Every worker has answered (the small case ran one task per worker or more); make sure of it.
    await Promise.all(Array.from({ length: workers }, () => pooledPbo(small, pool, { blocks: 4 })));
    const poolStartMs = performance.now() - started;

    const instance = pool.instance;
    const mark = instance.arena.mark();
    try {
      started = performance.now();
      const region = instance.arena.f64(nBars * nStrategies);
      const values = new Float64Array(instance.memory.buffer, region.byteOffset, nBars * nStrategies);
      for (let j = 0; j < nStrategies; j++) {
        const drift = rng.between(-2e-4, 2e-4);
        for (let t = 0; t < nBars; t++) values[j * nBars + t] = rng.normal(drift, 0.01);
      }
      const generateMs = performance.now() - started;
      const matrix = { values, bars: nBars, names: Array.from({ length: nStrategies }, (_, j) => `s${j}`) };

      // Warm-up on a slice of the matrix, so both drivers are timed with optimized (TurboFan) kernels
      // on every thread: a first long call runs in V8's baseline tier (about 2x slower).
      const warmColumns = Math.min(nStrategies, WARMUP_STRATEGIES);
      const warm = { values: values.subarray(0, warmColumns * nBars), bars: nBars, names: matrix.names.slice(0, warmColumns) };
      await pooledPbo(warm, pool, { blocks, shardBlockSums: true });
      probabilityOfBacktestOverfitting(warm, { blocks });

      started = performance.now();
      const pooled = await pooledPbo(matrix, pool, { blocks });
      const pooledMs = performance.now() - started;

      started = performance.now();
      const sums = pboBlockSums(values, nBars, nStrategies, blocks, instance);
      const masks = halfSplitMasks(blocks);
      const part = pboSplits(sums, masks, 0, masks.length, 'sharpe', instance);
      const single = summarizePbo([part], { nStrategies, nBars, blocks, metric: 'sharpe' });
      const singleThreadMs = performance.now() - started;
      if (!samePbo(pooled.results[0]!, single)) throw new Error('pbo bench: pooled CSCV differs from the single-threaded driver on the big case');
      return {
        nBars, nStrategies, blocks, splits: masks.length, workers, parity: true, poolStartMs, generateMs, pooledMs, singleThreadMs,
        speedup: singleThreadMs / pooledMs, tasks: pooled.tasks, pbo: pooled.results[0]!.pbo,
      };
    } finally {
      instance.arena.release(mark);
    }
  } finally {
    await pool.destroy();
  }
}

function samePbo(a: ReturnType<typeof summarizePbo>, b: ReturnType<typeof summarizePbo>): boolean {
  const same = (x: ArrayLike<number>, y: ArrayLike<number>) => x.length === y.length && Array.from(x).every((v, i) => Object.is(v, y[i]));
  return a.pbo === b.pbo && same(a.selected, b.selected) && same(a.inSample, b.inSample) && same(a.outOfSample, b.outOfSample) && same(a.ranks, b.ranks)
    && same(a.logits, b.logits) && a.probabilityOfLoss === b.probabilityOfLoss && a.degradation.slope === b.degradation.slope;
}
