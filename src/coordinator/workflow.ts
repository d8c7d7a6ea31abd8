// AutomatedWorkflow (the seed's AutomatedAnalyticsWorkflow): scan every run of a workspace, analyze
// the qualifying ones (cached), score strategy x classifier combinations by regime, filter by
// correlation, select ensembles, optimize per-regime weights, write one replay configuration per
// selection, optionally replay them, and write a WorkflowReport with plain-word recommendations.
import { join, resolve } from 'node:path';
import { defaultExecutionCosts, validateMetricOptions } from '../analytics/metricOptions.ts';
import { denseNetReturns, type EnsembleWeights } from '../analytics/replay.ts';
import {
  strategyRejection, validateSelectionCriteria, type SelectionCriteria, type SelectionCriteriaInput,
} from '../analytics/selection.ts';
import { CONVENTIONS_VERSION } from '../constants.ts';
import { InputError, SweeplensError } from '../errors.ts';
import type { AdmfOpenOptions } from '../io/admf.ts';
import { writeJsonAtomic } from '../io/atomicWrite.ts';
import { openRun, Workspace, type RunEntry } from '../io/workspace.ts';
import type { ExecutionCosts } from '../types.ts';
import { AnalyticsCoordinator } from './analyze.ts';
import { TypedEmitter, type ProgressEvent } from './events.ts';
import type { RankedStrategyRow } from './rankings.ts';
import type { ReplayResult } from './replay.ts';
import { prefilterRun } from './workflowPrefilter.ts';
import { unitGroups, type CandidateUnit, type Group } from './workflowGroups.ts';
import { buildSelection } from './workflowSelection.ts';
import { describeSelection, noSelectionAdvice, type SelectionFigures } from './workflowText.ts';

/** Value of `version` in workflow_report.json. */
export const WORKFLOW_REPORT_VERSION = 'sweeplens-workflow-1';

/** Options of the automated workflow. */
export interface WorkflowOptions {
  /** Selection criteria (validated; missing fields take the seed's defaults). */
  criteria?: SelectionCriteriaInput;
  /** Output folder: workflow_report.json, replay_configs/, replays/, runs/<id>/ (per-run analyses and caches). Required. */
  outDir: string;
  /** Cost model overrides; default 10 bps commission + 5 bps linear slippage. */
  costs?: Partial<ExecutionCosts>;
  /** P, bars per year; default inferred per run from the bar spacing. */
  periodsPerYear?: number;
  /** Worker threads of each run's analysis; default the machine's parallelism; 0: none. */
  workers?: number;
  /** How to read ADMF-PC workspaces in place (market bars, idx base); without it they are skipped. */
  admf?: AdmfOpenOptions;
  /** Reuse per-strategy caches; default true. */
  useCache?: boolean;
  /** Cancels the workflow between steps. */
  signal?: AbortSignal;
}

/** What happened to one run of the workspace. */
export interface WorkflowRunEntry {
  id: string;
  dir: string;
  format: RunEntry['format'];
  status: 'qualified' | 'skipped' | 'no-candidates' | 'failed';
  /** Why the run was skipped / produced no candidates / failed. */
  reason: string | null;
  strategies: number;
  analyzed: number;
  /** Strategies passing the run-level criteria. */
  passed: number;
  /** Candidates kept for the regime analysis (at most maxCandidates). */
  candidates: string[];
  /** Count of strategies rejected per criterion (first failing criterion only). */
  rejections: Record<string, number>;
  /** Where this run's analysis went (summary/, rankings, caches). */
  analysisDir: string | null;
}

/** One strategy x classifier combination (kept after the regime criteria). */
export interface CombinationRow {
  runId: string;
  strategy: string;
  classifier: string | null;
  /** Net Sharpe of the strategy gated to the regimes it would trade (see WorkflowSelection.score). */
  score: number | null;
  /** Net Sharpe over the whole run. */
  sharpeRatio: number | null;
  /** Net Sharpe per regime (bar t in regime state_{t-1}). */
  regimeSharpe: Record<string, number | null>;
}

/** A selected ensemble and its replay configuration. */
export interface WorkflowSelection {
  /** 'A', 'B', ... in rank order. */
  name: string;
  runId: string;
  runDir: string;
  symbol: string;
  classifier: string | null;
  /** Regimes the ensemble trades in (null: every regime). */
  tradedRegimes: string[] | null;
  /** Mean combination score of the ensemble's candidates (what selections are ranked by). */
  score: number | null;
  /** Member strategies (non-zero weight somewhere), best combination first. */
  strategies: string[];
  weights: EnsembleWeights;
  /** Regimes the optimizer skipped (they fall back to the global weights, or stay flat with targetRegimes). */
  skippedRegimes: Record<string, string>;
  /** In-sample figures of the replayed ensemble (dense path, with costs). */
  inSample: SelectionFigures;
  configPath: string;
  /** Replay outputs when autoExecuteReplay is on. */
  replay: { signalsPath: string | null; resultPath: string | null } | null;
}

/** The seed's WorkflowReport, written to <outDir>/workflow_report.json. */
export interface WorkflowReport {
  version: typeof WORKFLOW_REPORT_VERSION;
  conventions: string;
  workspace: string;
  outDir: string;
  createdAt: string;
  criteria: SelectionCriteria;
  costs: ExecutionCosts;
  scannedRuns: number;
  qualifiedRuns: number;
  runs: WorkflowRunEntry[];
  /** Best combinations (strategy x classifier) over the workspace, at most 50. */
  topCombinations: CombinationRow[];
  selections: WorkflowSelection[];
  /** Paths of the replay configurations, one per selection. */
  replayConfigurations: string[];
  /** Replay results (autoExecuteReplay), else null. */
  replayResults: ReplayResult[] | null;
  /** Plain-word recommendations. */
  recommendations: string[];
  /** Ensembles that could not be built (e.g. optimizer infeasible), with the reason. */
  rejectedEnsembles: { runId: string; classifier: string | null; reason: string }[];
  warnings: string[];
  elapsedMs: number;
}

/** Events of the workflow, for embedders: `workflow.on('analysis-ready', ...)`. */
export interface WorkflowEvents {
  progress: [ProgressEvent];
  'run-analyzed': [{ runId: string; analyzed: number; candidates: number }];
  'run-skipped': [{ runId: string; reason: string }];
  selection: [WorkflowSelection];
  'replay-done': [ReplayResult];
  'analysis-ready': [{ workspace: string; reportPath: string; report: WorkflowReport }];
  warning: [string];
}

/** What runAutomatedWorkflow returns. */
export interface WorkflowResult {
  report: WorkflowReport;
  reportPath: string;
}

const MAX_COMBINATION_ROWS = 50;

function abortError(): SweeplensError {
  return new SweeplensError('E_ABORTED', 'workflow cancelled; per-run analyses written so far are reused by the next run');
}

/** Runs the automated workflow over the runs of a workspace; typed events as it goes (WorkflowEvents). */
export class AutomatedWorkflow extends TypedEmitter<WorkflowEvents> {
  readonly criteria: SelectionCriteria;
  private readonly options: WorkflowOptions;

  /** Validates the criteria and options (InputError naming the field) without touching the disk. */
  constructor(options: WorkflowOptions) {
    super();
    if (!options || typeof options.outDir !== 'string' || options.outDir === '') throw new InputError('options.outDir is required (where the report and replay configurations go)', { field: 'options.outDir' });
    this.criteria = validateSelectionCriteria(options.criteria ?? {});
    this.options = options;
  }

  /** Scans, analyzes, selects, writes configurations (and replays); returns the report. */
  async run(workspaceDir: string): Promise<WorkflowResult> {
    const started = performance.now();
    const workspace = new Workspace(resolve(workspaceDir));
    const outDir = resolve(this.options.outDir);
    const criteria = this.criteria;
    const costs = defaultExecutionCosts(this.options.costs);
    const warnings: string[] = [];
    const warn = (message: string) => { warnings.push(message); this.emit('warning', message); };
    const progress = (phase: string, done: number, total: number) => this.emit('progress', { phase, done, total, elapsedMs: performance.now() - started });
    const checkAbort = () => { if (this.options.signal?.aborted) throw abortError(); };

    const entries = workspace.listRuns();
    const runs: WorkflowRunEntry[] = [];
    const units: CandidateUnit[] = [];
    const coordinator = new AnalyticsCoordinator();
    coordinator.on('warning', warn);
    for (const [i, entry] of entries.entries()) {
      checkAbort();
      progress('analyze', i, entries.length);
      const record: WorkflowRunEntry = {
        id: entry.id, dir: entry.dir, format: entry.format, status: 'skipped', reason: null, strategies: 0, analyzed: 0, passed: 0, candidates: [], rejections: {}, analysisDir: null,
      };
      runs.push(record);
      const skip = (reason: string) => { record.reason = reason; this.emit('run-skipped', { runId: entry.id, reason }); };
      if (entry.format === 'incomplete') { skip('incomplete run: traces without metadata.json (an interrupted write)'); continue; }
      if (entry.format === 'admf-pc' && !this.options.admf) { skip('ADMF-PC workspace: give its market bars (options.admf / --market) to analyze it'); continue; }
      try {
        const prefilter = prefilterRun(this.criteria, this.options, entry, costs);
        record.strategies = prefilter.strategies;
        if (prefilter.reason) { skip(prefilter.reason); continue; }
        const analysisDir = join(outDir, 'runs', entry.id);
        const analysis = await coordinator.analyzeRun(entry.dir, {
          costs, outDir: analysisDir, workers: this.options.workers ?? 0, useCache: this.options.useCache ?? true,
          ...(this.options.periodsPerYear !== undefined ? { periodsPerYear: this.options.periodsPerYear } : {}),
          ...(this.options.admf ? { admf: this.options.admf } : {}),
          ...(this.options.signal ? { signal: this.options.signal } : {}),
        });
        record.analysisDir = analysisDir;
        record.strategies = analysis.summary.strategies.total;
        record.analyzed = analysis.summary.strategies.analyzed;
        const passed: RankedStrategyRow[] = [];
        for (const row of analysis.rankings) {
          const reason = strategyRejection(row, criteria);
          if (reason === null) passed.push(row);
          else {
            const key = reason.split(' ').find((word) => /^(min|max)[A-Z]/.test(word)) ?? reason;
            record.rejections[key] = (record.rejections[key] ?? 0) + 1;
          }
        }
        record.passed = passed.length;
        const candidates = passed.slice(0, criteria.maxCandidates);
        record.candidates = candidates.map((row) => row.id);
        if (candidates.length === 0) {
          record.status = 'no-candidates';
          record.reason = `no strategy passed the criteria (${Object.entries(record.rejections).map(([k, n]) => `${n} failed ${k}`).join(', ') || 'no analyzed strategy'})`;
          this.emit('run-analyzed', { runId: entry.id, analyzed: record.analyzed, candidates: 0 });
          continue;
        }
        record.status = 'qualified';
        this.emit('run-analyzed', { runId: entry.id, analyzed: record.analyzed, candidates: candidates.length });
        const run = await openRun(entry.dir, this.options.admf);
        const bySymbol = new Map<string, RankedStrategyRow[]>();
        for (const row of candidates) bySymbol.set(row.symbol, [...(bySymbol.get(row.symbol) ?? []), row]);
        for (const [symbol, rows] of bySymbol) {
          const bars = await run.readMarketSeries(symbol);
          const periodsPerYear = analysis.summary.periodsPerYear[symbol]?.value ?? this.options.periodsPerYear!;
          const traces = [];
          for (const row of rows) {
            const trace = await run.readSignal(row.id);
            traces.push({ idx: trace.idx, signal: trace.signal });
          }
          const metricOptions = validateMetricOptions({ periodsPerYear, riskFreeRate: 0 });
          units.push({ entry: record, run, symbol, rows, periodsPerYear, net: denseNetReturns(bars, traces, costs, metricOptions, `${entry.dir} (${symbol} bars)`) });
        }
      } catch (error) {
        if (this.options.signal?.aborted) throw abortError();
        if (!(error instanceof SweeplensError)) throw error;
        record.status = 'failed';
        record.reason = error.message;
        warn(`run ${entry.id}: ${error.message}`);
      }
    }
    progress('analyze', entries.length, entries.length);

    // Strategy x classifier combinations, per unit; then one candidate ensemble per (unit, classifier).
    const groups: Group[] = [];
    const combinations: CombinationRow[] = [];
    for (const [u, unit] of units.entries()) {
      checkAbort();
      progress('regimes', u, units.length);
      groups.push(...(await unitGroups(this.criteria, unit, combinations, warn)));
    }
    progress('regimes', units.length, units.length);
    const byScore = (a: number | null, b: number | null) => (b ?? -Infinity) - (a ?? -Infinity);
    groups.sort((a, b) => byScore(a.score, b.score) || (a.unit.entry.id < b.unit.entry.id ? -1 : a.unit.entry.id > b.unit.entry.id ? 1 : 0));
    combinations.sort((a, b) => byScore(a.score, b.score));

    // Select: walk the groups best first, build ensembles until maxSelections succeed.
    const selections: WorkflowSelection[] = [];
    const rejectedEnsembles: WorkflowReport['rejectedEnsembles'] = [];
    const replayResults: ReplayResult[] = [];
    for (const group of groups) {
      if (selections.length >= criteria.maxSelections) break;
      checkAbort();
      progress('select', selections.length, criteria.maxSelections);
      const name = String.fromCharCode(65 + (selections.length % 26)) + (selections.length >= 26 ? String(Math.floor(selections.length / 26)) : '');
      try {
        const built = await buildSelection(this.criteria, this.options, group, name, costs, outDir);
        selections.push(built.selection);
        if (built.replay) {
          replayResults.push(built.replay);
          this.emit('replay-done', built.replay);
        }
        this.emit('selection', built.selection);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        rejectedEnsembles.push({ runId: group.unit.entry.id, classifier: group.classifier, reason: error.message });
      }
    }
    progress('select', selections.length, criteria.maxSelections);

    const recommendations = selections.map((s) => describeSelection(s, criteria));
    if (selections.length === 0) recommendations.push(...noSelectionAdvice(runs, rejectedEnsembles, criteria));
    const report: WorkflowReport = {
      version: WORKFLOW_REPORT_VERSION, conventions: CONVENTIONS_VERSION, workspace: workspace.dir, outDir, createdAt: new Date().toISOString(),
      criteria, costs, scannedRuns: entries.length, qualifiedRuns: runs.filter((r) => r.status === 'qualified').length, runs,
      topCombinations: combinations.slice(0, MAX_COMBINATION_ROWS), selections, replayConfigurations: selections.map((s) => s.configPath),
      replayResults: criteria.autoExecuteReplay ? replayResults : null, recommendations, rejectedEnsembles, warnings, elapsedMs: 0,
    };
    report.elapsedMs = performance.now() - started;
    const reportPath = join(outDir, 'workflow_report.json');
    writeJsonAtomic(reportPath, report);
    this.emit('analysis-ready', { workspace: workspace.dir, reportPath, report });
    return { report, reportPath };
  }
}

/** Runs the automated workflow once (see AutomatedWorkflow). */
export function runAutomatedWorkflow(workspaceDir: string, options: WorkflowOptions): Promise<WorkflowResult> {
  return new AutomatedWorkflow(options).run(workspaceDir);
}
