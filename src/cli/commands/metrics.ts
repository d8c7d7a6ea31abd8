// `sweeplens metrics <file>`: metrics of return (or price) columns of a CSV/Parquet table, or of a
// strategy given by a signal column applied to a price column.
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import type { Command } from 'commander';
import {
  InputError, SchemaError, PERIODS_PER_YEAR_DAILY, DEFAULT_CAPITAL, DEFAULT_COMMISSION_RATE, DEFAULT_IMPACT_COEFFICIENT,
  DEFAULT_SLIPPAGE_RATE, DEFAULT_VOLATILITY_WINDOW_BARS, buildDenseMarket, defaultExecutionCosts, denseStrategyMetrics, kernels,
  readSeriesTable, seriesMetrics, validateMetricOptions,
  type ExecutionCosts, type MetricOptions, type PerformanceMetrics, type SeriesTable, type SignalTrace,
} from '../../index.ts';
import { RETURN_RISK_ROWS, STRATEGY_ROWS, WIN_LOSS_ROWS, renderMetricsTable } from '../format.ts';

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 24 * MS_PER_HOUR;
/** Trading hours per day assumed for intraday bars (US equities session). */
export const TRADING_HOURS_PER_DAY = 6.5;
/** Median spacings in [DAILY_MIN_MS, DAILY_MAX_MS] count as daily bars (weekends and holidays included). */
const DAILY_MIN_MS = 20 * MS_PER_HOUR;
const DAILY_MAX_MS = 4 * MS_PER_DAY;
const DAYS_PER_YEAR = 365.25;

/** The rule inferPeriodsPerYear applies, as printed by --help. */
export const PERIODS_PER_YEAR_RULE = 'inferred from the median timestamp spacing: 20 h to 4 days -> 252 (daily); '
  + 'shorter (intraday) -> 252 x 6.5 h / spacing; longer -> 365.25 days / spacing (weekly ~52, monthly ~12), rounded; '
  + '252 when there is no timestamp column';

/** How the periods per year were chosen, for the table header. */
export interface PeriodsPerYearChoice {
  periodsPerYear: number;
  /** Human-readable reason ("given", "inferred: median spacing 1.00 day", ...). */
  source: string;
}

/**
 * Bars per year from timestamps (epoch ms, strictly increasing), by the median spacing d:
 *
 *   20 h <= d <= 4 days  -> 252                           (daily bars; weekends/holidays make gaps)
 *   d < 20 h             -> 252 * 6.5 h / d               (intraday: 252 sessions of 6.5 h)
 *   d > 4 days           -> round(365.25 days / d)        (weekly -> 52, monthly -> 12), at least 1
 *
 * Fewer than 2 timestamps -> 252.
 */
export function inferPeriodsPerYear(tsMs: Float64Array): PeriodsPerYearChoice {
  if (tsMs.length < 2) return { periodsPerYear: PERIODS_PER_YEAR_DAILY, source: 'default (fewer than 2 timestamps)' };
  const gaps = new Float64Array(tsMs.length - 1);
  for (let i = 1; i < tsMs.length; i++) gaps[i - 1] = tsMs[i]! - tsMs[i - 1]!;
  gaps.sort();
  const mid = gaps.length >> 1;
  const median = gaps.length % 2 === 1 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
  const spacing = describeSpacing(median);
  if (median >= DAILY_MIN_MS && median <= DAILY_MAX_MS) {
    return { periodsPerYear: PERIODS_PER_YEAR_DAILY, source: `inferred: daily bars, median spacing ${spacing}` };
  }
  if (median < DAILY_MIN_MS) {
    const periodsPerYear = (PERIODS_PER_YEAR_DAILY * TRADING_HOURS_PER_DAY * MS_PER_HOUR) / median;
    return { periodsPerYear, source: `inferred: intraday bars, median spacing ${spacing}, 252 x 6.5 h a year` };
  }
  const periodsPerYear = Math.max(1, Math.round((DAYS_PER_YEAR * MS_PER_DAY) / median));
  return { periodsPerYear, source: `inferred: median spacing ${spacing}, 365.25 days per year` };
}

function describeSpacing(ms: number): string {
  if (ms >= MS_PER_DAY) return `${(ms / MS_PER_DAY).toFixed(2)} days`;
  if (ms >= MS_PER_HOUR) return `${(ms / MS_PER_HOUR).toFixed(2)} h`;
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(2)} min`;
  return `${(ms / 1000).toFixed(3)} s`;
}

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

/** A parsed numeric flag; throws InputError naming the flag. */
function numberFlag(flag: string, raw: string | undefined, fallback: number, check: (v: number) => boolean, requirement: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) {
    throw new InputError(`${flag} must be ${requirement}, got '${raw}'`);
  }
  return value;
}

/** Raw options of the metrics command as commander delivers them (numbers still strings). */
export interface MetricsCommandOptions {
  json?: boolean;
  prices?: boolean;
  periodsPerYear?: string;
  riskFreeRate?: string;
  columns?: string;
  signalColumn?: string;
  priceColumn?: string;
  volumeColumn?: string;
  commissionRate?: string;
  slippageModel?: string;
  slippageRate?: string;
  impactCoefficient?: string;
  capital?: string;
  volatilityWindow?: string;
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

function parseCosts(options: MetricsCommandOptions): ExecutionCosts {
  const model = options.slippageModel ?? 'linear';
  if (model !== 'linear' && model !== 'sqrt') throw new InputError(`--slippage-model must be 'linear' or 'sqrt', got '${model}'`);
  const nonNegative = (v: number) => v >= 0;
  const windowBars = numberFlag('--volatility-window', options.volatilityWindow, DEFAULT_VOLATILITY_WINDOW_BARS, (v) => Number.isInteger(v) && v >= 2, 'an integer >= 2');
  return defaultExecutionCosts({
    commissionRate: numberFlag('--commission-rate', options.commissionRate, DEFAULT_COMMISSION_RATE, nonNegative, 'a number >= 0 (a fraction: 0.001 = 10 bps)'),
    slippageModel: model,
    slippageRate: numberFlag('--slippage-rate', options.slippageRate, DEFAULT_SLIPPAGE_RATE, nonNegative, 'a number >= 0 (a fraction: 0.0005 = 5 bps)'),
    impactCoefficient: numberFlag('--impact-coefficient', options.impactCoefficient, DEFAULT_IMPACT_COEFFICIENT, nonNegative, 'a number >= 0'),
    capital: numberFlag('--capital', options.capital, DEFAULT_CAPITAL, (v) => v > 0, 'a number > 0'),
    volatilityWindowBars: windowBars,
  });
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
  const costs = signalMode ? parseCosts(options) : undefined;
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
  program
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
    .option('--volume-column <name>', 'with --signal-column: volume column (needed by --slippage-model sqrt)')
    .option('--commission-rate <rate>', `commission per unit of traded notional (default ${DEFAULT_COMMISSION_RATE})`)
    .option('--slippage-model <model>', "'linear' or 'sqrt' (square-root impact law) (default linear)")
    .option('--slippage-rate <rate>', `linear slippage per unit of traded notional (default ${DEFAULT_SLIPPAGE_RATE})`)
    .option('--impact-coefficient <k>', `coefficient k of the sqrt law k * sigma * sqrt(|dpos| * capital / (close * volume)) (default ${DEFAULT_IMPACT_COEFFICIENT})`)
    .option('--capital <amount>', `capital priced by the sqrt law, currency units (default ${DEFAULT_CAPITAL})`)
    .option('--volatility-window <bars>', `window of the rolling volatility sigma of the sqrt law (default ${DEFAULT_VOLATILITY_WINDOW_BARS})`)
    .action(async (file: string, options: MetricsCommandOptions) => {
      const result = await computeMetricsCommand(file, options);
      process.stdout.write(options.json ? `${JSON.stringify(metricsJson(result), null, 2)}\n` : metricsText(result));
    });
}
