// `sweeplens regimes <run>` and `sweeplens correlate <run>`, plus the run mode of
// `sweeplens optimize <run>` (flag parsing and printing shared here).
import type { Command } from 'commander';
import {
  analyzeRegimes, correlateRun, optimizeRun, InputError,
  type CorrelateOptions, type CorrelationRunResult, type OptimizeRunOptions, type OptimizeRunResult, type RegimeAnalysisOptions,
  type RegimeAnalysisResult, type RunAnalyticsOptions,
} from '../../index.ts';
import { addRunAnalyticsFlags, givenCostFlags, numberFlag, optionalNumberFlag, runFlagOptions, type RunAnalyticsFlags } from '../flags.ts';

export { addRunAnalyticsFlags, type RunAnalyticsFlags };
import { formatValue, renderTable } from '../format.ts';
import { printNotice } from '../notice.ts';
import { withProgressView } from '../progress.ts';

/**
 * RunAnalyticsOptions from the shared flags: only the cost fields and risk-free rate given on the
 * command line (the rest stays as the run's analysis has it, defaults for a run not analyzed yet);
 * analyzing the run first (or again) is announced on stderr.
 */
export function runAnalyticsOptionsFromFlags(options: RunAnalyticsFlags): RunAnalyticsOptions {
  const { costs: _allCosts, riskFreeRate, ...rest } = runFlagOptions(options);
  const out: RunAnalyticsOptions = { ...rest, onNotice: printNotice };
  const costs = givenCostFlags(options);
  if (Object.keys(costs).length > 0) out.costs = costs;
  if (options.riskFreeRate !== undefined) out.riskFreeRate = riskFreeRate;
  return out;
}

// ---- regimes ----

/** Raw options of `regimes`. */
export interface RegimesCommandOptions extends RunAnalyticsFlags {
  top?: string;
  minRegimeBars?: string;
  consensus?: string;
  classifiers?: string;
}

/** RegimeAnalysisOptions from the flags. */
export function regimesOptionsFromFlags(options: RegimesCommandOptions): RegimeAnalysisOptions {
  const out: RegimeAnalysisOptions = runAnalyticsOptionsFromFlags(options);
  out.top = numberFlag('--top', options.top, 50, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0');
  out.minRegimeBars = numberFlag('--min-regime-bars', options.minRegimeBars, 30, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  const consensus = options.consensus ?? 'majority';
  if (consensus !== 'majority' && consensus !== 'joint' && consensus !== 'none') throw new InputError(`--consensus must be 'majority', 'joint' or 'none', got '${consensus}'`);
  out.consensus = consensus === 'none' ? false : consensus;
  if (options.classifiers) out.consensusClassifiers = options.classifiers.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return out;
}

/** The plain-text report of `regimes`. */
export function regimesText(result: RegimeAnalysisResult): string {
  const s = result.summary;
  const lines: string[] = [];
  lines.push(`run ${s.runId}: ${s.classifiers.length} classifiers x ${result.performance.totalStrategies} strategies in ${(s.elapsedMs / 1000).toFixed(2)} s (${result.performance.denseFallbacks.length} dense fallbacks, ${result.performance.failures.length} failed)`);
  lines.push(`timing: ${s.timing}; separation = time-weighted dispersion of per-regime annualized net Sharpe (regimes >= ${s.minRegimeBars} bars)`);
  lines.push('');
  const byId = new Map(s.classifiers.map((c) => [c.id, c]));
  lines.push(renderTable(['#', 'classifier', 'separation', 'ANOVA F', 'regimes', 'changes', 'avg duration'], s.separation.map((row) => {
    const stats = byId.get(row.classifier)!;
    const durations = Object.values(stats.regimes).filter((r) => r.episodes > 0);
    const avg = durations.length > 0 ? stats.classifiedBars / durations.reduce((a, r) => a + r.episodes, 0) : null;
    return [String(row.rank), row.classifier, formatValue(row.score, 'ratio'), formatValue(row.anovaF, 'ratio'), String(row.regimes.length), String(stats.stateChanges), avg === null ? '-' : `${avg.toFixed(1)} bars`];
  }), ['right', 'left']));
  if (s.consensus) lines.push('', `consensus (${s.consensus.mode} of ${s.consensus.classifiers.length}): ${s.consensus.labels.length} states, ${s.consensus.stateChanges} changes`);
  for (const f of result.performance.failures.slice(0, 10)) lines.push(`failed: ${f.id}: ${f.error}`);
  lines.push('', `wrote ${result.summaryPath}`, `      ${result.performancePath} (+ .parquet)`, `      ${result.transitionsPaths.length} transitions.json files`);
  if (result.consensusPath) lines.push(`      ${result.consensusPath}`);
  return `${lines.join('\n')}\n`;
}

/** Registers `regimes`. */
export function registerRegimesCommand(program: Command): void {
  const command = program
    .command('regimes')
    .description('classifier statistics, consensus regimes, per-regime metrics of every strategy x classifier and the classifier separation ranking')
    .argument('<run>', 'run directory (a sweeplens run, or an ADMF-PC workspace with --market and --out)')
    .option('--top <n>', 'strategies (top of the rankings) whose per-regime metrics go into the JSON (default 50; all are in the Parquet table)')
    .option('--min-regime-bars <n>', 'smallest regime, in bars, that enters the separation score (default 30)')
    .option('--consensus <mode>', "'majority' (default), 'joint' or 'none'")
    .option('--classifiers <ids>', 'comma-separated classifiers of the consensus, in tie-rule order (default all)');
  addRunAnalyticsFlags(command);
  command.action(async (run: string, options: RegimesCommandOptions) => {
    const result = await withProgressView(options.quiet === true, (onProgress) => analyzeRegimes(run, { ...regimesOptionsFromFlags(options), onProgress }));
    process.stdout.write(options.json ? `${JSON.stringify({ summary: result.summary, files: { summary: result.summaryPath, performance: result.performancePath, table: result.performanceTablePath } }, null, 2)}\n` : regimesText(result));
  });
}

// ---- correlate ----

/** Raw options of `correlate` (and the selection flags of `optimize <run>`). */
export interface CorrelateCommandOptions extends RunAnalyticsFlags {
  top?: string;
  maxCorrelation?: string;
  returns?: string;
}

/** CorrelateOptions from the flags. */
export function correlateOptionsFromFlags(options: CorrelateCommandOptions): CorrelateOptions {
  const out: CorrelateOptions = runAnalyticsOptionsFromFlags(options);
  out.top = numberFlag('--top', options.top, 50, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  out.maxCorrelation = numberFlag('--max-correlation', options.maxCorrelation, 0.7, (v) => v >= -1 && v <= 1, 'a correlation in [-1, 1]');
  const returns = options.returns ?? 'net';
  if (returns !== 'net' && returns !== 'gross') throw new InputError(`--returns must be 'net' or 'gross', got '${returns}'`);
  out.returns = returns;
  return out;
}

/** The plain-text report of `correlate`. */
export function correlateText(result: CorrelationRunResult): string {
  const f = result.file;
  const lines = [
    `${f.ids.length} strategies (top by ${f.rankBy}), ${f.returns} returns, ${f.method} correlation`,
    `greedy filter at ${f.filter.maxCorrelation}: kept ${f.filter.kept.length}, removed ${f.filter.removed.length}`,
    '',
    renderTable(['removed', 'too correlated with', 'corr'], f.filter.removed.map((r) => [r.id, r.correlatedWith, formatValue(r.correlation, 'ratio')])),
    '',
    `kept: ${f.filter.kept.join(', ')}`,
    '',
    `wrote ${result.path}`,
    `      ${result.tablePath}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Registers `correlate`. */
export function registerCorrelateCommand(program: Command): void {
  const command = program
    .command('correlate')
    .description('correlation matrix of the top strategies of a run and the greedy diversity filter (change-proportional where exact, dense returns otherwise)')
    .argument('<run>', 'run directory (a sweeplens run, or an ADMF-PC workspace with --market and --out)')
    .option('--top <n>', 'strategies from the top of the rankings (default 50)')
    .option('--max-correlation <c>', 'greedy filter: drop a strategy correlated above c with a better kept one (default 0.7)')
    .option('--returns <kind>', "'net' (default) or 'gross' returns");
  addRunAnalyticsFlags(command);
  command.action(async (run: string, options: CorrelateCommandOptions) => {
    const result = await withProgressView(options.quiet === true, (onProgress) => correlateRun(run, { ...correlateOptionsFromFlags(options), onProgress }));
    process.stdout.write(options.json ? `${JSON.stringify(result.file, null, 2)}\n` : correlateText(result));
  });
}

// ---- optimize <run> ----

/** Raw options of `optimize <run>`. */
export interface OptimizeRunCommandOptions extends CorrelateCommandOptions {
  classifier?: string;
  objective?: string;
  minWeight?: string;
  maxWeight?: string;
  maxStrategies?: string;
}

/** OptimizeRunOptions from the flags. */
export function optimizeRunOptionsFromFlags(options: OptimizeRunCommandOptions): OptimizeRunOptions {
  const out: OptimizeRunOptions = correlateOptionsFromFlags(options);
  const objective = options.objective ?? 'max-sharpe';
  if (objective !== 'max-sharpe' && objective !== 'min-variance') throw new InputError(`--objective must be 'max-sharpe' or 'min-variance', got '${objective}'`);
  out.objective = objective;
  out.minWeight = numberFlag('--min-weight', options.minWeight, 0, (v) => v >= 0 && v <= 1, 'a fraction in [0, 1]');
  out.maxWeight = numberFlag('--max-weight', options.maxWeight, 1, (v) => v > 0 && v <= 1, 'a fraction in (0, 1]');
  if (out.minWeight > out.maxWeight) throw new InputError(`--min-weight (${out.minWeight}) must not exceed --max-weight (${out.maxWeight})`);
  const maxStrategies = optionalNumberFlag('--max-strategies', options.maxStrategies, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  if (maxStrategies !== undefined) out.maxStrategies = maxStrategies;
  if (options.classifier) out.classifier = options.classifier;
  return out;
}

/** The JSON document of `optimize <run> --json`: global weights at the top level, per-regime ones under "regimes". */
export function optimizeRunJson(result: OptimizeRunResult): Record<string, unknown> {
  const f = result.file;
  const regimes: Record<string, unknown> = {};
  for (const [label, entry] of Object.entries(f.regimes)) {
    regimes[label] = 'weights' in entry
      ? { bars: entry.bars, weights: entry.weights, sharpeRatio: entry.expected.sharpeRatio, annualizedReturn: entry.expected.annualizedReturn, volatility: entry.expected.volatility, converged: entry.converged, inSample: entry.inSample }
      : entry;
  }
  return {
    objective: f.objective, weights: f.global.weights, sharpeRatio: f.global.expected.sharpeRatio, annualizedReturn: f.global.expected.annualizedReturn,
    volatility: f.global.expected.volatility, converged: f.global.converged, iterations: f.global.iterations, bars: f.global.bars,
    periodsPerYear: f.periodsPerYear, riskFreeRate: f.riskFreeRate, estimators: f.estimators, inSample: f.global.inSample,
    classifier: f.classifier, classifierSource: f.classifierSource, selection: f.selection, regimes, switching: f.switching, file: result.path,
  };
}

/** The plain-text report of `optimize <run>`. */
export function optimizeRunText(result: OptimizeRunResult): string {
  const f = result.file;
  const lines: string[] = [];
  lines.push(`${f.selection.strategies.length} strategies (top ${f.selection.top} by ${f.selection.rankBy}, correlation filter ${f.selection.maxCorrelation}); objective ${f.objective}; P = ${f.periodsPerYear}`);
  lines.push(`regimes of ${f.classifier ?? '(no classifier)'}${f.classifier ? ` (${f.classifierSource})` : ''}`);
  lines.push('');
  const labels = Object.keys(f.regimes);
  const header = ['strategy', 'global', ...labels];
  const weightOf = (label: string, id: string) => {
    const entry = f.regimes[label]!;
    return 'weights' in entry ? formatValue(entry.weights[id] ?? 0, 'percent') : '-';
  };
  lines.push(renderTable(header, f.selection.strategies.map((id) => [id, formatValue(f.global.weights[id] ?? 0, 'percent'), ...labels.map((l) => weightOf(l, id))])));
  lines.push('');
  const sharpe = (label: string) => {
    const entry = f.regimes[label]!;
    return 'weights' in entry ? formatValue(entry.inSample.sharpeRatio, 'ratio') : 'skipped';
  };
  lines.push(renderTable(['in-sample', 'global', ...labels], [
    ['bars', String(f.global.bars), ...labels.map((l) => String(f.regimes[l]!.bars))],
    ['Sharpe', formatValue(f.global.inSample.sharpeRatio, 'ratio'), ...labels.map(sharpe)],
  ]));
  if (f.switching) lines.push('', `regime-switching ensemble: in-sample Sharpe ${formatValue(f.switching.inSample.sharpeRatio, 'ratio')}, total return ${formatValue(f.switching.inSample.totalReturn, 'percent')}`);
  lines.push('', `wrote ${result.path}`, `      ${result.correlation.path}`);
  return `${lines.join('\n')}\n`;
}

/** Runs `optimize <run>` and prints (called by the optimize command when a run is given). */
export async function runOptimizeRunCommand(run: string, options: OptimizeRunCommandOptions): Promise<void> {
  const result = await withProgressView(options.quiet === true, (onProgress) => optimizeRun(run, { ...optimizeRunOptionsFromFlags(options), onProgress }));
  process.stdout.write(options.json ? `${JSON.stringify(optimizeRunJson(result), null, 2)}\n` : optimizeRunText(result));
}
