// Ensemble optimizer inputs: option resolution and validation, input validation, and annualized
// expected returns and covariance from a return matrix (src/analytics/ensemble.ts).
import { PERIODS_PER_YEAR_DAILY } from '../constants.ts';
import { InputError } from '../errors.ts';
import { covarianceMatrix } from '../kernels/correlation.ts';
import type { PortfolioObjective } from '../kernels/optimize.ts';
import { validateReturnMatrix, type ReturnMatrix } from './returnMatrix.ts';
import type { EnsembleInputs, EnsembleOptions } from './ensemble.ts';

export const DEFAULT_MAX_ITERATIONS = 20_000;
export const DEFAULT_TOLERANCE = 1e-12;

export interface ResolvedOptions {
  objective: PortfolioObjective;
  minWeight: number;
  maxWeight: number;
  maxStrategies: number;
  riskFreeRate: number;
  maxIterations: number;
  tolerance: number;
}

export function resolveOptions(options: EnsembleOptions, n: number): ResolvedOptions {
  const objective = options.objective ?? 'max-sharpe';
  if (objective !== 'max-sharpe' && objective !== 'min-variance') {
    throw new InputError(`options.objective must be 'max-sharpe' or 'min-variance', got '${String(objective)}'`);
  }
  const minWeight = options.minWeight ?? 0;
  const maxWeight = options.maxWeight ?? 1;
  if (!(maxWeight > 0 && maxWeight <= 1)) throw new InputError(`options.maxWeight must be in (0, 1], got ${maxWeight}`);
  if (!(minWeight >= 0 && minWeight <= maxWeight)) throw new InputError(`options.minWeight must be in [0, maxWeight = ${maxWeight}], got ${minWeight}`);
  const maxStrategies = options.maxStrategies ?? n;
  if (!(Number.isInteger(maxStrategies) && maxStrategies >= 1)) throw new InputError(`options.maxStrategies must be an integer >= 1, got ${maxStrategies}`);
  const riskFreeRate = options.riskFreeRate ?? 0;
  if (!Number.isFinite(riskFreeRate)) throw new InputError(`options.riskFreeRate must be a finite annual rate, got ${riskFreeRate}`);
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1)) throw new InputError(`options.maxIterations must be an integer >= 1, got ${maxIterations}`);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  if (!(tolerance > 0)) throw new InputError(`options.tolerance must be > 0, got ${tolerance}`);
  const held = Math.min(maxStrategies, n);
  if (maxWeight * held < 1 - 1e-12) {
    const which = held < n ? `options.maxWeight (${maxWeight}) x options.maxStrategies (${maxStrategies})` : `options.maxWeight (${maxWeight}) x ${n} strategies`;
    throw new InputError(`${which} = ${maxWeight * held} < 1: the weights cannot sum to 1`);
  }
  if (held >= n && minWeight * n > 1 + 1e-12) {
    throw new InputError(`options.minWeight (${minWeight}) x ${n} strategies = ${minWeight * n} > 1: the weights cannot sum to 1`);
  }
  if (held < n && minWeight * Math.ceil(1 / maxWeight - 1e-12) > 1 + 1e-12) {
    throw new InputError(`options.minWeight (${minWeight}) is too large for options.maxWeight (${maxWeight}): no number of strategies has weights summing to 1`);
  }
  return { objective, minWeight, maxWeight, maxStrategies: held, riskFreeRate, maxIterations, tolerance };
}

export function validateInputs(inputs: EnsembleInputs): string[] {
  const n = inputs.expectedReturns.length;
  if (n === 0) throw new InputError('expectedReturns is empty: need at least one strategy');
  const { covariance, expectedReturns } = inputs;
  if (covariance.length !== n * n) throw new InputError(`covariance length ${covariance.length} is not ${n} x ${n}`);
  const names = inputs.names ? [...inputs.names] : Array.from({ length: n }, (_, i) => String(i));
  if (names.length !== n) throw new InputError(`names has ${names.length} entries for ${n} strategies`);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(expectedReturns[i]!)) throw new InputError(`expectedReturns of '${names[i]}' is not finite (${expectedReturns[i]})`, { strategy: names[i] });
    const v = covariance[i * n + i]!;
    if (!(v >= 0) || !Number.isFinite(v)) throw new InputError(`covariance: variance of '${names[i]}' must be finite and >= 0, got ${v}`, { strategy: names[i] });
    maxDiag = Math.max(maxDiag, v);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = covariance[i * n + j]!;
      const b = covariance[j * n + i]!;
      if (!Number.isFinite(a) || Math.abs(a - b) > 1e-12 * Math.max(maxDiag, Number.MIN_VALUE)) {
        throw new InputError(`covariance is not symmetric and finite at ('${names[i]}', '${names[j]}'): ${a} vs ${b}`);
      }
    }
  }
  return names;
}

/**
 * Annualized inputs from per-bar returns (complete data, no NaN):
 *
 *   mu_j = mean_t(R[t, j]) x P   (arithmetic mean)        Sigma = cov(R, ddof = 1) x P
 */
export function annualizedInputs(matrix: ReturnMatrix, periodsPerYear: number = PERIODS_PER_YEAR_DAILY): EnsembleInputs {
  validateReturnMatrix(matrix);
  if (!(periodsPerYear > 0) || !Number.isFinite(periodsPerYear)) throw new InputError(`options.periodsPerYear must be a number > 0, got ${periodsPerYear}`);
  const n = matrix.names.length;
  for (let i = 0; i < matrix.values.length; i++) {
    if (!Number.isFinite(matrix.values[i]!)) {
      const column = matrix.names[Math.floor(i / matrix.bars)]!;
      throw new InputError(`returns: column '${column}', row ${i % matrix.bars}: value ${matrix.values[i]} is not finite (drop incomplete rows first)`, { column, row: i % matrix.bars });
    }
  }
  const { covariance, means } = covarianceMatrix(matrix.values, matrix.bars, n);
  for (let i = 0; i < covariance.length; i++) covariance[i]! *= periodsPerYear;
  for (let i = 0; i < n; i++) means[i]! *= periodsPerYear;
  return { expectedReturns: means, covariance, names: matrix.names };
}
