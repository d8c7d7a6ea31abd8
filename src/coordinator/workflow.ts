// AutomatedWorkflow (the seed's AutomatedAnalyticsWorkflow): scan every run of a workspace, analyze
// the qualifying ones (cached), score strategy x classifier combinations by regime, filter by
// correlation, select ensembles, optimize per-regime weights, write one replay configuration per
// selection, optionally replay them, and write a WorkflowReport with plain-word recommendations.
import { join, resolve } from 'node:path';
import { correlationMatrix, correlationFilter } from '../analytics/correlation.ts';
import { optimizeByRegime, type RegimeEnsembleResult } from '../analytics/ensemble.ts';
import { defaultExecutionCosts, validateMetricOptions } from '../analytics/metricOptions.ts';
import { denseNetReturns, forwardFillStates, returnRegimes, returnsByRegime, type EnsembleWeights } from '../analytics/replay.ts';
import { returnMatrixFromColumns } from '../analytics/returnMatrix.ts';
import { seriesMetrics } from '../analytics/seriesMetrics.ts';
import {
  regimeRejection, strategyRejection, validateSelectionCriteria, type SelectionCriteria, type SelectionCriteriaInput,
} from '../analytics/selection.ts';
import { CONVENTIONS_VERSION } from '../constants.ts';
import { InputError, SweeplensError } from '../errors.ts';
import type { AdmfOpenOptions } from '../io/admf.ts';
import { writeJsonAtomic } from '../io/atomicWrite.ts';
import type { RunHandle } from '../io/runHandle.ts';
import { openRun, scanRun, Workspace, type RunEntry } from '../io/workspace.ts';
import type { ExecutionCosts } from '../types.ts';
import { AnalyticsCoordinator } from './analyze.ts';
import { TypedEmitter, type ProgressEvent } from './events.ts';
import type { RankedStrategyRow } from './rankings.ts';
import { REPLAY_CONFIG_VERSION, replayEnsemble, type ReplayResult, type SignalReplayConfig } from './replay.ts';
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

/** One (run, symbol) whose candidates go on to the regime analysis. */
interface CandidateUnit {
  entry: WorkflowRunEntry;
  run: RunHandle;
  symbol: string;
  rows: RankedStrategyRow[];
  periodsPerYear: number;
  net: Float64Array[];
}

/** One (unit, classifier) group: the ensemble it would make. */
interface Group {
  unit: CandidateUnit;
  classifier: string | null;
  labels: string[];
  regimeOfReturn: Int32Array | null;
  /** Candidate indices into unit.rows, best combination first, after the correlation filter. */
  kept: number[];
  scores: Map<number, number | null>;
  score: number | null;
}

const MAX_COMBINATION_ROWS = 50;
const WEIGHT_EPSILON = 1e-12;

function abortError(): SweeplensError {
  return new SweeplensError('E_ABORTED', 'workflow cancelled; per-run analyses written so far are reused by the next run');
}

function sameCosts(a: ExecutionCosts, b: ExecutionCosts): boolean {
  return JSON.stringify(a) === JSON.stringify(defaultExecutionCosts(b));
}

/** Sharpe (annualized, ddof 1) of a full-length series (seriesMetrics' definition); null when undefined. */
function seriesSharpe(values: Float64Array, periodsPerYear: number): number | null {
  return seriesMetrics(values, { periodsPerYear }).sharpeRatio;
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
        const prefilter = this.prefilter(entry, costs);
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
          const bars = await run.readBars(symbol);
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
      groups.push(...(await this.unitGroups(unit, combinations, warn)));
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
        const built = await this.buildSelection(group, name, costs, outDir);
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

  /** Footers-only check before analyzing: strategies present; best cached Sharpe (same costs) vs minSharpe. */
  private prefilter(entry: RunEntry, costs: ExecutionCosts): { strategies: number; reason: string | null } {
    const scan = scanRun(entry.dir);
    const strategies = scan.strategies.length;
    if (strategies === 0) return { strategies, reason: 'no strategies' };
    const minSharpe = this.criteria.minSharpe;
    if (minSharpe === null) return { strategies, reason: null };
    let best = -Infinity;
    for (const info of scan.strategies) {
      const cached = info.metrics;
      const value = cached?.values.sharpeRatio;
      const comparable = cached && cached.conventions === CONVENTIONS_VERSION && sameCosts(costs, cached.costs)
        && (this.options.periodsPerYear === undefined || this.options.periodsPerYear === cached.periodsPerYear);
      if (!comparable) return { strategies, reason: null };
      if (typeof value === 'number' && value > best) best = value;
    }
    return { strategies, reason: best < minSharpe ? `best cached net Sharpe ${best === -Infinity ? 'n/a' : best.toFixed(3)} < minSharpe ${minSharpe} (footers only; not analyzed)` : null };
  }

  /** The (unit, classifier) groups of one unit, and its combination rows. */
  private async unitGroups(unit: CandidateUnit, combinations: CombinationRow[], warn: (message: string) => void): Promise<Group[]> {
    const criteria = this.criteria;
    const { run, rows, net, periodsPerYear } = unit;
    const matrix = returnMatrixFromColumns(rows.map((r) => r.id), net);
    const corr = correlationMatrix(matrix);
    const classifiers = criteria.classifier !== null ? [criteria.classifier] : run.classifierIds();
    if (criteria.classifier !== null && !run.classifierIds().includes(criteria.classifier)) {
      warn(`run ${unit.entry.id}: no classifier '${criteria.classifier}' (criteria.classifier); run skipped`);
      return [];
    }
    const needsRegimes = criteria.requiredRegimes.length > 0 || criteria.targetRegimes !== null || Object.keys(criteria.minRegimePerformance).length > 0;
    const options: (string | null)[] = classifiers.length > 0 ? classifiers : needsRegimes ? [] : [null];
    const groups: Group[] = [];
    for (const classifier of options) {
      let labels: string[] = [];
      let regimeOfReturn: Int32Array | null = null;
      if (classifier !== null) {
        if (run.regimeLocator(classifier).symbol !== unit.symbol) continue;
        const trace = await run.readRegimes(classifier);
        labels = trace.labels;
        const wanted = [...criteria.requiredRegimes, ...(criteria.targetRegimes ?? [])];
        if (wanted.some((label) => !labels.includes(label))) continue;
        regimeOfReturn = returnRegimes(forwardFillStates(trace, net[0]!.length));
      }
      const scores = new Map<number, number | null>();
      const eligible: number[] = [];
      rows.forEach((row, j) => {
        const series = net[j]!;
        const perRegime = regimeOfReturn ? returnsByRegime(series, regimeOfReturn, labels, periodsPerYear) : {};
        const regimeSharpe: Record<string, number | null> = {};
        for (const [label, stats] of Object.entries(perRegime)) regimeSharpe[label] = stats.sharpeRatio;
        if (regimeRejection(regimeSharpe, criteria) !== null) return;
        // Score: net Sharpe of the strategy traded only in the regimes it would trade (the target
        // regimes, else those where its in-sample regime Sharpe is > 0), flat elsewhere.
        let score = row.sharpeRatio;
        if (regimeOfReturn) {
          const traded = new Set((criteria.targetRegimes ?? labels.filter((l) => (regimeSharpe[l] ?? 0) > 0)).map((l) => labels.indexOf(l)));
          const gated = series.map((value, t) => (traded.has(regimeOfReturn![t]!) ? value : 0));
          score = seriesSharpe(gated, periodsPerYear);
        }
        scores.set(j, score);
        eligible.push(j);
        combinations.push({ runId: unit.entry.id, strategy: row.id, classifier, score, sharpeRatio: row.sharpeRatio, regimeSharpe });
      });
      if (eligible.length === 0) continue;
      eligible.sort((a, b) => (scores.get(b) ?? -Infinity) - (scores.get(a) ?? -Infinity) || a - b);
      const keptIds = correlationFilter(eligible.map((j) => rows[j]!.id), corr, criteria.maxCorrelation);
      const kept = keptIds.map((id) => rows.findIndex((r) => r.id === id));
      const top = kept.slice(0, criteria.optimizer.maxStrategies).map((j) => scores.get(j)).filter((s): s is number => typeof s === 'number');
      const score = top.length > 0 ? top.reduce((a, b) => a + b, 0) / top.length : null;
      groups.push({ unit, classifier, labels, regimeOfReturn, kept, scores, score });
    }
    return groups;
  }

  /** Optimizes one group's weights, writes its replay configuration, evaluates (or executes) the replay. */
  private async buildSelection(group: Group, name: string, costs: ExecutionCosts, outDir: string): Promise<{ selection: WorkflowSelection; replay: ReplayResult | null }> {
    const criteria = this.criteria;
    const { unit, kept } = group;
    const o = criteria.optimizer;
    if (kept.length * o.maxWeight < 1 - 1e-12) {
      throw new InputError(`only ${kept.length} strategies left after the correlation filter; optimizer.maxWeight ${o.maxWeight} x ${kept.length} < 1`);
    }
    const ids = kept.map((j) => unit.rows[j]!.id);
    const matrix = returnMatrixFromColumns(ids, kept.map((j) => unit.net[j]!));
    const codes = group.regimeOfReturn ? Int32Array.from(group.regimeOfReturn) : new Int32Array(matrix.bars).fill(-1);
    if (criteria.targetRegimes) {
      const targets = new Set(criteria.targetRegimes.map((l) => group.labels.indexOf(l)));
      for (let t = 0; t < codes.length; t++) if (!targets.has(codes[t]!)) codes[t] = -1;
    }
    const optimizerOptions = { objective: o.objective, minWeight: o.minWeight, maxWeight: o.maxWeight, maxStrategies: o.maxStrategies, periodsPerYear: unit.periodsPerYear, labels: group.labels };
    const result: RegimeEnsembleResult = optimizeByRegime(matrix, codes, optimizerOptions);
    const toRecord = (weights: Float64Array): Record<string, number> => {
      const record: Record<string, number> = {};
      weights.forEach((w, i) => { if (w > WEIGHT_EPSILON) record[ids[i]!] = w; });
      return record;
    };
    const weights: EnsembleWeights = {};
    const globalWeights = toRecord(result.global.weights);
    const skippedRegimes: Record<string, string> = {};
    const regimeWeights: Record<string, Record<string, number>> = {};
    for (const [label, entry] of Object.entries(result.regimes)) {
      if (entry.result) regimeWeights[label] = toRecord(entry.result.weights);
      else {
        skippedRegimes[label] = entry.skippedReason ?? 'skipped';
        if (criteria.targetRegimes) regimeWeights[label] = globalWeights; // a target regime must trade: the (target-only) global weights
      }
    }
    if (!criteria.targetRegimes) weights.global = globalWeights;
    if (group.classifier !== null && Object.keys(regimeWeights).length > 0) weights.regimes = regimeWeights;
    const used = new Set<string>([...Object.keys(weights.global ?? {}), ...Object.values(weights.regimes ?? {}).flatMap((r) => Object.keys(r))]);
    const strategies = ids.filter((id) => used.has(id));
    const bars = matrix.bars;
    const tsMs = (await unit.run.readBars(unit.symbol)).tsMs;
    const config: SignalReplayConfig = {
      version: REPLAY_CONFIG_VERSION, name, runDir: unit.entry.dir,
      ...(unit.run.format === 'admf-pc' && this.options.admf ? { admf: this.options.admf } : {}),
      symbol: unit.symbol, strategies, ...(group.classifier !== null ? { classifier: group.classifier } : {}), weights, costs,
      periodsPerYear: unit.periodsPerYear, riskFreeRate: 0,
      fittedRange: { fromIdx: 0, toIdx: bars, firstTs: new Date(tsMs[0]!).toISOString(), lastTs: new Date(tsMs[bars - 1]!).toISOString() },
    };
    const configPath = join(outDir, 'replay_configs', `ensemble_${name}.json`);
    const execute = criteria.autoExecuteReplay;
    const replay = await replayEnsemble(config, execute ? { outDir: join(outDir, 'replays', `ensemble_${name}`) } : { write: false });
    writeJsonAtomic(configPath, config);
    const selection: WorkflowSelection = {
      name, runId: unit.entry.id, runDir: unit.entry.dir, symbol: unit.symbol, classifier: group.classifier,
      tradedRegimes: criteria.targetRegimes, score: group.score, strategies, weights, skippedRegimes,
      inSample: { metrics: replay.metrics, perRegime: replay.perRegime, bars, firstTs: config.fittedRange!.firstTs ?? null, lastTs: config.fittedRange!.lastTs ?? null },
      configPath, replay: execute ? { signalsPath: replay.signalsPath, resultPath: replay.resultPath } : null,
    };
    return { selection, replay: execute ? replay : null };
  }
}

/** Runs the automated workflow once (see AutomatedWorkflow). */
export function runAutomatedWorkflow(workspaceDir: string, options: WorkflowOptions): Promise<WorkflowResult> {
  return new AutomatedWorkflow(options).run(workspaceDir);
}
