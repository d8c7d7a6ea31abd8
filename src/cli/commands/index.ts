import type { Command } from 'commander';

/** Registers one CLI command on the program. Each lives in its own file in this folder. */
export type RegisterCommand = (program: Command) => void;

/**
 * Every command of the CLI, in help order, with the module that registers it. Modules load on
 * demand: `sweeplens analyze` imports the analyze command only (its coordinator, I/O and kernels),
 * not the report templates, the optimizer or the pattern miner (~80 ms less start-up per call).
 */
export const COMMAND_LOADERS: readonly (readonly [name: string, load: () => Promise<RegisterCommand>])[] = [
  ['metrics', async () => (await import('./metrics.ts')).registerMetricsCommand],
  ['analyze', async () => (await import('./analyze.ts')).registerAnalyzeCommand],
  ['demo', async () => (await import('./demo.ts')).registerDemoCommand],
  ['bench', async () => (await import('./bench.ts')).registerBenchCommand],
  ['optimize', async () => (await import('./optimize.ts')).registerOptimizeCommand],
  ['generate', async () => (await import('./generate.ts')).registerGenerateCommand],
  ['scan', async () => (await import('./scan.ts')).registerScanCommand],
  ['import', async () => (await import('./import.ts')).registerImportCommand],
  ['stats', async () => (await import('./stats.ts')).registerStatsCommand],
  ['overfit', async () => (await import('./overfit.ts')).registerOverfitCommand],
  ['walkforward', async () => (await import('./walkforward.ts')).registerWalkForwardCommand],
  ['report', async () => (await import('./report.ts')).registerReportCommand],
  ['auto', async () => (await import('./auto.ts')).registerAutoCommand],
  ['replay', async () => (await import('./replay.ts')).registerReplayCommand],
  ['mine', async () => (await import('./mine.ts')).registerMineCommand],
  ['regimes', async () => (await import('./regimes.ts')).registerRegimesCommand],
  ['correlate', async () => (await import('./regimes.ts')).registerCorrelateCommand],
];

/**
 * The register functions of the commands `argv` (node, script, ...args) runs: the named command's
 * only; none for `--version` / `-V` alone (it prints the version and exits before any command runs);
 * every command in help order when no known command is named (help, a typo, no arguments), so help
 * and "unknown command" see them all.
 */
export async function commandsFor(argv: readonly string[]): Promise<RegisterCommand[]> {
  const args = argv.slice(2);
  const named = args.find((arg) => !arg.startsWith('-'));
  const one = COMMAND_LOADERS.find(([name]) => name === named);
  if (one && named !== 'help') return [await one[1]()];
  if (named === undefined && args.some((arg) => arg === '--version' || arg === '-V') && !args.some((arg) => arg === '--help' || arg === '-h')) return [];
  return Promise.all(COMMAND_LOADERS.map(([, load]) => load()));
}
