// `sweeplens optimize --returns <file>` (or `--prices <file>`): ensemble weights of the columns of a
// CSV/Parquet table by max-Sharpe or min-variance under weight bounds and a cardinality limit.
import type { Command } from 'commander';
import {
  InputError, SchemaError, PERIODS_PER_YEAR_DAILY, dropIncompleteRows, optimizeReturnMatrix, readSeriesTable, returnMatrixFromColumns,
  type EnsembleResult, type PortfolioObjective, type RegimeEnsembleEntry, type ReturnMatrix, type ReturnMatrixEnsembleOptions,
} from '../../index.ts';
import { formatValue, renderTable } from '../format.ts';
import { addRunAnalyticsFlags, runOptimizeRunCommand, type OptimizeRunCommandOptions } from './regimes.ts';

/** How the optimizer's inputs are estimated, as printed by --help and in the table header. */
export const OPTIMIZE_ESTIMATORS = 'expected returns = arithmetic mean of per-bar returns x P; '
  + 'risk = sample covariance (ddof = 1) x P; Sharpe = (expected return - risk-free rate) / volatility';

/** Raw options of the optimize command as commander delivers them (numbers still strings). */
export interface OptimizeCommandOptions {
  returns?: string;
  prices?: string;
  objective?: string;
  minWeight?: string;
  maxWeight?: string;
  maxStrategies?: string;
  riskFreeRate?: string;
  periodsPerYear?: string;
  columns?: string;
  json?: boolean;
}

/** What the command computed, before printing. */
export interface OptimizeCommandResult {
  file: string;
  mode: 'returns' | 'prices';
  /** Rows used (complete rows). */
  bars: number;
  /** Rows dropped because a column had a missing value. */
  droppedRows: number;
  periodsPerYear: number;
  riskFreeRate: number;
  result: EnsembleResult;
  /** Per-regime results, when the caller ran optimizeByRegime (workspace runs); printed under "regimes". */
  regimes?: Record<string, RegimeEnsembleEntry>;
}

function numberFlag(flag: string, raw: string | undefined, fallback: number | undefined, check: (v: number) => boolean, requirement: string): number | undefined {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) throw new InputError(`${flag} must be ${requirement}, got '${raw}'`);
  return value;
}

/** Parses the optimizer flags into library options; InputError names the flag. */
export function parseOptimizeFlags(options: OptimizeCommandOptions): ReturnMatrixEnsembleOptions {
  const objective = options.objective ?? 'max-sharpe';
  if (objective !== 'max-sharpe' && objective !== 'min-variance') throw new InputError(`--objective must be 'max-sharpe' or 'min-variance', got '${objective}'`);
  const minWeight = numberFlag('--min-weight', options.minWeight, 0, (v) => v >= 0 && v <= 1, 'a fraction in [0, 1]')!;
  const maxWeight = numberFlag('--max-weight', options.maxWeight, 1, (v) => v > 0 && v <= 1, 'a fraction in (0, 1]')!;
  if (minWeight > maxWeight) throw new InputError(`--min-weight (${minWeight}) must not exceed --max-weight (${maxWeight})`);
  const maxStrategies = numberFlag('--max-strategies', options.maxStrategies, undefined, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  const riskFreeRate = numberFlag('--risk-free-rate', options.riskFreeRate, 0, (v) => v > -1, 'an annual rate > -1 (a fraction: 0.02 = 2 %)')!;
  const periodsPerYear = numberFlag('--periods-per-year', options.periodsPerYear, PERIODS_PER_YEAR_DAILY, (v) => v > 0, 'a number > 0')!;
  const parsed: ReturnMatrixEnsembleOptions = { objective: objective as PortfolioObjective, minWeight, maxWeight, riskFreeRate, periodsPerYear };
  if (maxStrategies !== undefined) parsed.maxStrategies = maxStrategies;
  return parsed;
}

/**
 * Return matrix of a table: return columns as they are, or price columns turned into simple returns
 * r[t] = p[t] / p[t-1] - 1 (row 0 has none; NaN where either price is missing).
 */
export function tableToReturnMatrix(file: string, columns: Map<string, Float64Array>, names: readonly string[], prices: boolean): ReturnMatrix {
  const series = names.map((name) => {
    const values = columns.get(name);
    if (!values) throw new SchemaError(`${file}: column '${name}' (--columns) not found; value columns are: ${[...columns.keys()].join(', ') || '(none)'}`, { file, column: name });
    if (!prices) return values;
    const out = new Float64Array(Math.max(0, values.length - 1));
    for (let t = 1; t < values.length; t++) {
      const previous = values[t - 1]!;
      const current = values[t]!;
      if (Number.isFinite(previous) && Number.isFinite(current) && (!(previous > 0) || !(current > 0))) {
        throw new SchemaError(`${file}: column '${name}', row ${previous > 0 ? t + 1 : t}: price must be > 0`, { file, column: name, row: previous > 0 ? t : t - 1 });
      }
      out[t - 1] = current / previous - 1;
    }
    return out;
  });
  return returnMatrixFromColumns(names, series);
}

/** Reads the table and runs the optimizer (exported for tests and embedders). Warns on stderr about dropped rows. */
export async function computeOptimizeCommand(options: OptimizeCommandOptions, warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<OptimizeCommandResult> {
  if ((options.returns === undefined) === (options.prices === undefined)) throw new InputError('give exactly one of --returns <file> or --prices <file>');
  const ensembleOptions = parseOptimizeFlags(options);
  const file = (options.returns ?? options.prices)!;
  const mode = options.prices !== undefined ? 'prices' : 'returns';
  const table = await readSeriesTable(file);
  const names = options.columns === undefined ? [...table.columns.keys()] : options.columns.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new SchemaError(`${file}: no value columns (need one numeric column per strategy)`, { file });
  const raw = tableToReturnMatrix(file, table.columns, names, mode === 'prices');
  const { matrix, droppedRows } = dropIncompleteRows(raw);
  if (droppedRows > 0) warn(`sweeplens: warning: dropped ${droppedRows} of ${raw.bars} rows with a missing value (${matrix.bars} complete rows left)`);
  const result = optimizeReturnMatrix(matrix, ensembleOptions);
  return {
    file, mode, bars: matrix.bars, droppedRows, periodsPerYear: ensembleOptions.periodsPerYear!, riskFreeRate: ensembleOptions.riskFreeRate!, result,
  };
}

function resultJson(result: EnsembleResult): Record<string, unknown> {
  const weights: Record<string, number> = {};
  result.names.forEach((name, i) => { weights[name] = result.weights[i]!; });
  return {
    objective: result.objective,
    weights,
    sharpeRatio: result.sharpeRatio,
    annualizedReturn: result.annualizedReturn,
    volatility: result.volatility,
    iterations: result.iterations,
    converged: result.converged,
    solves: result.solves,
  };
}

/** The JSON document of the command ({"weights": {name: weight}, "sharpeRatio", ...}; "regimes" when present). */
export function optimizeJson(run: OptimizeCommandResult): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    ...resultJson(run.result),
    bars: run.bars,
    droppedRows: run.droppedRows,
    periodsPerYear: run.periodsPerYear,
    riskFreeRate: run.riskFreeRate,
    estimators: OPTIMIZE_ESTIMATORS,
  };
  if (run.regimes) {
    const regimes: Record<string, unknown> = {};
    for (const [label, entry] of Object.entries(run.regimes)) {
      regimes[label] = entry.result ? { bars: entry.bars, ...resultJson(entry.result) } : { bars: entry.bars, skippedReason: entry.skippedReason };
    }
    doc.regimes = regimes;
  }
  return doc;
}

/** The aligned table printed by default. */
export function optimizeText(run: OptimizeCommandResult): string {
  const { result } = run;
  const lines: string[] = [];
  lines.push(`${run.file}: ${run.mode === 'returns' ? 'return columns' : 'price columns -> simple returns'}; ${run.bars} bars${run.droppedRows > 0 ? ` (${run.droppedRows} incomplete rows dropped)` : ''}`);
  lines.push(`objective: ${result.objective}; periods per year: ${run.periodsPerYear}; risk-free rate: ${(run.riskFreeRate * 100).toFixed(2)}% a year`);
  lines.push(OPTIMIZE_ESTIMATORS);
  lines.push('');
  const order = result.names.map((_, i) => i).sort((a, b) => result.weights[b]! - result.weights[a]! || a - b);
  lines.push(renderTable(['strategy', 'weight'], order.map((i) => [result.names[i]!, formatValue(result.weights[i]!, 'percent')])));
  lines.push('');
  lines.push(renderTable(['portfolio', 'value'], [
    ['expected return (annualized)', formatValue(result.annualizedReturn, 'percent')],
    ['volatility (annualized)', formatValue(result.volatility, 'percent')],
    ['Sharpe ratio', formatValue(result.sharpeRatio, 'ratio')],
    ['iterations', String(result.iterations)],
    ['converged', result.converged ? 'yes' : 'no'],
  ]));
  return `${lines.join('\n')}\n`;
}

/** Registers `sweeplens optimize` (a return/price table, or a run given as the positional argument). */
export function registerOptimizeCommand(program: Command): void {
  const command = program
    .command('optimize')
    .description(`ensemble weights of the columns of a CSV/Parquet table, or of a run's top strategies globally and per regime (long-only, weights sum to 1). ${OPTIMIZE_ESTIMATORS}`)
    .argument('[run]', 'run directory: optimize its top strategies (after the correlation filter) globally and per regime; writes analytics/optimal_weights.json')
    .option('--returns <file>', 'table of per-bar return columns (fractions), one column per strategy, optional timestamp column')
    .option('--prices <file>', 'table of price columns instead: simple returns p[t]/p[t-1]-1 are used')
    .option('--columns <names>', 'comma-separated columns to use (default: every numeric column)')
    .option('--objective <name>', "'max-sharpe' or 'min-variance' (default max-sharpe)")
    .option('--min-weight <fraction>', 'lower bound of each held weight (default 0)')
    .option('--max-weight <fraction>', 'upper bound of each weight (default 1)')
    .option('--max-strategies <n>', 'at most n strategies with a non-zero weight (default: no limit)')
    .option('--classifier <id>', 'run mode: classifier of the per-regime weights (default: the best-separating one)')
    .option('--top <n>', 'run mode: candidates from the top of the rankings (default 50)')
    .option('--max-correlation <c>', 'run mode: greedy correlation filter threshold (default 0.7)');
  addRunAnalyticsFlags(command);
  command.addHelpText('after', '\nTable mode: rows with a missing value in any used column are dropped, with a warning on stderr giving the count; '
    + `--periods-per-year defaults to ${PERIODS_PER_YEAR_DAILY}. Run mode: a run not analyzed yet is analyzed first, and one analyzed under other values of the cost, risk-free or P flags given is analyzed again (said on stderr); flags not given keep the analysis's values; --json prints the global weights and, under "regimes", the per-regime ones.`)
    .action(async (run: string | undefined, options: OptimizeCommandOptions & OptimizeRunCommandOptions) => {
      if (run !== undefined) {
        if (options.returns !== undefined || options.prices !== undefined) throw new InputError('give either a run or --returns/--prices, not both');
        await runOptimizeRunCommand(run, options);
        return;
      }
      const result = await computeOptimizeCommand(options);
      process.stdout.write(options.json ? `${JSON.stringify(optimizeJson(result), null, 2)}\n` : optimizeText(result));
    });
}
