// `sweeplens walkforward <run> --windows N`: walk-forward validation of ensemble weights (global or
// per regime of a classifier): fit on each window, replay on the next; writes analytics/walkforward.json.
import type { Command } from 'commander';
import { walkForward, type WalkForwardOptions, type WalkForwardResult } from '../../coordinator/walkforward.ts';
import { InputError } from '../../errors.ts';
import { numberFlag, optionalNumberFlag } from '../flags.ts';
import { formatValue, renderTable } from '../format.ts';
import { printNotice } from '../notice.ts';

/** Raw options of `walkforward`. */
export interface WalkForwardCommandOptions {
  windows?: string;
  anchored?: boolean;
  classifier?: string;
  objective?: string;
  minWeight?: string;
  maxWeight?: string;
  maxStrategies?: string;
  candidates?: string;
  selection?: string;
  universe?: string;
  minDeflatedSharpe?: string;
  workers?: string;
  symbol?: string;
  out?: string;
  json?: boolean;
}

/** Turns the flags into WalkForwardOptions (InputError naming the flag). */
export function walkForwardOptionsFromFlags(options: WalkForwardCommandOptions): WalkForwardOptions {
  if (options.windows === undefined) throw new InputError('--windows is required (number of folds, an integer >= 1)');
  const objective = options.objective ?? 'max-sharpe';
  if (objective !== 'max-sharpe' && objective !== 'min-variance') throw new InputError(`--objective must be 'max-sharpe' or 'min-variance', got '${objective}'`);
  const out: WalkForwardOptions = {
    windows: numberFlag('--windows', options.windows, 0, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1'),
    mode: options.anchored ? 'anchored' : 'rolling',
    objective,
  };
  const minWeight = optionalNumberFlag('--min-weight', options.minWeight, (v) => v >= 0 && v <= 1, 'a fraction in [0, 1]');
  if (minWeight !== undefined) out.minWeight = minWeight;
  const maxWeight = optionalNumberFlag('--max-weight', options.maxWeight, (v) => v > 0 && v <= 1, 'a fraction in (0, 1]');
  if (maxWeight !== undefined) out.maxWeight = maxWeight;
  const maxStrategies = optionalNumberFlag('--max-strategies', options.maxStrategies, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  if (maxStrategies !== undefined) out.maxStrategies = maxStrategies;
  const candidates = optionalNumberFlag('--candidates', options.candidates, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  if (candidates !== undefined) out.candidates = candidates;
  if (options.selection !== undefined) {
    if (options.selection !== 'in-sample' && options.selection !== 'full-sample') throw new InputError(`--selection must be 'in-sample' or 'full-sample', got '${options.selection}'`);
    out.selection = options.selection;
  }
  const universe = optionalNumberFlag('--universe', options.universe, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  if (universe !== undefined) out.universe = universe;
  const minDsr = optionalNumberFlag('--min-deflated-sharpe', options.minDeflatedSharpe, (v) => v >= 0 && v <= 1, 'a probability in [0, 1]');
  if (minDsr !== undefined) out.minDeflatedSharpe = minDsr;
  const workers = optionalNumberFlag('--workers', options.workers, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0 (0: no worker threads)');
  if (workers !== undefined) out.workers = workers;
  if (options.classifier !== undefined) out.classifier = options.classifier;
  if (options.symbol !== undefined) out.symbol = options.symbol;
  if (options.out !== undefined) out.outDir = options.out;
  return out;
}

/** The plain-text report: one row per fold, then the aggregate. */
export function walkForwardText(result: WalkForwardResult): string {
  const r = result.report;
  const lines: string[] = [];
  lines.push(`run ${r.runId} (${r.symbol}, ${r.bars} bars): ${r.mode} walk-forward, ${r.windows} folds, ${r.objective}${r.classifier ? `, per regime of '${r.classifier}'` : ', global weights'}, ${r.folds[0]?.candidates.length ?? 0} candidates per fold (chosen ${r.selection}) out of ${r.candidates.length} loaded`);
  lines.push('');
  lines.push(renderTable(
    ['fold', 'in-sample bars', 'out-of-sample bars', 'held', 'IS Sharpe', 'OOS Sharpe', 'OOS return', 'OOS max DD'],
    r.folds.map((f) => [
      String(f.fold), `[${f.inSample.start}, ${f.inSample.end})`, `[${f.outOfSample.start}, ${f.outOfSample.end})`, String(Object.keys(f.weights.global).length),
      formatValue(f.inSampleMetrics.sharpeRatio, 'ratio'), formatValue(f.outOfSampleMetrics.sharpeRatio, 'ratio'),
      formatValue(f.outOfSampleMetrics.totalReturn, 'percent'), formatValue(f.outOfSampleMetrics.maxDrawdown, 'percent'),
    ]),
    ['right', 'left', 'left'],
  ));
  const a = r.aggregate;
  lines.push('');
  lines.push(renderTable(['aggregate', 'in-sample', 'out-of-sample'], [
    ['Sharpe (concatenated)', formatValue(a.inSample.sharpeRatio, 'ratio'), formatValue(a.outOfSample.sharpeRatio, 'ratio')],
    ['mean fold Sharpe', formatValue(a.meanInSampleSharpe, 'ratio'), formatValue(a.meanOutOfSampleSharpe, 'ratio')],
    ['total return', formatValue(a.inSample.totalReturn, 'percent'), formatValue(a.outOfSample.totalReturn, 'percent')],
    ['max drawdown', formatValue(a.inSample.maxDrawdown, 'percent'), formatValue(a.outOfSample.maxDrawdown, 'percent')],
  ]));
  lines.push(`walk-forward efficiency (mean OOS / mean IS Sharpe): ${formatValue(a.sharpeEfficiency, 'ratio')}; ${a.positiveOutOfSampleFolds}/${r.folds.length} folds gain out of sample`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  lines.push('', `wrote ${result.reportPath}`);
  return `${lines.join('\n')}\n`;
}

/** Registers `walkforward`. */
export function registerWalkForwardCommand(program: Command): void {
  program
    .command('walkforward')
    .description('walk-forward validation of ensemble weights: fit on each window of bars, replay on the next (out of sample)')
    .argument('<run>', 'run directory (analyzed first when it has no summary)')
    .option('--windows <n>', 'number of folds: the bars are cut into n + 1 consecutive segments')
    .option('--anchored', 'fit on every segment so far (default: rolling, the previous segment only)')
    .option('--classifier <id>', 'fit weights per regime of this classifier and switch them bar by bar (state at t-1)')
    .option('--objective <name>', "'max-sharpe' or 'min-variance' (default max-sharpe)")
    .option('--min-weight <fraction>', 'lower bound of each held weight (default 0)')
    .option('--max-weight <fraction>', 'upper bound of each weight (default 1)')
    .option('--max-strategies <n>', 'at most n strategies held per fit (default: no limit)')
    .option('--candidates <K>', 'strategies each fold fits over (default 20)')
    .option('--selection <how>', "'in-sample' (default): each fold picks its K by in-sample Sharpe; 'full-sample': the top K of the rankings (look-ahead in the choice)")
    .option('--universe <n>', 'in-sample selection: strategies loaded to choose from (default 400; a fixed id-hash sample when the run has more)')
    .option('--min-deflated-sharpe <p>', 'only strategies with DSR >= p (run `sweeplens overfit` first)')
    .option('--workers <n>', 'worker threads (default: number of cores; 0 = none)')
    .option('--symbol <symbol>', 'symbol whose strategies are used (default: the only one)')
    .option('--out <dir>', 'where the analysis outputs are (default the run directory)')
    .option('--json', 'print analytics/walkforward.json')
    .action(async (run: string, options: WalkForwardCommandOptions) => {
      const result = await walkForward(run, { ...walkForwardOptionsFromFlags(options), onStatus: printNotice });
      process.stdout.write(options.json ? `${JSON.stringify(result.report, null, 2)}\n` : walkForwardText(result));
    });
}
