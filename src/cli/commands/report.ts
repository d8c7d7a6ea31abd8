// `sweeplens report <run>`: one self-contained HTML dashboard of an analyzed run.
import type { Command } from 'commander';
import { buildReport, DEFAULT_REPORT_TOP, type ReportOptions } from '../../coordinator/report.ts';
import { AnalyticsCoordinator } from '../../coordinator/analyze.ts';
import { hasAnalysis } from '../../report/inputs.ts';
import { analyzeOptionsFromFlags, type AnalyzeCommandOptions } from './analyze.ts';
import { addCostFlags, admfFlags, numberFlag } from '../flags.ts';
import { createProgressView } from '../progress.ts';

/** Raw options of `report`. */
export interface ReportCommandOptions extends AnalyzeCommandOptions {
  analyze?: boolean;
  classifier?: string;
  maxPoints?: string;
}

/** Turns the flags into ReportOptions (InputError naming the flag on a bad value). */
export function reportOptionsFromFlags(options: ReportCommandOptions): ReportOptions {
  const out: ReportOptions = {
    top: numberFlag('--top', options.top, DEFAULT_REPORT_TOP, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1'),
    maxCurvePoints: numberFlag('--max-points', options.maxPoints, 2000, (v) => Number.isInteger(v) && v >= 4, 'an integer >= 4'),
  };
  if (options.out) out.out = options.out;
  if (options.classifier) out.classifier = options.classifier;
  const admf = admfFlags(options);
  if (admf) out.admf = admf;
  return out;
}

/** Registers `report`. */
export function registerReportCommand(program: Command): void {
  const command = program
    .command('report')
    .description('write one self-contained HTML dashboard of an analyzed run (opens offline in any browser)')
    .argument('<run>', 'run directory (a sweeplens run, or an ADMF-PC workspace with --market)')
    .option('--out <file>', 'HTML file to write (default: <run>/report.html)')
    .option('--top <n>', `strategies drawn individually: Sharpe and drawdown bars, curves (default ${DEFAULT_REPORT_TOP})`)
    .option('--classifier <id>', 'classifier of the regime section (default: the best separating one)')
    .option('--analyze', 'run `sweeplens analyze` first when the run has no analysis (takes the analyze flags below)')
    .option('--max-points <n>', 'points per plotted curve, min/max-preserving downsampling (default 2000)')
    .option('--workers <n>', 'with --analyze: worker threads (default: number of cores; 0 = none)')
    .option('--periods-per-year <n>', 'with --analyze: bars per year P')
    .option('--risk-free-rate <annual>', 'with --analyze: annual risk-free rate as a fraction')
    .option('--rank-by <metric>', 'with --analyze: metric to rank by (default sharpeRatio)')
    .option('--market <bars>', 'ADMF-PC workspace read in place: bars file (CSV or Parquet)')
    .option('--idx-base <0|1>', 'ADMF-PC: idx base of the traces (default 1)')
    .option('--quiet', 'no progress output')
    .option('--json', 'print {path, bytes, elapsedMs, sections, warnings} as JSON');
  addCostFlags(command);
  command.action(async (run: string, options: ReportCommandOptions) => {
    const reportOptions = reportOptionsFromFlags(options);
    const view = createProgressView({ quiet: options.quiet === true || options.json === true });
    try {
      let analyzed = false;
      if (options.analyze && !hasAnalysis(run)) {
        // --out names the HTML file here, not the analysis's output directory.
        const { out: _htmlFile, ...analyzeFlags } = options;
        const coordinator = new AnalyticsCoordinator();
        coordinator.on('progress', (event) => view.update(event));
        await coordinator.analyzeRun(run, analyzeOptionsFromFlags(analyzeFlags));
        view.stop();
        analyzed = true;
      }
      const result = await buildReport(run, reportOptions);
      if (analyzed) result.analyzed = true;
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const lines = result.analyzed ? [`analyzed ${run} first (--analyze)`] : [];
      lines.push(`wrote ${result.path} (${(result.bytes / 2 ** 20).toFixed(2)} MiB) in ${(result.elapsedMs / 1000).toFixed(2)} s`);
      for (const section of result.sections) if (section.placeholder) lines.push(`  ${section.title}: ${section.placeholder}`);
      for (const warning of result.warnings) lines.push(`warning: ${warning}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      view.stop();
    }
  });
}
