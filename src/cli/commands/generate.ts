// `sweeplens generate <dir>`: writes a synthetic sweep run (bars, strategies, classifiers, events).
import type { Command } from 'commander';
import { generateRun, InputError } from '../../index.ts';
import { createProgressView } from '../progress.ts';

function integerOption(name: string, min: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new InputError(`--${name} must be an integer >= ${min}, got '${text}'`);
    return value;
  };
}

/** Registers `generate`. */
export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('write a synthetic parameter-sweep run: random-walk bars with volatility regimes, strategy grids computed on them, classifiers, events')
    .argument('<dir>', 'run directory to create')
    .option('--strategies <n>', 'number of strategies', integerOption('strategies', 0), 100)
    .option('--classifiers <n>', 'number of classifiers', integerOption('classifiers', 0), 4)
    .option('--bars <n>', 'number of 1-minute bars', integerOption('bars', 2), 100_000)
    .option('--seed <n>', 'random seed', integerOption('seed', 0), 1)
    .option('--symbol <symbol>', 'symbol of the bars', 'SYN')
    .option('--overwrite', 'replace an existing run in <dir>')
    .option('--no-metrics', 'do not cache headline metrics in the trace footers')
    .option('--quiet', 'no progress output')
    .action((dir: string, options: { strategies: number; classifiers: number; bars: number; seed: number; symbol: string; overwrite?: boolean; metrics: boolean; quiet?: boolean }) => {
      const view = createProgressView({ quiet: options.quiet ?? false });
      const started = Date.now();
      try {
        const metadata = generateRun(dir, {
          strategies: options.strategies, classifiers: options.classifiers, bars: options.bars, seed: options.seed,
          symbol: options.symbol, overwrite: options.overwrite ?? false, metrics: options.metrics,
          onProgress: (p) => view.update({ phase: p.phase, done: p.done, total: p.total, elapsedMs: Date.now() - started }),
        });
        view.stop();
        process.stdout.write(`${dir}: ${metadata.strategies.length} strategies, ${metadata.classifiers.length} classifiers, ${options.bars} bars, `
          + `${metadata.totalSignalChanges} signal changes (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      } finally {
        view.stop();
      }
    });
}
