// `sweeplens mine <run>`: frequent signal-change patterns per family and regime-transition
// statistics; writes analytics/patterns.json (src/coordinator/mine.ts).
import type { Command } from 'commander';
import { mineRun, type MineOptions, type MineResult } from '../../coordinator/mine.ts';
import { admfFlags, numberFlag, optionalNumberFlag } from '../flags.ts';
import { formatValue, renderTable } from '../format.ts';

/** Raw options of `mine`. */
export interface MineCommandOptions {
  minSupport?: string;
  minConfidence?: string;
  maxLength?: string;
  horizon?: string;
  classifier?: string;
  top?: string;
  json?: boolean;
  workers?: string;
  out?: string;
  market?: string;
  idxBase?: string;
  profitableOnly?: boolean;
}

/** Turns the flags into MineOptions (InputError naming the flag on a bad value). */
export function mineOptionsFromFlags(options: MineCommandOptions): MineOptions {
  const out: MineOptions = {
    minSupport: numberFlag('--min-support', options.minSupport, 0.05, (v) => v >= 0 && v <= 1, 'a fraction in [0, 1]'),
    minConfidence: numberFlag('--min-confidence', options.minConfidence, 0.6, (v) => v >= 0 && v <= 1, 'a fraction in [0, 1]'),
    maxLength: numberFlag('--max-length', options.maxLength, 3, (v) => Number.isInteger(v) && v >= 2 && v <= 28, 'an integer in [2, 28]'),
    horizon: numberFlag('--horizon', options.horizon, 20, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1 (bars)'),
  };
  if (options.classifier) out.classifier = options.classifier;
  const workers = optionalNumberFlag('--workers', options.workers, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0 (0: no worker threads)');
  if (workers !== undefined) out.workers = workers;
  if (options.out) out.outDir = options.out;
  if (options.profitableOnly) out.profitableOnly = true;
  const admf = admfFlags(options);
  if (admf) out.admf = admf;
  return out;
}

/** The plain-text report: counts, the top patterns, the regime transitions with p < 0.05. */
export function mineText(result: MineResult, top: number): string {
  const f = result.file;
  const lines: string[] = [];
  const strategies = f.families.reduce((a, s) => a + s.strategies, 0);
  lines.push(`run ${f.runId}: ${f.patterns.length} frequent patterns in ${f.families.length} families (${strategies} strategies) in ${(f.elapsedMs / 1000).toFixed(2)} s`);
  lines.push(`support >= ${f.options.minSupport}, confidence >= ${f.options.minConfidence}, lengths 2..${f.options.maxLength}, horizon ${f.options.horizon} bars; regimes: ${Object.entries(f.options.classifier).map(([s, c]) => `${s}: ${c ?? 'none'}`).join('; ') || 'none'}`);
  lines.push('');
  const shown = f.patterns.slice(0, top);
  lines.push(`top ${shown.length} patterns by t-statistic of the forward return (t adj.: with the forward windows the occurrences share, eff. n: independent windows they are worth):`);
  lines.push(renderTable(
    ['pattern', 'type', 'support', 'conf.', 'occ.', 'win rate', 'avg ret', 't', 'eff. n', 't adj.', 'regime', 'best strategy'],
    shown.map((p) => [
      p.patternId, p.patternType, formatValue(p.support, 'percent'), formatValue(p.confidence, 'percent'), String(p.occurrences),
      formatValue(p.winRate, 'percent'), formatValue(p.avgReturn, 'percent'), formatValue(p.tStat, 'ratio'),
      formatValue(p.effectiveCount, 'ratio'), formatValue(p.tStatOverlap, 'ratio'), p.dominantRegimes.join(',') || '-',
      p.bestStrategies[0]?.strategyId ?? '-',
    ]),
    ['left', 'left'],
  ));
  // (significance after the overlap correction: transitions closer than the horizon share bars)
  const significant = f.regimeTransitions.flatMap((c) => c.transitions.filter((t) => t.pValueOverlap != null && t.pValueOverlap < 0.05).map((t) => ({ classifier: c.classifier, ...t })));
  if (significant.length > 0) {
    lines.push('', 'regime transitions followed by a significant market move (p < 0.05 with overlapping horizons accounted for):');
    lines.push(renderTable(
      ['classifier', 'transition', 'count', 'mean ret', 't', 'eff. n', 't adj.', 'p adj.'],
      significant.slice(0, top).map((t) => [
        t.classifier, t.transition, String(t.count), formatValue(t.meanReturn, 'percent'), formatValue(t.tStat, 'ratio'),
        formatValue(t.effectiveCount, 'ratio'), formatValue(t.tStatOverlap, 'ratio'), (t.pValueOverlap ?? 0).toPrecision(2),
      ]),
      ['left', 'left'],
    ));
  }
  if (f.failures.length > 0) {
    lines.push('', `${f.failures.length} strategies failed:`);
    for (const failure of f.failures.slice(0, 20)) lines.push(`  ${failure.id}: ${failure.error}`);
  }
  for (const w of f.warnings) lines.push(`warning: ${w}`);
  lines.push('', `wrote ${result.path}`);
  return `${lines.join('\n')}\n`;
}

/** Registers `mine`. */
export function registerMineCommand(program: Command): void {
  program
    .command('mine')
    .description('frequent sequences of signal changes per strategy family (support, confidence, forward returns, regimes, events) and regime-transition statistics; writes analytics/patterns.json')
    .argument('<run>', 'run directory (a sweeplens run, or an ADMF-PC workspace with --market)')
    .option('--min-support <f>', 'minimum support: occurrences / windows of the same length in the family (default 0.05)')
    .option('--min-confidence <f>', 'minimum confidence: occurrences / occurrences of the prefix (default 0.6)')
    .option('--max-length <n>', 'longest pattern in transitions, 2..28 (default 3)')
    .option('--horizon <bars>', 'forward-return horizon H in bars (default 20)')
    .option('--classifier <id>', 'classifier giving the regime at pattern completion (default: the first; none: no regimes)')
    .option('--profitable-only', 'keep only patterns with a positive mean forward return')
    .option('--top <n>', 'patterns to print (default 20)')
    .option('--workers <n>', 'worker threads (mining runs inline: it is O(changes) per strategy)')
    .option('--out <dir>', 'write analytics/patterns.json here instead of the run directory')
    .option('--market <bars>', 'ADMF-PC workspace read in place: bars file (CSV or Parquet)')
    .option('--idx-base <0|1>', 'ADMF-PC: idx base of the traces (default 1: bar = idx - 1)')
    .option('--json', 'print {summary, top} as JSON')
    .action(async (run: string, options: MineCommandOptions) => {
      const top = numberFlag('--top', options.top, 20, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0');
      const mineOptions = mineOptionsFromFlags(options);
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        const result = await mineRun(run, { ...mineOptions, signal: controller.signal });
        if (options.json) {
          const { patterns, regimeTransitions, ...summary } = result.file;
          process.stdout.write(`${JSON.stringify({ path: result.path, summary, top: patterns.slice(0, top), regimeTransitions }, null, 2)}\n`);
        } else {
          process.stdout.write(mineText(result, top));
        }
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
