// Flag parsing shared by the commands: numbers with messages that name the flag, and the cost model.
import type { Command } from 'commander';
import {
  DEFAULT_CAPITAL, DEFAULT_COMMISSION_RATE, DEFAULT_IMPACT_COEFFICIENT, DEFAULT_SLIPPAGE_RATE, DEFAULT_VOLATILITY_WINDOW_BARS,
} from '../constants.ts';
import { defaultExecutionCosts } from '../analytics/metricOptions.ts';
import { InputError } from '../errors.ts';
import type { ExecutionCosts } from '../types.ts';

/** A parsed numeric flag (fallback when absent); throws InputError naming the flag and the requirement. */
export function numberFlag(flag: string, raw: string | undefined, fallback: number, check: (v: number) => boolean, requirement: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) {
    throw new InputError(`${flag} must be ${requirement}, got '${raw}'`);
  }
  return value;
}

/** An optional numeric flag: undefined when absent. */
export function optionalNumberFlag(flag: string, raw: string | undefined, check: (v: number) => boolean, requirement: string): number | undefined {
  return raw === undefined ? undefined : numberFlag(flag, raw, NaN, check, requirement);
}

/** Raw cost flags as commander delivers them. */
export interface CostFlags {
  commissionRate?: string;
  slippageModel?: string;
  slippageRate?: string;
  impactCoefficient?: string;
  capital?: string;
  volatilityWindow?: string;
}

/** Adds the cost-model flags to a command. */
export function addCostFlags(command: Command): Command {
  return command
    .option('--commission-rate <rate>', `commission per unit of traded notional (default ${DEFAULT_COMMISSION_RATE})`)
    .option('--slippage-model <model>', "'linear' or 'sqrt' (square-root impact law) (default linear)")
    .option('--slippage-rate <rate>', `linear slippage per unit of traded notional (default ${DEFAULT_SLIPPAGE_RATE})`)
    .option('--impact-coefficient <k>', `coefficient k of the sqrt law k * sigma * sqrt(|dpos| * capital / (close * volume)) (default ${DEFAULT_IMPACT_COEFFICIENT})`)
    .option('--capital <amount>', `capital priced by the sqrt law, currency units (default ${DEFAULT_CAPITAL})`)
    .option('--volatility-window <bars>', `window of the rolling volatility sigma of the sqrt law (default ${DEFAULT_VOLATILITY_WINDOW_BARS})`);
}

/** The cost model from the flags (defaults: the seed's 10 bps commission + 5 bps linear slippage). */
export function parseCostFlags(options: CostFlags): ExecutionCosts {
  const model = options.slippageModel ?? 'linear';
  if (model !== 'linear' && model !== 'sqrt') throw new InputError(`--slippage-model must be 'linear' or 'sqrt', got '${model}'`);
  const nonNegative = (v: number) => v >= 0;
  return defaultExecutionCosts({
    commissionRate: numberFlag('--commission-rate', options.commissionRate, DEFAULT_COMMISSION_RATE, nonNegative, 'a number >= 0 (a fraction: 0.001 = 10 bps)'),
    slippageModel: model,
    slippageRate: numberFlag('--slippage-rate', options.slippageRate, DEFAULT_SLIPPAGE_RATE, nonNegative, 'a number >= 0 (a fraction: 0.0005 = 5 bps)'),
    impactCoefficient: numberFlag('--impact-coefficient', options.impactCoefficient, DEFAULT_IMPACT_COEFFICIENT, nonNegative, 'a number >= 0'),
    capital: numberFlag('--capital', options.capital, DEFAULT_CAPITAL, (v) => v > 0, 'a number > 0'),
    volatilityWindowBars: numberFlag('--volatility-window', options.volatilityWindow, DEFAULT_VOLATILITY_WINDOW_BARS, (v) => Number.isInteger(v) && v >= 2, 'an integer >= 2'),
  });
}
