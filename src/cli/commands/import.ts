// `sweeplens import admf <workspace> --market <bars> --out <run>`: converts an ADMF-PC workspace.
import type { Command } from 'commander';
import { importAdmf } from '../../index.ts';
import { idxBaseFlag } from '../flags.ts';
import { createProgressView } from '../progress.ts';

/** Registers `import` with its `admf` subcommand. */
export function registerImportCommand(program: Command): void {
  const command = program.command('import').description('convert another tool\'s sweep workspace into a sweeplens run');
  command
    .command('admf')
    .description('import an ADMF-PC workspace (traces/<symbol>_<tf>/{signals,classifiers}/...) with its market bars')
    .argument('<workspace>', 'ADMF-PC workspace folder')
    .requiredOption('--market <bars>', 'bars file (CSV or Parquet) of the traces\' symbol')
    .requiredOption('--out <run>', 'run directory to create')
    .option('--idx-base <base>', 'base of the traces\' idx: 1 = bar idx-1 (ADMF-PC before 2025-06-16), 0 = bar idx', '1')
    .option('--parameters <metadata.json>', 'ADMF-PC metadata.json with named parameters (default: the workspace\'s own)')
    .option('--overwrite', 'replace an existing run at --out')
    .option('--quiet', 'no progress output')
    .action(async (dir: string, options: { market: string; out: string; idxBase: string; parameters?: string; overwrite?: boolean; quiet?: boolean }) => {
      const idxBase = idxBaseFlag(options.idxBase);
      const view = createProgressView({ quiet: options.quiet ?? false });
      const started = Date.now();
      try {
        const { metadata, warnings } = await importAdmf(dir, options.out, {
          market: options.market, idxBase, overwrite: options.overwrite ?? false,
          ...(options.parameters ? { parameterSource: options.parameters } : {}),
          onProgress: (done, total) => view.update({ phase: 'import', done, total, elapsedMs: Date.now() - started }),
        });
        view.stop();
        for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
        process.stdout.write(`${options.out}: ${metadata.strategies.length} strategies, ${metadata.classifiers.length} classifiers, `
          + `bars ${Object.entries(metadata.barCounts).map(([s, n]) => `${s}=${n}`).join(' ')}\n`);
      } finally {
        view.stop();
      }
    });
}
