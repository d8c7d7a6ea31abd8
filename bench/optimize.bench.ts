// Benchmark of the ensemble optimizer (assembly/optimize.ts) and the blocked covariance kernel
// (assembly/correlation.ts) on seeded random problems of two kinds: a well-conditioned factor model
// ("factor") and the sample moments of a sweep-like return matrix whose neighbouring strategies are
// highly correlated ("sweep", ill conditioned, as real parameter sweeps). Correctness first: every
// solve must converge, and for N <= MAX_ACTIVE_SET_ASSETS the max-Sharpe and min-variance optima must
// equal the exact active-set solution (test/reference/optimize.ts) to 1e-9 relative, otherwise the
// run aborts. Timings are medians of REPEATS solves after one warm-up solve (the first call runs in
// Liftoff).
import { optimizeEnsemble, type EnsembleResult, type PortfolioObjective } from '../src/analytics/ensemble.ts';
import { covarianceMatrix } from '../src/kernels/correlation.ts';
import { covarianceMatrix as referenceCovariance } from '../test/reference/correlation.ts';
import { activeSetMaxSharpe, activeSetMinVariance } from '../test/reference/optimize.ts';
import { Rng } from '../test/helpers/rng.ts';

/** Seed of every generated input. */
export const OPTIMIZE_BENCH_SEED = 20240612;
/** Asset counts of the run. */
export const OPTIMIZE_BENCH_SIZES: readonly number[] = [20, 200, 2_000];
/** Largest N checked against the O(N^3)-per-step active-set oracle. */
export const MAX_ACTIVE_SET_ASSETS = 200;
const REPEATS = 3;
/** Bars of the return matrix whose covariance is timed (10 years of daily bars). */
const COVARIANCE_BARS = 2_520;

/** Problem families of the run. */
export const OPTIMIZE_BENCH_PROBLEMS = ['factor', 'sweep'] as const;
export type OptimizeBenchProblem = (typeof OPTIMIZE_BENCH_PROBLEMS)[number];

/** One timed case. */
export interface OptimizeBenchCase {
  /** "max-sharpe", "min-variance" or "covariance". */
  name: string;
  /** Problem family of an optimizer case (null for the covariance case). */
  problem: OptimizeBenchProblem | null;
  assets: number;
  /** Solver iterations of one solve (0 for the covariance case). */
  iterations: number;
  /** Median wall time of one call, ms. */
  medianMs: number;
  /** Relative difference from the exact optimum, or from the reference covariance; null when not checked. */
  parityError: number | null;
}

/**
 * A well-conditioned annualized problem: Sigma = B B' + D with 3 factors (loadings ~ N(0, 0.1)) and
 * idiosyncratic variances in [0.02, 0.08]; mu ~ U(0.02, 0.15). Condition number is O(N) at most.
 */
export function randomOptimizeProblem(rng: Rng, n: number): { mu: Float64Array; cov: Float64Array } {
  const factors = 3;
  const loadings = Float64Array.from({ length: n * factors }, () => rng.normal(0, 0.1));
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let f = 0; f < factors; f++) s += loadings[i * factors + f]! * loadings[j * factors + f]!;
      cov[i * n + j] = s;
      cov[j * n + i] = s;
    }
    cov[i * n + i] = cov[i * n + i]! + rng.between(0.02, 0.08);
  }
  return { mu: Float64Array.from({ length: n }, () => rng.between(0.02, 0.15)), cov };
}

/** Bars of the sweep-like return matrix (10 years of daily bars). */
const SWEEP_BARS = 2_520;

/**
 * Annualized sample moments (mean and covariance x 252) of a sweep-like return matrix: T = 2,520
 * daily bars of N strategies on 4 common factors, each block of 10 neighbouring strategies with
 * loadings that drift from one to the next (correlation ~0.95 between neighbours), per-strategy
 * drift ~ N(3e-4, 3e-4) and idiosyncratic noise ~ N(0, 0.003). Ill conditioned, unlike the factor model.
 */
export function sweepOptimizeProblem(rng: Rng, n: number): { mu: Float64Array; cov: Float64Array } {
  const factors = 4;
  const f = Float64Array.from({ length: SWEEP_BARS * factors }, () => rng.normal(0, 0.01));
  const values = new Float64Array(SWEEP_BARS * n); // column-major T x N
  let load = Array.from({ length: factors }, () => rng.normal(0, 0.5));
  for (let j = 0; j < n; j++) {
    load = j % 10 === 0 ? Array.from({ length: factors }, () => rng.normal(0, 0.5)) : load.map((v) => 0.95 * v + 0.31 * rng.normal(0, 0.5));
    const drift = rng.normal(0.0003, 0.0003);
    for (let t = 0; t < SWEEP_BARS; t++) {
      let r = drift;
      for (let k = 0; k < factors; k++) r += load[k]! * f[t * factors + k]!;
      values[j * SWEEP_BARS + t] = r + rng.normal(0, 0.003);
    }
  }
  const { covariance, means } = covarianceMatrix(values, SWEEP_BARS, n);
  return { mu: means.map((m) => m * 252), cov: covariance.map((c) => c * 252) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeSolve(run: () => EnsembleResult): { result: EnsembleResult; medianMs: number } {
  let result = run(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    result = run();
    times.push(performance.now() - start);
  }
  return { result, medianMs: median(times) };
}

/** Runs the optimizer benchmark; throws when a parity check fails. */
export function runOptimizeBench(log: (line: string) => void = () => {}): OptimizeBenchCase[] {
  const cases: OptimizeBenchCase[] = [];
  for (const n of OPTIMIZE_BENCH_SIZES) {
    for (const problem of OPTIMIZE_BENCH_PROBLEMS) {
      const { mu, cov } = problem === 'factor'
        ? randomOptimizeProblem(new Rng(OPTIMIZE_BENCH_SEED + n), n)
        : sweepOptimizeProblem(new Rng(OPTIMIZE_BENCH_SEED + 3 * n), n);
      for (const objective of ['max-sharpe', 'min-variance'] as PortfolioObjective[]) {
        const { result, medianMs } = timeSolve(() => optimizeEnsemble({ expectedReturns: mu, covariance: cov }, { objective, riskFreeRate: 0.01 }));
        const label = `${problem} ${objective}`;
        if (!result.converged) throw new Error(`${label} N=${n}: did not converge in ${result.iterations} iterations`);
        let parityError: number | null = null;
        if (n <= MAX_ACTIVE_SET_ASSETS) {
          if (objective === 'max-sharpe') {
            const exact = activeSetMaxSharpe(mu, cov, 0.01).sharpe;
            parityError = Math.abs(result.sharpeRatio! - exact) / exact;
          } else {
            const exact = activeSetMinVariance(mu, cov, 0).variance;
            parityError = Math.abs(result.volatility ** 2 - exact) / exact;
          }
          if (!(parityError <= 1e-9)) throw new Error(`${label} N=${n}: ${parityError} from the exact optimum`);
        }
        cases.push({ name: objective, problem, assets: n, iterations: result.iterations, medianMs, parityError });
        log(`${label.padEnd(19)} N=${String(n).padStart(5)}  iterations ${String(result.iterations).padStart(5)}  ${medianMs.toFixed(2).padStart(9)} ms  parity ${parityError === null ? 'n/a' : parityError.toExponential(1)}`);
      }
    }
    const rng = new Rng(OPTIMIZE_BENCH_SEED + 7 * n);
    const values = Float64Array.from({ length: COVARIANCE_BARS * n }, () => rng.normal(0.0003, 0.01));
    covarianceMatrix(values, COVARIANCE_BARS, n);
    const times: number[] = [];
    let covariance: Float64Array<ArrayBufferLike> = new Float64Array(0);
    for (let r = 0; r < REPEATS; r++) {
      const start = performance.now();
      covariance = covarianceMatrix(values, COVARIANCE_BARS, n).covariance;
      times.push(performance.now() - start);
    }
    let parityError: number | null = null;
    if (n <= MAX_ACTIVE_SET_ASSETS) {
      const expected = referenceCovariance(values, COVARIANCE_BARS, n).covariance;
      parityError = 0;
      for (let k = 0; k < expected.length; k++) parityError = Math.max(parityError, Math.abs(covariance[k]! - expected[k]!) / 1e-4);
      if (!(parityError <= 1e-9)) throw new Error(`covariance N=${n}: ${parityError} from the reference`);
    }
    cases.push({ name: 'covariance', problem: null, assets: n, iterations: 0, medianMs: median(times), parityError });
    log(`${'covariance'.padEnd(19)} N=${String(n).padStart(5)}  T=${COVARIANCE_BARS}  ${median(times).toFixed(2).padStart(9)} ms  parity ${parityError === null ? 'n/a' : parityError.toExponential(1)}`);
  }
  return cases;
}

if (import.meta.url === `file://${process.argv[1]}`) runOptimizeBench((line) => console.log(line));
