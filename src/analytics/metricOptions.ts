import { InputError } from '../errors.ts';
import {
  DEFAULT_CAPITAL, DEFAULT_COMMISSION_RATE, DEFAULT_IMPACT_COEFFICIENT, DEFAULT_SLIPPAGE_RATE,
  DEFAULT_VOLATILITY_WINDOW_BARS,
} from '../constants.ts';
import type { ExecutionCosts } from '../types.ts';

/** Conventions a metric computation needs besides the returns. */
export interface MetricOptions {
  /** P, bars per year (252 for daily bars). Must be > 0. */
  periodsPerYear: number;
  /** Annual risk-free rate as a fraction; default 0. Converted per bar by riskFreePerBar. */
  riskFreeRate?: number;
}

/** The seed's default execution costs: 10 bps commission, 5 bps linear slippage. */
export function defaultExecutionCosts(overrides: Partial<ExecutionCosts> = {}): ExecutionCosts {
  return validateExecutionCosts({
    commissionRate: DEFAULT_COMMISSION_RATE,
    slippageModel: 'linear',
    slippageRate: DEFAULT_SLIPPAGE_RATE,
    impactCoefficient: DEFAULT_IMPACT_COEFFICIENT,
    capital: DEFAULT_CAPITAL,
    volatilityWindowBars: DEFAULT_VOLATILITY_WINDOW_BARS,
    ...overrides,
  });
}

/** A cost model with no costs at all (gross = net). */
export function zeroExecutionCosts(): ExecutionCosts {
  return defaultExecutionCosts({ commissionRate: 0, slippageRate: 0 });
}

/** Checks every field of a cost model; throws InputError naming the field. */
export function validateExecutionCosts(costs: ExecutionCosts, path = 'costs'): ExecutionCosts {
  const nonNegative = (name: keyof ExecutionCosts) => {
    const value = costs[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InputError(`${path}.${name} must be a finite number >= 0, got ${String(value)}`);
    }
  };
  nonNegative('commissionRate');
  nonNegative('slippageRate');
  nonNegative('impactCoefficient');
  if (costs.slippageModel !== 'linear' && costs.slippageModel !== 'sqrt') {
    throw new InputError(`${path}.slippageModel must be 'linear' or 'sqrt', got '${String(costs.slippageModel)}'`);
  }
  if (!(costs.capital > 0) || !Number.isFinite(costs.capital)) throw new InputError(`${path}.capital must be a finite number > 0, got ${costs.capital}`);
  if (!Number.isInteger(costs.volatilityWindowBars) || costs.volatilityWindowBars < 2) {
    throw new InputError(`${path}.volatilityWindowBars must be an integer >= 2, got ${costs.volatilityWindowBars}`);
  }
  return costs;
}

/** Checks metric options; throws InputError naming the field. */
export function validateMetricOptions(options: MetricOptions, path = 'options'): MetricOptions {
  if (!(options.periodsPerYear > 0) || !Number.isFinite(options.periodsPerYear)) {
    throw new InputError(`${path}.periodsPerYear must be a finite number > 0, got ${options.periodsPerYear}`);
  }
  const rf = options.riskFreeRate ?? 0;
  if (!Number.isFinite(rf) || rf <= -1) throw new InputError(`${path}.riskFreeRate must be a finite annual rate > -1, got ${rf}`);
  return options;
}
