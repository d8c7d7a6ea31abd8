// `sweeplens overfit <run>`: PSR and DSR of the top candidates and PBO (CSCV) of the run and of each
// family; writes analytics/overfitting.json and adds deflatedSharpe/probabilisticSharpe to the rankings.
import type { Command } from 'commander';
import { overfitRun, type OverfitOptions, type OverfitResult } from '../../coordinator/overfit.ts';
import type { OverfitTrialMethod, PboReport } from '../../coordinator/overfitOutputs.ts';
import { RANK_METRICS, validateRankMetric } from '../../coordinator/rankings.ts';
import { InputError } from '../../errors.ts';
import { numberFlag, optionalNumberFlag } from '../flags.ts';
import { formatValue, renderTable } from '../format.ts';
import { printNotice } from '../notice.ts';

/** Raw options of `overfit`. */
export interface OverfitCommandOptions {
  blocks?: string;
  candidates?: string;
  trials?: string;
  workers?: string;
  symbol?: string;
  rankBy?: string;
  top?: string;
  out?: string;
  json?: boolean;
}

const TRIAL_METHODS: readonly OverfitTrialMethod[] = ['all', 'clusters', 'average-correlation'];

/** Turns the flags into OverfitOptions (InputError naming the flag). */
export function overfitOptionsFromFlags(options: OverfitCommandOptions): OverfitOptions {
  const out: OverfitOptions = {
    blocks: numberFlag('--blocks', options.blocks, 16, (v) => Number.isInteger(v) && v >= 2 && v <= 26 && v % 2 === 0, 'an even integer in [2, 26]'),
  };
  const candidates = optionalNumberFlag('--candidates', options.candidates, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  if (candidates !== undefined) out.candidates = candidates;
  const trials = options.trials ?? 'all';
  if (!(TRIAL_METHODS as readonly string[]).includes(trials)) throw new InputError(`--trials must be one of ${TRIAL_METHODS.join(', ')}, got '${trials}'`);
  out.trials = trials as OverfitTrialMethod;
  const workers = optionalNumberFlag('--workers', options.workers, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0 (0: no worker threads)');
  if (workers !== undefined) out.workers = workers;
  if (options.symbol !== undefined) out.symbol = options.symbol;
  if (options.rankBy !== undefined) out.rankBy = validateRankMetric(options.rankBy, '--rank-by');
  if (options.out !== undefined) out.outDir = options.out;
  return out;
}

function pboLine(label: string, pbo: PboReport): string[] {
  const slope = pbo.degradation.slope === null ? 'n/a' : pbo.degradation.slope.toFixed(3);
  return [label, String(pbo.nStrategies), formatValue(pbo.pbo, 'percent'), pbo.medianLogit.toFixed(3), slope, formatValue(pbo.probabilityOfLoss, 'percent')];
}

/** The plain-text report: DSR table of the top candidates, then PBO of the run and per family. */
export function overfitText(result: OverfitResult, top: number): string {
  const r = result.report;
  const lines: string[] = [];
  lines.push(`run ${r.runId} (${r.symbol}, ${r.bars} bars, P = ${r.periodsPerYear.toFixed(0)}): ${r.candidates.count} candidates of ${r.candidates.totalStrategies} strategies (top by ${r.candidates.selectedBy})`);
  const d = r.dsr;
  const trials = d.trialMethod === 'all' ? `N = ${d.totalTrials} (all strategies)` : `N_eff = ${d.trials.toFixed(1)} of ${d.totalTrials} (${d.trialMethod})`;
  lines.push(`DSR: ${trials}, V[SR] = ${d.sharpeVariance.toPrecision(4)} per bar² (${d.sharpeVarianceSource}), SR0 = ${d.expectedMaximumSharpe.toPrecision(4)} per bar (${d.expectedMaximumSharpeAnnualized.toFixed(3)} annualized); ${d.significantAt95} with DSR >= 0.95`);
  lines.push('');
  const shown = r.strategies.slice(0, top);
  lines.push(`top ${shown.length} by DSR:`);
  lines.push(renderTable(
    ['#', 'strategy', 'family', 'Sharpe (ann.)', 'skew', 'kurtosis', 'PSR(0)', 'DSR', 'IS-best splits'],
    shown.map((s) => [
      String(s.dsrRank), s.id, s.family, formatValue(s.annualizedSharpe, 'ratio'), formatValue(s.skewness, 'ratio'), formatValue(s.kurtosis, 'ratio'),
      formatValue(s.probabilisticSharpe, 'ratio'), formatValue(s.deflatedSharpe, 'ratio'), String(s.pboSelections),
    ]),
    ['right', 'left', 'left'],
  ));
  lines.push('');
  const run = r.pbo.run;
  if (run) {
    lines.push(`PBO by CSCV: S = ${run.blocks} blocks, ${run.splits} splits, per-bar Sharpe ratio${r.pbo.tasks > 0 ? ` (${r.pbo.tasks} worker tasks)` : ''}`);
    const rows = [pboLine('all candidates', run)];
    for (const family of r.pbo.families) {
      rows.push(family.result ? pboLine(family.family || '(none)', family.result) : [family.family || '(none)', String(family.strategies), 'n/a', '', '', '']);
    }
    lines.push(renderTable(['selection among', 'N', 'PBO', 'median logit', 'degradation slope', 'P(OOS loss)'], rows));
  } else {
    lines.push('PBO: not computed (fewer than 2 candidates or too few bars)');
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  lines.push('', `wrote ${result.reportPath}`, '      summary/strategy_rankings.json (+ .parquet) with deflatedSharpe, probabilisticSharpe');
  return `${lines.join('\n')}\n`;
}

/** Registers `overfit`. */
export function registerOverfitCommand(program: Command): void {
  program
    .command('overfit')
    .description('Probabilistic and Deflated Sharpe Ratios of the top strategies and the Probability of Backtest Overfitting (CSCV) of the run and of each family')
    .argument('<run>', 'run directory (analyzed first when it has no summary)')
    .option('--blocks <S>', 'CSCV blocks, even, in [2, 26] (default 16: 12,870 splits)')
    .option('--candidates <K>', 'top-ranked strategies loaded as candidates (default all, at most 1,000)')
    .option('--trials <method>', "N of the DSR: 'all' strategies, or N_eff by 'clusters' or 'average-correlation' (default all)")
    .option('--workers <n>', 'worker threads (default: number of cores; 0 = none)')
    .option('--symbol <symbol>', 'symbol whose strategies are used (default: the only one)')
    .option('--rank-by <metric>', `order of the rewritten rankings: ${Object.keys(RANK_METRICS).join(', ')} (default: unchanged)`)
    .option('--top <n>', 'strategies to print (default 20)')
    .option('--out <dir>', 'where the analysis outputs are (default the run directory)')
    .option('--json', 'print analytics/overfitting.json')
    .action(async (run: string, options: OverfitCommandOptions) => {
      const top = numberFlag('--top', options.top, 20, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0');
      const result = await overfitRun(run, { ...overfitOptionsFromFlags(options), onStatus: printNotice });
      process.stdout.write(options.json ? `${JSON.stringify(result.report, null, 2)}\n` : overfitText(result, top));
    });
}
