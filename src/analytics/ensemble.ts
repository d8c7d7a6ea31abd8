// EnsembleOptimizer: long-only ensemble weights (max-Sharpe or min-variance) under weight bounds and
// a cardinality limit, globally and per regime. The numeric core is assembly/optimize.ts.
import { PERIODS_PER_YEAR_DAILY } from '../constants.ts';
import { InputError } from '../errors.ts';
import type { PortfolioObjective } from '../kernels/optimize.ts';
import { validateReturnMatrix, selectRows, type ReturnMatrix } from './returnMatrix.ts';
import { annualizedInputs, resolveOptions, validateInputs } from './ensembleInputs.ts';
import { portfolioStats, solveOnSupport, type SubSolution } from './ensembleSolve.ts';
import { solveWithCardinality } from './cardinality.ts';

export type { PortfolioObjective } from '../kernels/optimize.ts';
export { annualizedInputs } from './ensembleInputs.ts';

/** Options of the ensemble optimizer. Each is validated once, with a message naming it. */
export interface EnsembleOptions {
  /** 'max-sharpe' (default) or 'min-variance'. */
  objective?: PortfolioObjective;
  /** Lower bound of each held strategy's weight, fraction in [0, maxWeight]; default 0. */
  minWeight?: number;
  /** Upper bound of each weight, fraction in (0, 1]; default 1. */
  maxWeight?: number;
  /**
   * At most this many strategies get a non-zero weight (integer >= 1); default: no limit. With a
   * limit below N, minWeight applies to the selected strategies only (the others are 0).
   */
  maxStrategies?: number;
  /** Annual risk-free rate (fraction, 0.02 = 2 %), in the unit of the expected returns; default 0. */
  riskFreeRate?: number;
  /** Iteration cap of each solve; default 20,000. */
  maxIterations?: number;
  /** Stop when ||P(w - grad) - w||_inf of the scaled problem is at most this; default 1e-12. */
  tolerance?: number;
}

/** Options when the inputs are a return matrix. */
export interface ReturnMatrixEnsembleOptions extends EnsembleOptions {
  /** Bars per year P used to annualize mean and covariance; default 252. */
  periodsPerYear?: number;
}

/** Expected returns and covariance over named strategies, in one (annual) unit. */
export interface EnsembleInputs {
  /** mu, f64[N], e.g. annualized expected returns. */
  expectedReturns: Float64Array;
  /** Sigma, f64[N*N] row-major, symmetric positive semi-definite, same unit. */
  covariance: Float64Array;
  /** Strategy names; default "0", "1", ... */
  names?: readonly string[];
}

/** Optimal ensemble. */
export interface EnsembleResult {
  objective: PortfolioObjective;
  names: readonly string[];
  /** Weights in names order; sum 1, within the bounds. */
  weights: Float64Array;
  /** mu'w, in the unit of the expected returns (annualized for a return matrix). */
  annualizedReturn: number;
  /** sqrt(w' Sigma w). */
  volatility: number;
  /** (mu'w - riskFreeRate) / volatility; null when the volatility is 0. */
  sharpeRatio: number | null;
  /** Solver iterations (projected-gradient steps plus face phases), summed over every solve (cardinality search included). */
  iterations: number;
  /** True when the final solve met the tolerance. */
  converged: boolean;
  /** Solves run (1 without a cardinality limit). */
  solves: number;
}

/**
 * Optimal long-only ensemble weights from expected returns mu and covariance Sigma (one unit, e.g.
 * annual):
 *
 *   max-sharpe:   maximize (mu'w - rf) / sqrt(w' Sigma w)      min-variance: minimize w' Sigma w
 *   subject to    sum w = 1,  minWeight <= w_i <= maxWeight,  at most maxStrategies non-zero
 *
 * Solved in WASM by spectral projected gradient over the capped simplex with exact solves on the face
 * of the bound set it settles on (assembly/optimize.ts); the max-Sharpe ratio is pseudo-concave where
 * the excess return is positive, so the stationary point found is the global optimum (tests check it
 * against an exact active-set solution, face enumeration and the KKT conditions). Edge cases:
 * - a zero-variance strategy with max-sharpe: InputError naming it (the ratio is unbounded);
 * - a singular covariance (duplicated strategies): solved; the optimal Sharpe is unique, the
 *   weights split among duplicates are one of the optimal splits;
 * - infeasible bounds (maxWeight x min(N, maxStrategies) < 1, minWeight x N > 1): InputError naming the option;
 * - max-sharpe when no feasible ensemble earns more than riskFreeRate: InputError naming riskFreeRate
 *   (as PyPortfolioOpt, which raises for the same case);
 * - iteration cap reached: the feasible weights reached are returned with converged = false.
 */
export function optimizeEnsemble(inputs: EnsembleInputs, options: EnsembleOptions = {}): EnsembleResult {
  const names = validateInputs(inputs);
  const n = names.length;
  const resolved = resolveOptions(options, n);
  const { expectedReturns: mu, covariance: cov } = inputs;
  if (resolved.objective === 'max-sharpe') {
    for (let i = 0; i < n; i++) {
      if (cov[i * n + i] === 0) {
        throw new InputError(`strategy '${names[i]}' has zero variance: max-sharpe is unbounded with a riskless strategy (remove it or use objective 'min-variance')`, { strategy: names[i] });
      }
    }
  }
  let solution: SubSolution;
  let solves = 1;
  let iterations: number;
  if (resolved.maxStrategies < n) {
    const search = solveWithCardinality(mu, cov, n, resolved, names);
    solution = search.best;
    solves = search.solves;
    iterations = search.iterations;
  } else {
    solution = solveOnSupport(mu, cov, n, Array.from({ length: n }, (_, i) => i), resolved.minWeight, resolved.maxWeight, resolved, names);
    iterations = solution.iterations;
  }
  const stats = portfolioStats(mu, cov, n, solution.weights, resolved.riskFreeRate);
  return {
    objective: resolved.objective, names, weights: solution.weights, annualizedReturn: stats.ret, volatility: stats.volatility,
    sharpeRatio: stats.sharpe, iterations, converged: solution.converged, solves,
  };
}

/**
 * The optimizer on a return matrix (the hook of `sweeplens optimize`): annualizes with
 * annualizedInputs, then optimizeEnsemble. Needs more bars than strategies (InputError otherwise:
 * with T <= N bars the sample covariance is singular and max-Sharpe may be unbounded).
 */
export function optimizeReturnMatrix(matrix: ReturnMatrix, options: ReturnMatrixEnsembleOptions = {}): EnsembleResult {
  validateReturnMatrix(matrix);
  const n = matrix.names.length;
  if (n === 0) throw new InputError('returns: no strategy columns');
  if (matrix.bars <= n) {
    throw new InputError(`returns: ${matrix.bars} bars for ${n} strategies; the sample covariance needs more bars than strategies (at least ${n + 1})`, { bars: matrix.bars });
  }
  return optimizeEnsemble(annualizedInputs(matrix, options.periodsPerYear ?? PERIODS_PER_YEAR_DAILY), options);
}

/** One regime's optimization, or why it was skipped. */
export interface RegimeEnsembleEntry {
  /** Bars of this regime. */
  bars: number;
  result: EnsembleResult | null;
  /** Null when optimized; otherwise the InputError message (e.g. too few bars). */
  skippedReason: string | null;
}

/** Per-regime and global ensembles. */
export interface RegimeEnsembleResult {
  global: EnsembleResult;
  /** Keyed by regime label. */
  regimes: Record<string, RegimeEnsembleEntry>;
}

/**
 * Runs optimizeReturnMatrix on the rows of each regime and on all rows. regimeOfBar[t] is the regime
 * code of bar t's return (ARCHITECTURE.md timing: the state at t-1), < 0 for none (global only);
 * labels[code] names it (default String(code)). A regime whose problem is invalid (too few bars,
 * no positive excess return, ...) is reported with skippedReason instead of failing the whole run;
 * a global failure throws.
 */
export function optimizeByRegime(
  matrix: ReturnMatrix, regimeOfBar: Int32Array, options: ReturnMatrixEnsembleOptions & { labels?: readonly string[] } = {},
): RegimeEnsembleResult {
  validateReturnMatrix(matrix);
  if (regimeOfBar.length !== matrix.bars) throw new InputError(`regimeOfBar has ${regimeOfBar.length} entries for ${matrix.bars} bars`);
  const global = optimizeReturnMatrix(matrix, options);
  const codes = [...new Set(regimeOfBar)].filter((c) => c >= 0).sort((a, b) => a - b);
  const regimes: Record<string, RegimeEnsembleEntry> = {};
  for (const code of codes) {
    const label = options.labels?.[code] ?? String(code);
    const rows = selectRows(matrix, (t) => regimeOfBar[t] === code);
    try {
      regimes[label] = { bars: rows.bars, result: optimizeReturnMatrix(rows, options), skippedReason: null };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      regimes[label] = { bars: rows.bars, result: null, skippedReason: error.message };
    }
  }
  return { global, regimes };
}
