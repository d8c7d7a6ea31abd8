// Flag parsing shared by the commands: numbers with messages that name the flag, and the cost model.
import type { Command } from 'commander';
import {
  DEFAULT_CAPITAL, DEFAULT_COMMISSION_RATE, DEFAULT_IMPACT_COEFFICIENT, DEFAULT_SLIPPAGE_RATE, DEFAULT_VOLATILITY_WINDOW_BARS,
} from '../constants.ts';
import { defaultExecutionCosts } from '../analytics/metricOptions.ts';
import { InputError } from '../errors.ts';
import type { ExecutionCosts } from '../types.ts';
import type { AdmfOpenOptions } from '../io/admf.ts';
import { PERIODS_PER_YEAR_RULE } from '../analytics/periods.ts';

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

/** Cost flag -> ExecutionCosts field. */
const COST_FLAG_FIELDS = {
  commissionRate: 'commissionRate', slippageModel: 'slippageModel', slippageRate: 'slippageRate',
  impactCoefficient: 'impactCoefficient', capital: 'capital', volatilityWindow: 'volatilityWindowBars',
} as const satisfies Record<keyof CostFlags, keyof ExecutionCosts>;

/**
 * Only the cost fields whose flags were given (validated as parseCostFlags does), for commands that
 * reuse an existing analysis: a field not given keeps the analysis's value instead of the default.
 */
export function givenCostFlags(options: CostFlags): Partial<ExecutionCosts> {
  const parsed = parseCostFlags(options);
  const given: Partial<ExecutionCosts> = {};
  for (const [flag, field] of Object.entries(COST_FLAG_FIELDS) as [keyof CostFlags, keyof ExecutionCosts][]) {
    if (options[flag] !== undefined) (given as Record<string, unknown>)[field] = parsed[field];
  }
  return given;
}

/** Raw flags shared by the run-level commands (analyze, regimes, correlate, optimize <run>). */
export interface RunAnalyticsFlags extends CostFlags {
  periodsPerYear?: string;
  riskFreeRate?: string;
  workers?: string;
  out?: string;
  market?: string;
  idxBase?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Adds the flags every run-level command shares (conventions, costs, workers, output, ADMF-PC, progress). */
export function addRunAnalyticsFlags(command: Command): Command {
  command
    .option('--periods-per-year <n>', `bars per year P (default: ${PERIODS_PER_YEAR_RULE})`)
    .option('--risk-free-rate <annual>', 'annual risk-free rate as a fraction (default 0)')
    .option('--workers <n>', 'worker threads (default: number of cores; 0 = none)')
    .option('--out <dir>', 'write outputs (and read the rankings) here instead of the run directory (needed for a read-only ADMF-PC workspace)')
    .option('--market <bars>', 'ADMF-PC workspace read in place: bars file (CSV or Parquet)')
    .option('--idx-base <0|1>', 'ADMF-PC: idx base of the traces (default 1: bar = idx - 1)')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress output');
  return addCostFlags(command);
}

/** The options the shared run-level flags give (InputError naming the flag on a bad value). */
export interface RunFlagOptions {
  costs: ExecutionCosts;
  periodsPerYear?: number;
  riskFreeRate: number;
  workers?: number;
  outDir?: string;
  admf?: AdmfOpenOptions;
}

/** Parses the shared run-level flags. */
export function runFlagOptions(options: RunAnalyticsFlags): RunFlagOptions {
  const out: RunFlagOptions = {
    costs: parseCostFlags(options),
    riskFreeRate: numberFlag('--risk-free-rate', options.riskFreeRate, 0, (v) => v > -1, 'an annual rate > -1 (0.02 = 2 %)'),
  };
  const periods = optionalNumberFlag('--periods-per-year', options.periodsPerYear, (v) => v > 0, 'a number > 0');
  if (periods !== undefined) out.periodsPerYear = periods;
  const workers = optionalNumberFlag('--workers', options.workers, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0 (0: no worker threads)');
  if (workers !== undefined) out.workers = workers;
  if (options.out) out.outDir = options.out;
  const admf = admfFlags(options);
  if (admf) out.admf = admf;
  return out;
}

/** `--idx-base` as 0 or 1 (default 1); InputError naming the flag for anything else. */
export function idxBaseFlag(raw: string | undefined): 0 | 1 {
  const base = raw ?? '1';
  if (base !== '0' && base !== '1') throw new InputError(`--idx-base must be 0 or 1, got '${base}'`);
  return base === '1' ? 1 : 0;
}

/** An ADMF-PC workspace read in place (`--market`, `--idx-base`); undefined without --market. */
export function admfFlags(options: { market?: string; idxBase?: string }): AdmfOpenOptions | undefined {
  return options.market ? { market: options.market, idxBase: idxBaseFlag(options.idxBase) } : undefined;
}
