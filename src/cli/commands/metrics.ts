// `sweeplens metrics <file>`: metrics of return (or price) columns of a CSV/Parquet table, or of a
// strategy given by a signal column applied to a price column.
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import type { Command } from 'commander';
import {
  InputError, SchemaError, PERIODS_PER_YEAR_DAILY, buildDenseMarket, denseStrategyMetrics, kernels,
  readSeriesTable, seriesMetrics, validateMetricOptions,
  type ExecutionCosts, type MetricOptions, type PerformanceMetrics, type SeriesTable, type SignalTrace,
} from '../../index.ts';
import { addCostFlags, numberFlag, parseCostFlags, type CostFlags } from '../flags.ts';
import { inferPeriodsPerYear, PERIODS_PER_YEAR_RULE, type PeriodsPerYearChoice } from '../../analytics/periods.ts';
import { RETURN_RISK_ROWS, STRATEGY_ROWS, WIN_LOSS_ROWS, renderMetricsTable } from '../format.ts';

/** Index of the first non-NaN value (values.length when all are NaN). */
export function firstFiniteIndex(values: Float64Array): number {
  let i = 0;
  while (i < values.length && Number.isNaN(values[i]!)) i++;
  return i;
}

/**
 * Checks a price column from `start` (its first listed bar) on: every price finite and > 0.
 * Throws SchemaError naming the file, column and 1-based data row.
 */
export function validatePrices(file: string, column: string, prices: Float64Array, start: number): void {
  for (let i = start; i < prices.length; i++) {
    const price = prices[i]!;
    if (Number.isNaN(price)) {
      throw new SchemaError(`${file}: column '${column}', row ${i + 1}: missing price after the first listed price (only leading gaps are allowed)`, { file, column, row: i });
    }
    if (!(price > 0) || !Number.isFinite(price)) {
      throw new SchemaError(`${file}: column '${column}', row ${i + 1}: price ${price} must be finite and > 0`, { file, column, row: i });
    }
  }
}

/**
 * Simple returns of a price column, as pandas `prices.pct_change().dropna()` per column: leading
 * NaNs (not listed yet) are dropped, then r[t] = p[t] / p[t-1] - 1 for every later bar (the first
 * listed bar has no return). Interior NaNs and prices <= 0 are errors naming file, column, row.
 */
export function pricesToReturns(file: string, column: string, prices: Float64Array): Float64Array {
  const start = firstFiniteIndex(prices);
  validatePrices(file, column, prices, start);
  const count = Math.max(0, prices.length - start - 1);
  const returns = new Float64Array(count);
  for (let j = 0; j < count; j++) returns[j] = prices[start + j + 1]! / prices[start + j]! - 1;
  return returns;
}

/**
 * Change list of a dense signal column: empty cells carry the previous value forward (0 before the
 * first value); a row is emitted where the position differs from the bar before (position 0 before
 * bar 0).
 */
export function denseSignalToTrace(signal: Float64Array): SignalTrace {
  const idx: number[] = [];
  const value: number[] = [];
  let previous = 0;
  for (let i = 0; i < signal.length; i++) {
    const cell = signal[i]!;
    const position = Number.isNaN(cell) ? previous : cell;
    if (position !== previous) {
      idx.push(i);
      value.push(position);
      previous = position;
    }
  }
  return { idx: Int32Array.from(idx), signal: Float64Array.from(value) };
}

/** Raw options of the metrics command as commander delivers them (numbers still strings). */
export interface MetricsCommandOptions extends CostFlags {
  json?: boolean;
  prices?: boolean;
  periodsPerYear?: string;
  riskFreeRate?: string;
  columns?: string;
  signalColumn?: string;
  priceColumn?: string;
  volumeColumn?: string;
}

/** Metrics of one output column. */
export interface NamedMetrics {
  name: string;
  metrics: PerformanceMetrics;
}

/** What the metrics command computed, before printing. */
export interface MetricsResult {
  file: string;
  mode: 'returns' | 'prices' | 'signal';
  periods: PeriodsPerYearChoice;
  riskFreeRate: number;
  results: NamedMetrics[];
  /** Signal mode only. */
  signalColumn?: string;
  costs?: ExecutionCosts;
}

function requireColumn(table: SeriesTable, name: string, flag: string): Float64Array {
  const values = table.columns.get(name);
  if (!values) {
    const hint = name === table.timestampColumn ? ' (it is the timestamp column)' : '';
    throw new SchemaError(`${table.file}: column '${name}' (${flag}) not found${hint}; value columns are: ${[...table.columns.keys()].join(', ') || '(none)'}`, { file: table.file, column: name });
  }
  return values;
}

const COST_FLAGS: (keyof MetricsCommandOptions)[] = ['priceColumn', 'volumeColumn', 'commissionRate', 'slippageModel', 'slippageRate', 'impactCoefficient', 'capital', 'volatilityWindow'];

/**
 * Checks that `file` is a readable regular file, with a one-line SchemaError otherwise. (Also a
 * guard: the CSV reader does not yet turn an open error of its read stream into a SchemaError.)
 */
export function assertReadableFile(file: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
    accessSync(file, fsConstants.R_OK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new SchemaError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? (cause as Error).message})`, { file });
  }
  if (!isFile) throw new SchemaError(`${file}: not a file`, { file });
}

/** Reads the file and computes the metrics the command prints (exported for tests and embedders). */
export async function computeMetricsCommand(file: string, options: MetricsCommandOptions): Promise<MetricsResult> {
  // Flags first, so a bad flag is reported before a possibly slow read.
  const riskFreeRate = numberFlag('--risk-free-rate', options.riskFreeRate, 0, (v) => v > -1, 'an annual rate > -1 (a fraction: 0.02 = 2 %)');
  const givenPeriods = options.periodsPerYear === undefined
    ? undefined
    : numberFlag('--periods-per-year', options.periodsPerYear, PERIODS_PER_YEAR_DAILY, (v) => v > 0, 'a number > 0');
  const signalMode = options.signalColumn !== undefined;
  if (signalMode && !options.prices) throw new InputError('--signal-column needs --prices (the signal is applied to a price column)');
  if (signalMode && options.columns !== undefined) throw new InputError('--columns cannot be combined with --signal-column; choose the traded column with --price-column');
  if (!signalMode) {
    const stray = COST_FLAGS.find((key) => options[key] !== undefined);
    if (stray) throw new InputError(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} only applies with --prices --signal-column`);
  }
  const costs = signalMode ? parseCostFlags(options) : undefined;
  if (costs?.slippageModel === 'sqrt' && options.volumeColumn === undefined) {
    throw new InputError('--slippage-model sqrt needs --volume-column (the impact law divides by close x volume)');
  }

  assertReadableFile(file);
  const table = await readSeriesTable(file);
  const periods: PeriodsPerYearChoice = givenPeriods !== undefined
    ? { periodsPerYear: givenPeriods, source: 'given (--periods-per-year)' }
    : table.timestampColumn === undefined
      ? { periodsPerYear: PERIODS_PER_YEAR_DAILY, source: 'default (no timestamp column)' }
      : inferPeriodsPerYear(table.tsMs);
  const metricOptions: MetricOptions = validateMetricOptions({ periodsPerYear: periods.periodsPerYear, riskFreeRate });

  if (signalMode) return signalMetrics(table, options, costs!, metricOptions, periods);

  const names = options.columns === undefined
    ? [...table.columns.keys()]
    : options.columns.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new SchemaError(`${file}: no value columns (need a timestamp column and one or more numeric columns)`, { file });
  const results = names.map((name) => {
    const values = requireColumn(table, name, '--columns');
    const returns = options.prices ? pricesToReturns(file, name, values) : values.subarray(firstFiniteIndex(values));
    return { name, metrics: seriesMetrics(returns, metricOptions) };
  });
  return { file, mode: options.prices ? 'prices' : 'returns', periods, riskFreeRate, results };
}

function signalMetrics(
  table: SeriesTable, options: MetricsCommandOptions, costs: ExecutionCosts, metricOptions: MetricOptions, periods: PeriodsPerYearChoice,
): MetricsResult {
  const { file } = table;
  const signalName = options.signalColumn!;
  const signal = requireColumn(table, signalName, '--signal-column');
  const volumeName = options.volumeColumn;
  const volumeAll = volumeName === undefined ? undefined : requireColumn(table, volumeName, '--volume-column');
  const priceName = options.priceColumn ?? [...table.columns.keys()].find((name) => name !== signalName && name !== volumeName);
  if (priceName === undefined) throw new SchemaError(`${file}: no price column besides the signal column '${signalName}'`, { file });
  if (priceName === signalName) throw new InputError(`--price-column and --signal-column are both '${signalName}'`);
  const pricesAll = requireColumn(table, priceName, '--price-column');
  const start = firstFiniteIndex(pricesAll);
  validatePrices(file, priceName, pricesAll, start);
  const close = pricesAll.subarray(start);
  const volume = volumeAll ? volumeAll.subarray(start) : new Float64Array(close.length);
  const trace = denseSignalToTrace(signal.subarray(start));
  const instance = kernels();
  const mark = instance.arena.mark();
  let metrics: PerformanceMetrics;
  try {
    const market = buildDenseMarket({ close, volume }, costs, file, instance);
    metrics = denseStrategyMetrics(market, trace, costs, metricOptions);
  } catch (error) {
    // The dense path names bars of the listed range; report them as rows of the file.
    if (error instanceof SchemaError && typeof error.context.row === 'number') {
      const row = error.context.row + start;
      const column = error.context.column === 'volume' ? volumeName ?? 'volume' : error.context.column === 'close' ? priceName : String(error.context.column ?? priceName);
      const detail = error.message.replace(/^.*?: /, '');
      throw new SchemaError(`${file}: column '${column}', row ${row + 1}: ${detail}`, { file, column, row });
    }
    throw error;
  } finally {
    instance.arena.release(mark);
  }
  return {
    file, mode: 'signal', periods, riskFreeRate: metricOptions.riskFreeRate ?? 0, signalColumn: signalName, costs,
    results: [{ name: priceName, metrics }],
  };
}

/** JSON document of the command: one object per column, metrics in camelCase, null where undefined. */
export function metricsJson(result: MetricsResult): Record<string, unknown>[] {
  return result.results.map(({ name, metrics }) => (result.signalColumn === undefined
    ? { column: name, ...metrics }
    : { column: name, signalColumn: result.signalColumn, ...metrics }));
}

/** The aligned table the command prints by default. */
export function metricsText(result: MetricsResult): string {
  const lines: string[] = [];
  lines.push(`${result.file}: ${result.mode === 'returns' ? 'return columns' : result.mode === 'prices' ? 'price columns -> simple returns' : `signal '${result.signalColumn}' applied to '${result.results[0]?.name}'`}`);
  lines.push(`periods per year: ${formatPeriods(result.periods.periodsPerYear)} (${result.periods.source}); risk-free rate: ${(result.riskFreeRate * 100).toFixed(2)}% a year`);
  if (result.costs) {
    const c = result.costs;
    const slippage = c.slippageModel === 'linear'
      ? `linear slippage ${(c.slippageRate * 1e4).toFixed(1)} bps`
      : `sqrt impact k=${c.impactCoefficient}, capital ${c.capital}, sigma window ${c.volatilityWindowBars} bars`;
    lines.push(`costs: commission ${(c.commissionRate * 1e4).toFixed(1)} bps + ${slippage}`);
  }
  lines.push('');
  const rows = result.mode === 'signal' ? [...RETURN_RISK_ROWS, ...STRATEGY_ROWS, ...WIN_LOSS_ROWS] : [...RETURN_RISK_ROWS, ...WIN_LOSS_ROWS];
  const label = result.mode === 'signal' ? 'metric (win/loss per trade)' : 'metric (win/loss per bar)';
  lines.push(renderMetricsTable(label, result.results, rows));
  return `${lines.join('\n')}\n`;
}

function formatPeriods(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** Registers `sweeplens metrics`. */
export function registerMetricsCommand(program: Command): void {
  const command = program
    .command('metrics')
    .description('metrics of the return (or price) columns of a CSV/Parquet table, or of a strategy given by a signal column')
    .argument('<file>', 'CSV or Parquet table: a timestamp column (timestamp/ts/date/datetime/time) and numeric columns')
    .option('--json', 'print a JSON array, one object per column (null where a metric is undefined)')
    .option('--prices', 'columns hold prices: use simple returns p[t]/p[t-1]-1 (leading gaps dropped per column, like pandas pct_change().dropna())')
    .option('--columns <names>', 'comma-separated columns to report (default: every numeric column)')
    .option('--periods-per-year <n>', `bars per year P (default: ${PERIODS_PER_YEAR_RULE})`)
    .option('--risk-free-rate <annual>', 'annual risk-free rate as a fraction (0.02 = 2 %)', undefined)
    .option('--signal-column <name>', 'with --prices: column holding the position per bar (-1/0/1 or fractional; empty cells carry the last value), applied to the price column')
    .option('--price-column <name>', 'with --signal-column: price column traded (default: the first other column)')
    .option('--volume-column <name>', 'with --signal-column: volume column (needed by --slippage-model sqrt)');
  addCostFlags(command);
  command.action(async (file: string, options: MetricsCommandOptions) => {
      const result = await computeMetricsCommand(file, options);
      process.stdout.write(options.json ? `${JSON.stringify(metricsJson(result), null, 2)}\n` : metricsText(result));
    });
}
