// `sweeplens replay <run> --config replay.json [--from --to] [--out dir] [--json]`: replays a
// regime-weighted ensemble on all bars or a sub-range (out-of-sample replay in one command).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError, replayEnsemble, type ReplayOptions, type ReplayResult } from '../../index.ts';
import { formatValue } from '../format.ts';
import { admfFlags } from '../flags.ts';

/** Raw options of `replay`. */
export interface ReplayCommandOptions {
  config?: string;
  from?: string;
  to?: string;
  out?: string;
  market?: string;
  idxBase?: string;
  json?: boolean;
}

/** Reads the configuration file (InputError naming --config). Validation happens in replayEnsemble. */
export function readReplayConfig(path: string | undefined): unknown {
  if (!path) throw new InputError('--config <file> is required (a replay configuration, e.g. written by sweeplens auto)');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`--config ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file: path });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`--config ${path}: not valid JSON (${(error as Error).message})`, { file: path });
  }
}

/** The plain-text report of a replay. */
export function replayText(result: ReplayResult): string {
  const m = result.metrics;
  const r = result.range;
  const lines = [
    `replayed ensemble${result.name ? ` ${result.name}` : ''} (${result.strategies.length} strategies${result.classifier ? `, classifier '${result.classifier}'` : ''}) on ${result.symbol} bars [${r.fromIdx}, ${r.toIdx}) = ${r.bars} bars (${r.firstTs} .. ${r.lastTs}), ${result.sample}`,
    `net Sharpe ${formatValue(m.sharpeRatio, 'ratio')}, gross Sharpe ${formatValue(m.grossSharpe, 'ratio')}, total return ${formatValue(m.totalReturn, 'percent')}, max drawdown ${formatValue(m.maxDrawdown, 'percent')}, trades ${m.tradeCount}, costs ${formatValue(m.totalCosts, 'percent')}, ${result.changes} position changes`,
  ];
  for (const [label, stats] of Object.entries(result.perRegime ?? {})) {
    lines.push(`  regime '${label}': ${stats.bars} bars, Sharpe ${formatValue(stats.sharpeRatio, 'ratio')}, return ${formatValue(stats.totalReturn, 'percent')}`);
  }
  if (result.signalsPath) lines.push(`wrote ${result.signalsPath}`, `      ${result.resultPath}`);
  return `${lines.join('\n')}\n`;
}

/** Registers `replay`. */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('replay a regime-weighted ensemble (a replay configuration) on a run, on all bars or a sub-range; writes signals/combined/ensemble_signals.parquet')
    .argument('<run>', 'run directory (a sweeplens run, or an ADMF-PC workspace with --market)')
    .option('--config <file>', 'replay configuration JSON (required)')
    .option('--from <bar|time>', 'first bar: an index, or an ISO-8601 time (first bar at or after it); inclusive')
    .option('--to <bar|time>', 'end bar: an index, or an ISO-8601 time; exclusive')
    .option('--out <dir>', 'write outputs here instead of the run directory (required for an ADMF-PC workspace)')
    .option('--market <bars>', 'ADMF-PC workspace read in place: bars file (default: the configuration\'s)')
    .option('--idx-base <0|1>', 'ADMF-PC: idx base of the traces (default 1)')
    .option('--json', 'print the result as JSON')
    .action(async (run: string, options: ReplayCommandOptions) => {
      const config = readReplayConfig(options.config);
      const replayOptions: ReplayOptions = { runDir: run };
      if (options.from !== undefined) replayOptions.from = options.from;
      if (options.to !== undefined) replayOptions.to = options.to;
      if (options.out) replayOptions.outDir = options.out;
      const admf = admfFlags(options);
      if (admf) replayOptions.admf = admf;
      const result = await replayEnsemble(config, replayOptions);
      process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : replayText(result));
    });
}
