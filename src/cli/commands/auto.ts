// `sweeplens auto <workspace> --criteria criteria.json --out <dir>`: the automated workflow over every
// run of a workspace; writes workflow_report.json, one replay configuration per selection and,
// with autoExecuteReplay (or --replay), the replays.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  AutomatedWorkflow, InputError, validateSelectionCriteria, type SelectionCriteriaInput, type WorkflowOptions, type WorkflowReport,
} from '../../index.ts';
import { addCostFlags, admfFlags, optionalNumberFlag, parseCostFlags, type CostFlags } from '../flags.ts';
import { createProgressView } from '../progress.ts';

/** Raw options of `auto`. */
export interface AutoCommandOptions extends CostFlags {
  criteria?: string;
  out?: string;
  minSharpe?: string;
  minWinRate?: string;
  maxDrawdown?: string;
  minTrades?: string;
  maxCorrelation?: string;
  maxSelections?: string;
  maxCandidates?: string;
  requiredRegimes?: string;
  targetRegimes?: string;
  classifier?: string;
  replay?: boolean;
  periodsPerYear?: string;
  workers?: string;
  market?: string;
  idxBase?: string;
  cache?: boolean;
  quiet?: boolean;
  json?: boolean;
}

function readCriteriaFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`--criteria ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file: path });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`--criteria ${path}: not valid JSON (${(error as Error).message})`, { file: path });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InputError(`--criteria ${path}: criteria must be a JSON object`, { file: path });
  return parsed as Record<string, unknown>;
}

/** The criteria: the file's, with each given flag replacing its field; validated (InputError naming the field). */
export function criteriaFromFlags(options: AutoCommandOptions): SelectionCriteriaInput {
  const input: Record<string, unknown> = options.criteria ? readCriteriaFile(options.criteria) : {};
  const numeric: [keyof AutoCommandOptions, string, string][] = [
    ['minSharpe', 'minSharpe', '--min-sharpe'], ['minWinRate', 'minWinRate', '--min-win-rate'], ['maxDrawdown', 'maxDrawdown', '--max-drawdown'],
    ['minTrades', 'minTrades', '--min-trades'], ['maxCorrelation', 'maxCorrelation', '--max-correlation'], ['maxSelections', 'maxSelections', '--max-selections'],
    ['maxCandidates', 'maxCandidates', '--max-candidates'],
  ];
  for (const [option, field, flag] of numeric) {
    const raw = options[option] as string | undefined;
    if (raw === undefined) continue;
    input[field] = raw === 'none' ? null : optionalNumberFlag(flag, raw, () => true, "a number (or 'none')");
  }
  const list = (raw: string) => raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (options.requiredRegimes !== undefined) input.requiredRegimes = list(options.requiredRegimes);
  if (options.targetRegimes !== undefined) input.targetRegimes = list(options.targetRegimes);
  if (options.classifier !== undefined) input.classifier = options.classifier;
  if (options.replay) input.autoExecuteReplay = true;
  return validateSelectionCriteria(input);
}

/** Turns the flags into WorkflowOptions. */
export function workflowOptionsFromFlags(options: AutoCommandOptions): WorkflowOptions {
  if (!options.out) throw new InputError('--out <dir> is required (where the report and the replay configurations go)');
  const out: WorkflowOptions = { outDir: options.out, criteria: criteriaFromFlags(options), costs: parseCostFlags(options) };
  const periods = optionalNumberFlag('--periods-per-year', options.periodsPerYear, (v) => v > 0, 'a number > 0');
  if (periods !== undefined) out.periodsPerYear = periods;
  const workers = optionalNumberFlag('--workers', options.workers, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0 (0: no worker threads)');
  if (workers !== undefined) out.workers = workers;
  if (options.cache === false) out.useCache = false;
  const admf = admfFlags(options);
  if (admf) out.admf = admf;
  return out;
}

/** The plain-text summary of a workflow report. */
export function autoText(report: WorkflowReport, reportPath: string): string {
  const lines = [`scanned ${report.scannedRuns} runs, ${report.qualifiedRuns} qualified, ${report.selections.length} ensembles selected in ${(report.elapsedMs / 1000).toFixed(2)} s`];
  for (const run of report.runs) lines.push(`  ${run.id}: ${run.status}${run.reason ? ` (${run.reason})` : ''}${run.status === 'qualified' ? `, ${run.passed} of ${run.analyzed} strategies passed` : ''}`);
  lines.push('', ...report.recommendations.map((r) => `- ${r}`), '');
  for (const path of report.replayConfigurations) lines.push(`wrote ${path}`);
  for (const result of report.replayResults ?? []) if (result.resultPath) lines.push(`wrote ${result.resultPath}`);
  lines.push(`wrote ${reportPath}`);
  return `${lines.join('\n')}\n`;
}

/** Registers `auto`. */
export function registerAutoCommand(program: Command): void {
  const command = program
    .command('auto')
    .description('automated workflow: analyze every run of a workspace, select regime-aware ensembles by criteria, write replay configurations (and replay them)')
    .argument('<workspace>', 'a folder of runs (or one run)')
    .option('--criteria <file>', 'selection criteria JSON (fields: see README "Selection criteria"); flags below replace its fields')
    .option('--out <dir>', 'output folder: workflow_report.json, replay_configs/, replays/, runs/ (required)')
    .option('--min-sharpe <x>', "minimum net Sharpe ('none' to disable; default 1.0)")
    .option('--min-win-rate <fraction>', "minimum win rate ('none' to disable; default 0.55)")
    .option('--max-drawdown <fraction>', "maximum drawdown ('none' to disable; default 0.20)")
    .option('--min-trades <n>', 'minimum trades (default 100)')
    .option('--max-correlation <x>', 'correlation filter threshold in [-1, 1] (default 0.7)')
    .option('--max-selections <n>', 'ensembles to select (default 3)')
    .option('--max-candidates <n>', 'strategies per run entering the regime analysis (default 20)')
    .option('--required-regimes <labels>', 'comma-separated regime labels the classifier must produce and kept strategies must win in')
    .option('--target-regimes <labels>', 'comma-separated regime labels to trade in (flat elsewhere)')
    .option('--classifier <id>', 'use only this classifier')
    .option('--replay', 'execute the replays (autoExecuteReplay)')
    .option('--periods-per-year <n>', 'bars per year P (default: inferred from the bar spacing)')
    .option('--workers <n>', 'worker threads per run analysis (default 0: the calling thread)')
    .option('--market <bars>', 'bars file for ADMF-PC workspaces (without it they are skipped)')
    .option('--idx-base <0|1>', 'ADMF-PC: idx base of the traces (default 1)')
    .option('--no-cache', 'recompute every strategy')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the report as JSON');
  addCostFlags(command);
  command.action(async (workspace: string, options: AutoCommandOptions) => {
    const workflow = new AutomatedWorkflow(workflowOptionsFromFlags(options));
    const view = createProgressView({ quiet: options.quiet ?? false });
    workflow.on('progress', (event) => view.update(event));
    workflow.on('warning', (message) => { if (!options.json && !options.quiet) process.stderr.write(`warning: ${message}\n`); });
    try {
      const { report, reportPath } = await workflow.run(workspace);
      view.stop();
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : autoText(report, reportPath));
    } finally {
      view.stop();
    }
  });
}
