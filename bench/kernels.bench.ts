// Benchmark of the dense metrics pass and its kernels: WASM vs the plain-TS reference, measured in
// one run with benchmark.js. Parity is checked first; a disagreement above 1e-9 aborts the run.
//
// Cases per size N (bars), all on the same seeded random market and sparse signal:
//   dense-metrics/wasm            denseStrategyMetrics with a prebuilt DenseMarket (expand + costs + moments + drawdown + trades)
//   dense-metrics/wasm+market     the same plus buildDenseMarket (copy close/volume into kernel memory + bar returns)
//   dense-metrics/ts              referenceStrategyMetrics (test/reference): bar returns + expand + costs + moments + drawdown + trades
//   moments/wasm-simd, moments/ts                  one moments pass over N returns (data already in kernel memory for WASM)
//   max-drawdown/wasm, max-drawdown/ts             one max drawdown pass over N returns
//   interop/copy-f64                               copying N f64 from a JS array into kernel memory (the interop floor)
import os from 'node:os';
import Benchmark from 'benchmark';
import { PARITY_TOLERANCE } from '../src/constants.ts';
import { defaultExecutionCosts } from '../src/analytics/metricOptions.ts';
import { denseStrategyMetrics } from '../src/analytics/denseMetrics.ts';
import { buildDenseMarket, type DenseMarket } from '../src/market/denseMarket.ts';
import { MOMENT_SLOTS, readMoments } from '../src/kernels/moments.ts';
import { kernels } from '../src/kernels/runtime.ts';
import type { ExecutionCosts, PerformanceMetrics, SignalTrace } from '../src/types.ts';
import type { MetricOptions } from '../src/analytics/metricOptions.ts';
import { referenceStrategyMetrics } from '../test/reference/strategyMetrics.ts';
import { moments as referenceMoments } from '../test/reference/moments.ts';
import { maxDrawdown as referenceMaxDrawdown } from '../test/reference/drawdown.ts';
import { Rng } from '../test/helpers/rng.ts';

/** Seed of every generated input. */
export const BENCH_SEED = 20240601;
/** Default sizes (bars) of the full and the quick run. */
export const DEFAULT_BENCH_SIZES: readonly number[] = [100_000, 1_000_000];
/** Mean bars between position changes of the random sparse signal. */
export const MEAN_BARS_PER_CHANGE = 200;

/** Options of runKernelBench. */
export interface KernelBenchOptions {
  /** Short timing (maxTime 0.1 s per case, at least 5 samples) for CI and smoke runs; the full run uses 4 s. */
  quick: boolean;
  /** Bars per generated market, e.g. [100_000, 1_000_000]. */
  sizes: number[];
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** One timed case. */
export interface BenchCaseResult {
  /** `<family>/<implementation>`, e.g. "dense-metrics/wasm". */
  name: string;
  family: string;
  implementation: string;
  /** Bars processed per call (N). */
  bars: number;
  /** Bars per second: N / mean seconds per call (for dense-metrics: strategy-bars per second). */
  barsPerSecond: number;
  /** Mean milliseconds per call. */
  meanMs: number;
  /** Relative margin of error of the mean, percent (benchmark.js rme). */
  rmePercent: number;
  /** Samples benchmark.js took. */
  samples: number;
}

/** One parity check that passed. */
export interface ParityResult {
  check: string;
  bars: number;
  /** Largest |wasm - ts| / max(1, |wasm|, |ts|) over the compared values. */
  maxRelativeDifference: number;
}

/** The whole report (what `sweeplens bench --json` prints). */
export interface KernelBenchReport {
  environment: { node: string; platform: string; arch: string; cpus: number; cpuModel: string; benchmarkJs: string };
  seed: number;
  quick: boolean;
  sizes: number[];
  parity: ParityResult[];
  cases: BenchCaseResult[];
  /**
   * WASM speed over the TS reference measured in this run (barsPerSecond(wasm) / barsPerSecond(ts)),
   * keyed `<comparison>@<bars>`: denseMetrics (prebuilt market), denseMetricsWithMarket (incl.
   * buildDenseMarket: the like-for-like full pass), moments, maxDrawdown; and interopShareOfDense
   * = time of copying N f64 / time of the dense WASM pass.
   */
  ratios: Record<string, number>;
}

/** A seeded benchmark input: a geometric random walk and a random sparse -1/0/1 signal. */
export interface BenchInput {
  close: Float64Array;
  volume: Float64Array;
  trace: SignalTrace;
}

/** Volatility of log returns per bar (intraday-like; keeps 1M-bar prices within ~e^±4 of the start). */
export const BAR_VOLATILITY = 0.001;

/**
 * Generates a market of `bars` bars (driftless geometric random walk from 100, volatility
 * BAR_VOLATILITY per bar, log-normal volume around 1e6) and a -1/0/1 signal changing every
 * ~MEAN_BARS_PER_CHANGE bars.
 */
export function generateBenchInput(bars: number, seed = BENCH_SEED): BenchInput {
  const rng = new Rng(seed ^ bars);
  const close = new Float64Array(bars);
  const volume = new Float64Array(bars);
  let price = 100;
  for (let t = 0; t < bars; t++) {
    if (t > 0) price *= Math.exp(BAR_VOLATILITY * rng.normal() - BAR_VOLATILITY ** 2 / 2);
    close[t] = price;
    volume[t] = 1e6 * Math.exp(0.3 * rng.normal());
  }
  const idx: number[] = [];
  const signal: number[] = [];
  let previous = 0;
  for (let t = 0; t < bars; t++) {
    if (!rng.chance(1 / MEAN_BARS_PER_CHANGE)) continue;
    let next = previous;
    while (next === previous) next = rng.pick([-1, 0, 1]);
    idx.push(t);
    signal.push(next);
    previous = next;
  }
  return { close, volume, trace: { idx: Int32Array.from(idx), signal: Float64Array.from(signal) } };
}

function relativeDifference(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
}

/** Compares two metric records field by field; throws (loudly) on any disagreement above 1e-9. */
export function assertMetricsParity(check: string, bars: number, wasm: PerformanceMetrics, ts: PerformanceMetrics): ParityResult {
  let worst = 0;
  const problems: string[] = [];
  for (const key of Object.keys(ts) as (keyof PerformanceMetrics)[]) {
    const a = wasm[key];
    const b = ts[key];
    if (a === null || b === null) {
      if (a !== b) problems.push(`${key}: wasm ${a} vs ts ${b}`);
      continue;
    }
    const difference = relativeDifference(a, b);
    worst = Math.max(worst, difference);
    if (!(difference <= PARITY_TOLERANCE)) problems.push(`${key}: wasm ${a} vs ts ${b} (relative difference ${difference.toExponential(2)})`);
  }
  if (problems.length > 0) {
    throw new Error(`PARITY FAILURE (${check}, ${bars} bars): WASM and the TS reference disagree by more than ${PARITY_TOLERANCE}:\n  ${problems.join('\n  ')}`);
  }
  return { check, bars, maxRelativeDifference: worst };
}

function assertScalarParity(check: string, bars: number, pairs: [string, number, number][]): ParityResult {
  let worst = 0;
  for (const [name, a, b] of pairs) {
    const difference = relativeDifference(a, b);
    worst = Math.max(worst, difference);
    if (!(difference <= PARITY_TOLERANCE)) {
      throw new Error(`PARITY FAILURE (${check}, ${bars} bars): ${name} wasm ${a} vs ts ${b} (relative difference ${difference.toExponential(2)})`);
    }
  }
  return { check, bars, maxRelativeDifference: worst };
}

/** Keeps results alive so no call can be optimized away. */
let sink = 0;

/** Calls `fn` until it has run `minCalls` times and `minMs` have passed (the first WASM calls run in Liftoff). */
function warmUp(fn: () => void, minCalls: number, minMs: number): void {
  const start = performance.now();
  for (let calls = 0; calls < minCalls || performance.now() - start < minMs; calls++) {
    fn();
    if (calls > 10_000) break;
  }
}

interface PendingCase {
  family: string;
  implementation: string;
  bars: number;
  fn: () => void;
}

/**
 * Runs the benchmark: for each size, checks parity of the WASM dense pass (linear and sqrt costs),
 * moments and max drawdown against the TS reference, then times every case with benchmark.js
 * (fixed seed, explicit warm-up, no setup/teardown: see TOOLCHAIN.md §7) and computes the
 * ratios from this one run.
 */
export function runKernelBench(options: KernelBenchOptions): KernelBenchReport {
  const log = options.log ?? (() => undefined);
  const sizes = options.sizes.length > 0 ? options.sizes : [...DEFAULT_BENCH_SIZES];
  for (const size of sizes) {
    if (!Number.isInteger(size) || size < 2) throw new Error(`bench sizes must be integers >= 2, got ${size}`);
  }
  const instance = kernels();
  const k = instance.exports;
  const linear = defaultExecutionCosts();
  const sqrt: ExecutionCosts = defaultExecutionCosts({ slippageModel: 'sqrt' });
  const metricOptions: MetricOptions = { periodsPerYear: 252 };
  const parity: ParityResult[] = [];
  const pending: PendingCase[] = [];
  const markBefore = instance.arena.mark();

  for (const bars of sizes) {
    log(`generating ${bars.toLocaleString('en-US')} bars (seed ${BENCH_SEED}) ...`);
    const input = generateBenchInput(bars);
    const { close, volume, trace } = input;

    // Parity first: dense pass with both cost models, then the per-kernel cases.
    const sqrtMarket = buildDenseMarket({ close, volume }, sqrt, 'bench', instance);
    parity.push(assertMetricsParity('dense metrics, sqrt costs', bars,
      denseStrategyMetrics(sqrtMarket, trace, sqrt, metricOptions), referenceStrategyMetrics(close, volume, trace, sqrt, metricOptions)));
    const market: DenseMarket = buildDenseMarket({ close, volume }, linear, 'bench', instance);
    parity.push(assertMetricsParity('dense metrics, linear costs', bars,
      denseStrategyMetrics(market, trace, linear, metricOptions), referenceStrategyMetrics(close, volume, trace, linear, metricOptions)));

    // Per-kernel inputs: the market's bar returns, already in kernel memory (and a JS copy for TS).
    const returnsInKernel = market.returns;
    const returnsJs = market.returns.slice();
    const momentsBlock = instance.arena.f64(MOMENT_SLOTS);
    k.moments(returnsInKernel.byteOffset, bars, 0, momentsBlock.byteOffset);
    const wasmMoments = readMoments(momentsBlock);
    const tsMoments = referenceMoments(returnsJs, 0);
    parity.push(assertScalarParity('moments', bars, [
      ['count', wasmMoments.count, tsMoments.count], ['mean', wasmMoments.mean, tsMoments.mean], ['std', wasmMoments.std, tsMoments.std],
      ['downsideDeviation', wasmMoments.downsideDeviation, tsMoments.downsideDeviation], ['totalReturn', wasmMoments.totalReturn, tsMoments.totalReturn],
    ]));
    parity.push(assertScalarParity('max drawdown', bars, [['maxDrawdown', k.maxDrawdown(returnsInKernel.byteOffset, bars), referenceMaxDrawdown(returnsJs)]]));
    const copyTarget = instance.arena.f64(bars);
    const closeJs = close.slice();
    log(`parity ok at ${bars.toLocaleString('en-US')} bars (dense linear + sqrt, moments, max drawdown)`);

    pending.push(
      { family: 'dense-metrics', implementation: 'wasm', bars, fn: () => { sink += denseStrategyMetrics(market, trace, linear, metricOptions).bars; } },
      {
        family: 'dense-metrics', implementation: 'wasm+market', bars,
        fn: () => {
          const mark = instance.arena.mark();
          try {
            sink += denseStrategyMetrics(buildDenseMarket({ close, volume }, linear, 'bench', instance), trace, linear, metricOptions).bars;
          } finally {
            instance.arena.release(mark);
          }
        },
      },
      { family: 'dense-metrics', implementation: 'ts', bars, fn: () => { sink += referenceStrategyMetrics(close, volume, trace, linear, metricOptions).bars; } },
      { family: 'moments', implementation: 'wasm-simd', bars, fn: () => { k.moments(returnsInKernel.byteOffset, bars, 0, momentsBlock.byteOffset); sink += momentsBlock[0]!; } },
      { family: 'moments', implementation: 'ts', bars, fn: () => { sink += referenceMoments(returnsJs, 0).count; } },
      { family: 'max-drawdown', implementation: 'wasm', bars, fn: () => { sink += k.maxDrawdown(returnsInKernel.byteOffset, bars); } },
      { family: 'max-drawdown', implementation: 'ts', bars, fn: () => { sink += referenceMaxDrawdown(returnsJs); } },
      { family: 'interop', implementation: 'copy-f64', bars, fn: () => { copyTarget.set(closeJs); sink += copyTarget[bars - 1]!; } },
    );
  }

  const maxTime = options.quick ? 0.1 : 4;
  const minSamples = options.quick ? 5 : 20;
  const cases: BenchCaseResult[] = [];
  for (const entry of pending) {
    const name = `${entry.family}/${entry.implementation}`;
    warmUp(entry.fn, 5, options.quick ? 30 : 300);
    const bench = new Benchmark(name, entry.fn, { maxTime, minSamples, async: false });
    bench.run();
    const error = (bench as unknown as { error?: Error }).error;
    if (error) throw new Error(`benchmark '${name}' (${entry.bars} bars) failed: ${error.message}`);
    const meanSeconds = bench.stats.mean;
    const result: BenchCaseResult = {
      name, family: entry.family, implementation: entry.implementation, bars: entry.bars,
      barsPerSecond: entry.bars / meanSeconds, meanMs: meanSeconds * 1000, rmePercent: bench.stats.rme, samples: bench.stats.sample.length,
    };
    cases.push(result);
    log(`${name.padEnd(28)} ${entry.bars.toLocaleString('en-US').padStart(10)} bars  ${result.meanMs.toFixed(3).padStart(9)} ms  ±${result.rmePercent.toFixed(1)}%  (${result.samples} samples)`);
  }
  instance.arena.release(markBefore);
  if (!Number.isFinite(sink)) log('(sink is not finite; results still valid)');

  return {
    environment: environment(),
    seed: BENCH_SEED,
    quick: options.quick,
    sizes,
    parity,
    cases,
    ratios: computeRatios(cases, sizes),
  };
}

function computeRatios(cases: BenchCaseResult[], sizes: number[]): Record<string, number> {
  const find = (name: string, bars: number) => cases.find((c) => c.name === name && c.bars === bars);
  const ratios: Record<string, number> = {};
  for (const bars of sizes) {
    const speedup = (key: string, wasmName: string, tsName: string) => {
      const wasm = find(wasmName, bars);
      const ts = find(tsName, bars);
      if (wasm && ts) ratios[`${key}@${bars}`] = wasm.barsPerSecond / ts.barsPerSecond;
    };
    speedup('denseMetrics', 'dense-metrics/wasm', 'dense-metrics/ts');
    speedup('denseMetricsWithMarket', 'dense-metrics/wasm+market', 'dense-metrics/ts');
    speedup('moments', 'moments/wasm-simd', 'moments/ts');
    speedup('maxDrawdown', 'max-drawdown/wasm', 'max-drawdown/ts');
    const copy = find('interop/copy-f64', bars);
    const dense = find('dense-metrics/wasm', bars);
    if (copy && dense) ratios[`interopShareOfDense@${bars}`] = copy.meanMs / dense.meanMs;
  }
  return ratios;
}

function environment(): KernelBenchReport['environment'] {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    benchmarkJs: Benchmark.version,
  };
}
