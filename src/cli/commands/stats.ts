// `sweeplens stats psr|dsr|mintrl`: Probabilistic Sharpe Ratio, Deflated Sharpe Ratio and Minimum
// Track Record Length from summary numbers (Bailey & López de Prado 2012, 2014).
import type { Command } from 'commander';
import {
  InputError, deflatedSharpeRatio, expectedMaximumSharpe, minimumTrackRecordLength, probabilisticSharpeRatio,
  toPerBarSharpe, toPerBarSharpeVariance, DEFAULT_TRACK_RECORD_PROBABILITY,
} from '../../index.ts';

/** The statistics the command computes. */
export const STATISTICS = ['psr', 'dsr', 'mintrl'] as const;
export type Statistic = (typeof STATISTICS)[number];

/** Raw options as commander delivers them (numbers still strings). */
export interface StatsCommandOptions {
  sharpe?: string;
  benchmarkSharpe?: string;
  trials?: string;
  sharpeVariance?: string;
  observations?: string;
  skew?: string;
  kurtosis?: string;
  probability?: string;
  periodsPerYear?: string;
  json?: boolean;
}

/** Flags each statistic needs. */
const REQUIRED: Record<Statistic, (keyof StatsCommandOptions)[]> = {
  psr: ['sharpe', 'observations'],
  dsr: ['sharpe', 'observations', 'trials', 'sharpeVariance'],
  mintrl: ['sharpe'],
};

/** Flags that mean nothing for a statistic (rejected rather than silently ignored). */
const UNUSED: Record<Statistic, (keyof StatsCommandOptions)[]> = {
  psr: ['trials', 'sharpeVariance', 'probability'],
  dsr: ['benchmarkSharpe', 'probability'],
  mintrl: ['observations', 'trials', 'sharpeVariance'],
};

/** What the command computed, in per-bar units, before printing. */
export interface StatsResult {
  statistic: Statistic;
  /** PSR or DSR (a probability), or MinTRL (bars). */
  value: number;
  /** MinTRL in years, when --periods-per-year is given. */
  years?: number;
  /** SR0 of the DSR (per bar). */
  expectedMaximumSharpe?: number;
  /** The inputs as used (Sharpe ratios and variance per bar). */
  inputs: {
    sharpe: number;
    benchmarkSharpe?: number;
    observations?: number;
    trials?: number;
    sharpeVariance?: number;
    skewness: number;
    kurtosis: number;
    probability?: number;
    periodsPerYear?: number;
  };
}

function flagName(key: keyof StatsCommandOptions): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function parseNumber(key: keyof StatsCommandOptions, raw: string, check: (v: number) => boolean, requirement: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) throw new InputError(`${flagName(key)} must be ${requirement}, got '${raw}'`);
  return value;
}

/**
 * Parses the flags and computes the statistic (exported for tests and embedders). With
 * --periods-per-year P the Sharpe inputs are annualized and converted to per bar by /√P, the Sharpe
 * variance by /P; observations stay a count of bars.
 */
export function computeStatsCommand(statistic: string, options: StatsCommandOptions): StatsResult {
  if (!(STATISTICS as readonly string[]).includes(statistic)) {
    throw new InputError(`stats: unknown statistic '${statistic}' (expected ${STATISTICS.join(', ')})`);
  }
  const kind = statistic as Statistic;
  for (const key of REQUIRED[kind]) {
    if (options[key] === undefined) throw new InputError(`stats ${kind}: ${flagName(key)} is required`);
  }
  for (const key of UNUSED[kind]) {
    if (options[key] !== undefined) throw new InputError(`stats ${kind}: ${flagName(key)} does not apply (used by ${STATISTICS.filter((s) => s !== kind && !UNUSED[s].includes(key)).join(', ')})`);
  }
  const any = () => true;
  const periodsPerYear = options.periodsPerYear === undefined ? undefined : parseNumber('periodsPerYear', options.periodsPerYear, (v) => v > 0, 'a number > 0');
  const perBar = (sharpe: number) => (periodsPerYear === undefined ? sharpe : toPerBarSharpe(sharpe, periodsPerYear));
  const sharpe = perBar(parseNumber('sharpe', options.sharpe!, any, 'a number'));
  const skewness = options.skew === undefined ? 0 : parseNumber('skew', options.skew, any, 'a number');
  const kurtosis = options.kurtosis === undefined ? 3 : parseNumber('kurtosis', options.kurtosis, (v) => v > 0, 'a raw kurtosis > 0 (3 for normal returns)');
  const inputs: StatsResult['inputs'] = { sharpe, skewness, kurtosis };
  if (periodsPerYear !== undefined) inputs.periodsPerYear = periodsPerYear;
  if (kind === 'mintrl') {
    const benchmarkSharpe = options.benchmarkSharpe === undefined ? 0 : perBar(parseNumber('benchmarkSharpe', options.benchmarkSharpe, any, 'a number'));
    const probability = options.probability === undefined ? DEFAULT_TRACK_RECORD_PROBABILITY : parseNumber('probability', options.probability, (v) => v > 0 && v < 1, 'a probability in (0, 1)');
    const value = minimumTrackRecordLength({ sharpe, benchmarkSharpe, skewness, kurtosis, probability });
    const result: StatsResult = { statistic: kind, value, inputs: { ...inputs, benchmarkSharpe, probability } };
    if (periodsPerYear !== undefined) result.years = value / periodsPerYear;
    return result;
  }
  const observations = parseNumber('observations', options.observations!, (v) => v > 1, 'a number of returns > 1');
  if (kind === 'psr') {
    const benchmarkSharpe = options.benchmarkSharpe === undefined ? 0 : perBar(parseNumber('benchmarkSharpe', options.benchmarkSharpe, any, 'a number'));
    return { statistic: kind, value: probabilisticSharpeRatio({ sharpe, benchmarkSharpe, observations, skewness, kurtosis }), inputs: { ...inputs, benchmarkSharpe, observations } };
  }
  const trials = parseNumber('trials', options.trials!, (v) => v >= 1, 'a number of trials >= 1');
  const rawVariance = parseNumber('sharpeVariance', options.sharpeVariance!, (v) => v >= 0, 'a variance >= 0');
  const sharpeVariance = periodsPerYear === undefined ? rawVariance : toPerBarSharpeVariance(rawVariance, periodsPerYear);
  return {
    statistic: kind,
    value: deflatedSharpeRatio({ sharpe, observations, skewness, kurtosis, trials, sharpeVariance }),
    expectedMaximumSharpe: expectedMaximumSharpe({ trials, sharpeVariance }),
    inputs: { ...inputs, observations, trials, sharpeVariance },
  };
}

/** JSON form: Infinity (MinTRL with SR <= SR*) becomes null. */
export function statsJson(result: StatsResult): Record<string, unknown> {
  return JSON.parse(JSON.stringify(result, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value))) as Record<string, unknown>;
}

/** The text the command prints by default. */
export function statsText(result: StatsResult): string {
  const { inputs } = result;
  const lines: string[] = [];
  const fmt = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : 'inf');
  if (result.statistic === 'mintrl') {
    lines.push(`MinTRL = ${Number.isFinite(result.value) ? `${fmt(result.value)} bars` : 'inf (the Sharpe ratio does not exceed the benchmark)'}${result.years !== undefined && Number.isFinite(result.years) ? ` (${fmt(result.years)} years)` : ''}`);
  } else {
    lines.push(`${result.statistic.toUpperCase()} = ${result.value.toFixed(6)}`);
  }
  const parts = [`per-bar SR ${fmt(inputs.sharpe)}`];
  if (inputs.benchmarkSharpe !== undefined) parts.push(`SR* ${fmt(inputs.benchmarkSharpe)}`);
  if (result.expectedMaximumSharpe !== undefined) parts.push(`SR0 ${fmt(result.expectedMaximumSharpe)} (N ${fmt(inputs.trials!)}, V ${fmt(inputs.sharpeVariance!)})`);
  if (inputs.observations !== undefined) parts.push(`n ${fmt(inputs.observations)}`);
  parts.push(`skew ${fmt(inputs.skewness)}`, `kurtosis ${fmt(inputs.kurtosis)} (raw)`);
  if (inputs.probability !== undefined) parts.push(`probability ${fmt(inputs.probability)}`);
  if (inputs.periodsPerYear !== undefined) parts.push(`P ${fmt(inputs.periodsPerYear)}`);
  lines.push(parts.join(', '));
  return `${lines.join('\n')}\n`;
}

/** Registers `sweeplens stats`. */
export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('Probabilistic / Deflated Sharpe Ratio and Minimum Track Record Length from summary numbers (Bailey & Lopez de Prado)')
    .argument('<statistic>', 'psr (needs --sharpe, --observations), dsr (needs --sharpe, --observations, --trials, --sharpe-variance) or mintrl (needs --sharpe)')
    .option('--sharpe <sr>', 'observed Sharpe ratio, per bar (annualized with --periods-per-year)')
    .option('--benchmark-sharpe <sr>', 'psr, mintrl: benchmark Sharpe ratio SR*, same unit as --sharpe (default 0)')
    .option('--trials <n>', 'dsr: number of independent trials N (>= 1, may be fractional)')
    .option('--sharpe-variance <v>', "dsr: variance of the trials' Sharpe ratios (annualized with --periods-per-year)")
    .option('--observations <n>', 'psr, dsr: number of returns n in the track record (bars)')
    .option('--skew <g3>', 'skewness of the returns (default 0)')
    .option('--kurtosis <g4>', 'RAW kurtosis of the returns, 3 for normal returns (default 3)')
    .option('--probability <p>', `mintrl: confidence 1 - alpha (default ${DEFAULT_TRACK_RECORD_PROBABILITY})`)
    .option('--periods-per-year <P>', 'Sharpe inputs are annualized: divided by sqrt(P), the variance by P')
    .option('--json', 'print a JSON object (null for an infinite MinTRL)')
    .action((statistic: string, options: StatsCommandOptions) => {
      const result = computeStatsCommand(statistic, options);
      process.stdout.write(options.json ? `${JSON.stringify(statsJson(result), null, 2)}\n` : statsText(result));
    });
}
