// `sweeplens analyze <run>`: per-strategy metrics of a whole run in the worker pool, rankings, summary.
import type { Command } from 'commander';
import { AnalyticsCoordinator, type AnalysisResult, type AnalyzeOptions } from '../../coordinator/analyze.ts';
import { RANK_METRICS, validateRankMetric, type RankedStrategyRow } from '../../coordinator/rankings.ts';
import { addRunAnalyticsFlags, numberFlag, runFlagOptions, type RunAnalyticsFlags } from '../flags.ts';
import { formatValue, renderTable } from '../format.ts';
import { createProgressView } from '../progress.ts';

/** Raw options of `analyze`. */
export interface AnalyzeCommandOptions extends RunAnalyticsFlags {
  rankBy?: string;
  top?: string;
  dense?: boolean;
  cache?: boolean;
  quiet?: boolean;
}

/** Turns the flags into AnalyzeOptions (InputError naming the flag on a bad value). */
export function analyzeOptionsFromFlags(options: AnalyzeCommandOptions): AnalyzeOptions {
  const out: AnalyzeOptions = { ...runFlagOptions(options), rankBy: validateRankMetric(options.rankBy ?? 'sharpeRatio', '--rank-by') };
  if (options.dense) out.path = 'dense';
  if (options.cache === false) out.useCache = false;
  return out;
}

const TABLE_COLUMNS: { label: string; field: keyof RankedStrategyRow; kind: 'percent' | 'ratio' | 'count' }[] = [
  { label: 'Sharpe', field: 'sharpeRatio', kind: 'ratio' },
  { label: 'total return', field: 'totalReturn', kind: 'percent' },
  { label: 'max DD', field: 'maxDrawdown', kind: 'percent' },
  { label: 'win rate', field: 'winRate', kind: 'percent' },
  { label: 'profit f.', field: 'profitFactor', kind: 'ratio' },
  { label: 'trades', field: 'tradeCount', kind: 'count' },
  { label: 'costs', field: 'totalCosts', kind: 'percent' },
  { label: 'gross Sharpe', field: 'grossSharpe', kind: 'ratio' },
];

/** The plain-text report: counts, timing, the top strategies and any failures. */
export function analyzeText(result: AnalysisResult, top: number): string {
  const s = result.summary;
  const lines: string[] = [];
  const c = s.strategies;
  const cache = result.reusedAnalysis ? 'run unchanged since its last analysis: re-used whole' : `${c.fromCache} from cache`;
  lines.push(`run ${s.runId}: ${c.analyzed}/${c.total} strategies analyzed (${cache}, ${c.sparse} change-proportional, ${c.dense} dense), ${c.failed} failed, in ${(s.elapsedMs / 1000).toFixed(2)} s`);
  if (s.timings) {
    const t = s.timings;
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    lines.push(`time: scan ${seconds(t.scanMs)}, bars and market index ${seconds(t.marketMs)}, strategies ${seconds(t.computeMs)}, outputs ${seconds(t.writeMs)}`);
  }
  const periods = Object.entries(s.periodsPerYear).map(([symbol, p]) => `${symbol}: ${p.value.toFixed(0)} bars/year (${p.source})`).join('; ');
  lines.push(`annualization: ${periods}`);
  lines.push(`costs: commission ${(s.costs.commissionRate * 1e4).toFixed(1)} bps + ${s.costs.slippageModel === 'linear' ? `linear slippage ${(s.costs.slippageRate * 1e4).toFixed(1)} bps` : `sqrt impact (k=${s.costs.impactCoefficient}, capital ${s.costs.capital})`}`);
  lines.push('');
  const shown = result.rankings.slice(0, top);
  lines.push(`top ${shown.length} by ${s.rankBy}:`);
  lines.push(renderTable(
    ['#', 'strategy', ...TABLE_COLUMNS.map((col) => col.label)],
    shown.map((row) => [String(row.rank), row.id, ...TABLE_COLUMNS.map((col) => formatValue(row[col.field] as number | null, col.kind))]),
    ['right', 'left'],
  ));
  if (s.failures.length > 0) {
    lines.push('', `${s.failures.length} strategies failed:`);
    for (const f of s.failures.slice(0, 20)) lines.push(`  ${f.id}: ${f.error}`);
    if (s.failures.length > 20) lines.push(`  ... (${s.failures.length - 20} more in ${result.summaryPath})`);
  }
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  lines.push('', `wrote ${result.summaryPath}`, `      ${result.rankingsPath} (+ .parquet)`);
  return `${lines.join('\n')}\n`;
}

/** Registers `analyze`. */
export function registerAnalyzeCommand(program: Command): void {
  const command = program
    .command('analyze')
    .description('metrics of every strategy of a run (net and gross of costs) in the worker pool; writes per-strategy caches, rankings and a summary')
    .argument('<run>', 'run directory (a sweeplens run, or an ADMF-PC workspace with --market)')
    .option('--rank-by <metric>', `metric to rank by: ${Object.keys(RANK_METRICS).join(', ')} (default sharpeRatio)`)
    .option('--top <n>', 'strategies to print (default 20)')
    .option('--dense', 'use the dense reference path for every strategy (slower; for checking; caches made on the other path are recomputed)')
    .option('--no-cache', 'recompute every strategy even when its performance.json (or the whole run\'s last analysis) is valid');
  addRunAnalyticsFlags(command);
  command.action(async (run: string, options: AnalyzeCommandOptions) => {
    const top = numberFlag('--top', options.top, 20, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0');
    const coordinator = new AnalyticsCoordinator();
    const view = createProgressView({ quiet: options.quiet ?? false });
    coordinator.on('progress', (event) => view.update(event));
    coordinator.on('warning', (message) => { if (!options.json && !options.quiet) process.stderr.write(`warning: ${message}\n`); });
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    try {
      const result = await coordinator.analyzeRun(run, { ...analyzeOptionsFromFlags(options), signal: controller.signal });
      view.stop();
      process.stdout.write(options.json ? `${JSON.stringify({ summary: result.summary, reusedAnalysis: result.reusedAnalysis, top: result.rankings.slice(0, top) }, null, 2)}\n` : analyzeText(result, top));
    } finally {
      view.stop();
      process.off('SIGINT', onSignal);
    }
  });
}
