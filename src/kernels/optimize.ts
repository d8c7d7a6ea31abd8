// Binding of assembly/optimize.ts: projection onto the capped simplex and the portfolio solver.
import { InputError, KernelError } from '../errors.ts';
import { withScratch } from './runtime.ts';

/** Objective codes of assembly/optimize.ts. */
export const OBJECTIVE_CODES = { 'max-sharpe': 0, 'min-variance': 1 } as const;
/** What the optimizer maximizes or minimizes. */
export type PortfolioObjective = keyof typeof OBJECTIVE_CODES;

/** Status codes of `optimizePortfolio` (assembly/optimize.ts). */
export const OPTIMIZE_STATUS = {
  converged: 0,
  maxIterations: 1,
  zeroVariance: 2,
  infeasible: 3,
  nonPositiveExcess: 4,
} as const;

/** Scratch of `optimizePortfolio`: SCRATCH_VECTORS f64[n] vectors plus a face factor of order min(n, FACTOR_MAX_ORDER). */
const SCRATCH_VECTORS = 29;
const FACTOR_MAX_ORDER = 4096;
const STAT_SLOTS = 4;

/**
 * Euclidean projection of v onto { w : sum w = total, lo <= w <= hi } (WASM kernel
 * `projectCappedSimplex`): w_i = clip(v_i - tau, lo_i, hi_i), tau by bisection then solved exactly.
 * Throws InputError when sum(lo) > total or sum(hi) < total.
 */
export function projectCappedSimplex(v: Float64Array, lo: Float64Array, hi: Float64Array, total = 1): Float64Array {
  const n = v.length;
  if (lo.length !== n || hi.length !== n) throw new InputError(`bounds lengths ${lo.length}, ${hi.length} do not match ${n}`);
  if (n === 0) throw new InputError('cannot project an empty vector onto the simplex');
  return withScratch((arena, k) => {
    const vIn = arena.copyF64(v);
    const loIn = arena.copyF64(lo);
    const hiIn = arena.copyF64(hi);
    const out = arena.f64(n);
    const tau = k.projectCappedSimplex(vIn.byteOffset, loIn.byteOffset, hiIn.byteOffset, n, total, out.byteOffset);
    if (Number.isNaN(tau)) throw new InputError(`bounds are infeasible: sum(lo) must be <= ${total} <= sum(hi)`);
    return out.slice();
  });
}

/** Raw solver output (weights plus convergence data); see src/analytics/ensemble.ts for the public API. */
export interface PortfolioSolution {
  weights: Float64Array;
  /** A code of OPTIMIZE_STATUS. */
  status: number;
  /** Projected-gradient steps plus face phases. */
  iterations: number;
  /** ||P(w - grad) - w||_inf of the scaled problem at the end. */
  projectedGradientNorm: number;
  /** Face phases (exact solves on the face of the bound set) among the iterations. */
  facePhases: number;
  /** Linear solves on a face (projected conjugate gradients or the factored reduced system). */
  linearSolves: number;
}

/** Inputs of the WASM solver. */
export interface PortfolioProblem {
  objective: PortfolioObjective;
  /** Expected returns, f64[n] (any consistent unit, e.g. annualized). */
  expectedReturns: Float64Array;
  /** Covariance, f64[n*n] row-major, symmetric PSD, same unit as expectedReturns. */
  covariance: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  /** Risk-free rate in the unit of expectedReturns. */
  riskFreeRate: number;
  /** Start point (projected onto the feasible set first). */
  start: Float64Array;
  maxIterations: number;
  tolerance: number;
}

/**
 * Runs the solver of assembly/optimize.ts (WASM kernel `optimizePortfolio`: spectral projected
 * gradient with exact solves on the settled face). The caller validates inputs; an infeasible status
 * is reported as KernelError.
 */
export function optimizePortfolio(problem: PortfolioProblem): PortfolioSolution {
  const n = problem.expectedReturns.length;
  if (problem.covariance.length !== n * n) throw new InputError(`covariance length ${problem.covariance.length} is not ${n} x ${n}`);
  return withScratch((arena, k) => {
    const mu = arena.copyF64(problem.expectedReturns);
    const cov = arena.copyF64(problem.covariance);
    const lo = arena.copyF64(problem.lower);
    const hi = arena.copyF64(problem.upper);
    const weights = arena.copyF64(problem.start);
    const factorOrder = Math.min(n, FACTOR_MAX_ORDER);
    const scratch = arena.f64(SCRATCH_VECTORS * n + factorOrder * factorOrder);
    const stats = arena.f64(STAT_SLOTS);
    const status = k.optimizePortfolio(
      OBJECTIVE_CODES[problem.objective], n, mu.byteOffset, cov.byteOffset, lo.byteOffset, hi.byteOffset,
      problem.riskFreeRate, problem.maxIterations, problem.tolerance, weights.byteOffset, scratch.byteOffset, stats.byteOffset,
    );
    if (status === OPTIMIZE_STATUS.infeasible) throw new KernelError('optimizePortfolio: bounds are infeasible (sum(lo) > 1 or sum(hi) < 1)');
    const statsView = new Float64Array(arena.memory.buffer, stats.byteOffset, STAT_SLOTS);
    return {
      weights: new Float64Array(arena.memory.buffer, weights.byteOffset, n).slice(),
      status,
      iterations: statsView[0]!,
      projectedGradientNorm: statsView[1]!,
      facePhases: statsView[2]!,
      linearSolves: statsView[3]!,
    };
  });
}
