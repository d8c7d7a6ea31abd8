// `sweeplens scan <workspace>`: runs, counts and best strategies by cached metrics, from footers only.
import type { Command } from 'commander';
import { Workspace, rankByCachedMetric, scanRun, type RankedStrategy, type RunScan } from '../../index.ts';

/** What `scan --json` prints per run. */
export interface ScanReport {
  id: string;
  dir: string;
  format: string;
  strategies: number;
  classifiers: number;
  families: Record<string, number>;
  barCounts: Record<string, number>;
  totalSignalChanges: number;
  totalRegimeChanges: number;
  best: RankedStrategy[];
  warnings: string[];
}

function report(id: string, scan: RunScan, metric: string, top: number, ascending: boolean): ScanReport {
  return {
    id, dir: scan.dir, format: scan.format,
    strategies: scan.strategies.length, classifiers: scan.classifiers.length,
    families: scan.metadata.families, barCounts: scan.metadata.barCounts,
    totalSignalChanges: scan.metadata.totalSignalChanges, totalRegimeChanges: scan.metadata.totalRegimeChanges,
    best: rankByCachedMetric(scan, metric, top, ascending), warnings: scan.warnings,
  };
}

function print(r: ScanReport, metric: string): string {
  const lines = [`${r.id} (${r.format}): ${r.strategies} strategies, ${r.classifiers} classifiers, bars ${Object.entries(r.barCounts).map(([s, n]) => `${s}=${n > 0 ? n : "unknown"}`).join(' ')}, `
    + `${r.totalSignalChanges} signal changes, ${r.totalRegimeChanges} regime changes`];
  lines.push(`  families: ${Object.entries(r.families).map(([f, n]) => `${f} ${n}`).join(', ')}`);
  if (r.best.length > 0) {
    lines.push(`  best by cached ${metric}:`);
    const width = Math.max(...r.best.map((b) => b.id.length));
    for (const b of r.best) lines.push(`    ${b.id.padEnd(width)}  ${b.value.toFixed(4).padStart(10)}  ${String(b.changes).padStart(8)} changes`);
  } else {
    lines.push(`  no cached ${metric} in the footers`);
  }
  for (const warning of r.warnings) lines.push(`  warning: ${warning}`);
  return lines.join('\n');
}

/** Registers `scan`. */
export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description('list the runs of a workspace with counts and the best strategies by cached metrics (reads Parquet footers only)')
    .argument('<workspace>', 'workspace folder (or a single run)')
    .option('--metric <name>', 'cached metric to rank by', 'sharpeRatio')
    .option('--top <n>', 'strategies to show per run', (t: string) => Number.parseInt(t, 10), 5)
    .option('--ascending', 'lower is better (e.g. maxDrawdown)')
    .option('--json', 'print JSON')
    .action((dir: string, options: { metric: string; top: number; ascending?: boolean; json?: boolean }) => {
      const workspace = new Workspace(dir);
      const reports: ScanReport[] = [];
      const incomplete: string[] = [];
      for (const run of workspace.listRuns()) {
        if (run.format === 'incomplete') {
          incomplete.push(run.dir);
          continue;
        }
        reports.push(report(run.id, scanRun(run.dir), options.metric, options.top, options.ascending ?? false));
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ workspace: dir, runs: reports, incomplete }, null, 2)}\n`);
        return;
      }
      if (reports.length === 0 && incomplete.length === 0) process.stdout.write(`${dir}: no runs\n`);
      for (const r of reports) process.stdout.write(`${print(r, options.metric)}\n`);
      for (const path of incomplete) process.stdout.write(`${path}: incomplete run (no metadata.json; its writing was interrupted)\n`);
    });
}
