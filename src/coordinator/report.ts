// buildReport: the self-contained HTML dashboard of an analyzed run. Reads the analysis outputs,
// prices the top strategies' traces (and the ensembles' members) once more only to draw their
// equity and underwater curves, lays everything out (src/report/) and writes one HTML file.
import { resolve } from 'node:path';
import { denseStrategyMetrics } from '../analytics/denseMetrics.ts';
import { validateMetricOptions } from '../analytics/metricOptions.ts';
import { InputError } from '../errors.ts';
import { writeFileAtomic } from '../io/atomicWrite.ts';
import type { AdmfOpenOptions } from '../io/admf.ts';
import type { RunHandle } from '../io/runHandle.ts';
import { openRun } from '../io/workspace.ts';
import { drawdownSeries, equityCurve } from '../kernels/drawdown.ts';
import { instantiateKernels } from '../kernels/runtime.ts';
import { buildDenseMarket } from '../market/denseMarket.ts';
import { comparisonSection, strategyHover } from '../report/comparisonCharts.ts';
import { correlationSection } from '../report/correlationCharts.ts';
import { curveSection, type CurvePair, type ReportCurve } from '../report/curveCharts.ts';
import { DEFAULT_MAX_CURVE_POINTS, downsampleCurve } from '../report/downsample.ts';
import { ensembleSection } from '../report/ensembleCharts.ts';
import { headerSection, overfittingSection } from '../report/headerSection.ts';
import { hasAnalysis, loadReportInputs, MissingAnalysisError, REPORT_INPUT_FILES, type ReportInputs } from '../report/inputs.ts';
import type { ReportModel, ReportSection } from '../report/model.ts';
import { patternSection } from '../report/patternCharts.ts';
import { regimeSection } from '../report/regimeCharts.ts';
import { sensitivitySection } from '../report/sensitivityCharts.ts';
import { strategyTable } from '../report/strategyTable.ts';
import { renderReportHtml } from '../report/template.ts';
import type { ExecutionCosts } from '../types.ts';
import { analyzeRun, type AnalyzeOptions } from './analyze.ts';
import type { OptimalWeightsFile } from './outputs.ts';

/** Default number of top strategies drawn individually. */
export const DEFAULT_REPORT_TOP = 10;

/** The commands that compute each optional output (named in the placeholders). */
export const REPORT_SOURCE_COMMANDS = {
  analyze: 'sweeplens analyze',
  regimes: 'sweeplens regimes',
  correlation: 'sweeplens correlate',
  weights: 'sweeplens optimize',
  replay: 'sweeplens walkforward',
  overfitting: 'sweeplens overfit',
  patterns: 'sweeplens mine',
} as const;

/** Options of buildReport (every field optional). */
export interface ReportOptions {
  /** Output HTML file; default `<outputs dir>/report.html`. */
  out?: string;
  /** Strategies drawn individually (Sharpe and drawdown bars, curves, regime rows); default 10. */
  top?: number;
  /**
   * Run the analysis first when the run has none (`true`, or the AnalyzeOptions to run it with);
   * default false: a run without analysis is a MissingAnalysisError.
   */
  analyze?: boolean | AnalyzeOptions;
  /** Classifier of the regime section; default the best separating one (summary/regime_summary.json), else the first. */
  classifier?: string;
  /** Directory holding the analysis outputs; default the run directory. */
  outputsDir?: string;
  /** How to read an ADMF-PC workspace in place. */
  admf?: AdmfOpenOptions;
  /** Upper bound on points per plotted curve (min/max-preserving downsampling); default 2,000. */
  maxCurvePoints?: number;
}

/** What buildReport wrote. */
export interface ReportResult {
  path: string;
  /** File size, bytes. */
  bytes: number;
  elapsedMs: number;
  /** True when the analysis was run first (--analyze on a run without one). */
  analyzed: boolean;
  /** Each section and whether it has content or shows a placeholder. */
  sections: { id: string; title: string; figures: number; placeholder: string | null }[];
  warnings: string[];
}

interface PricedSeries {
  tsMs: Float64Array;
  net: Float64Array;
  gross: Float64Array;
}

function curvePair(tsMs: Float64Array, returns: Float64Array, maxPoints: number): CurvePair {
  const equity = equityCurve(returns);
  const { drawdown } = drawdownSeries(returns);
  const underwater = new Float64Array(drawdown.length);
  for (let i = 0; i < drawdown.length; i++) underwater[i] = -drawdown[i]! * 100;
  return { equity: downsampleCurve(tsMs, equity, maxPoints), underwater: downsampleCurve(tsMs, underwater, maxPoints) };
}

/**
 * Dense net and gross per-bar returns of `ids`, grouped by symbol: the traces are read, priced with
 * the analysis's cost model (denseStrategyMetrics) and the series copied out of kernel memory.
 * `visit` gets each strategy's series and may keep it; failures are reported, not thrown.
 */
async function priceStrategies(
  run: RunHandle, inputs: ReportInputs, ids: string[], costs: ExecutionCosts, visit: (id: string, series: PricedSeries, symbol: string) => void, warnings: string[],
): Promise<void> {
  const bySymbol = new Map<string, string[]>();
  for (const id of ids) {
    try {
      const symbol = run.signalLocator(id).symbol;
      bySymbol.set(symbol, [...(bySymbol.get(symbol) ?? []), id]);
    } catch (error) {
      warnings.push(`curves: ${id}: ${(error as Error).message}`);
    }
  }
  for (const [symbol, symbolIds] of bySymbol) {
    const bars = await run.readMarketSeries(symbol);
    const traces = new Map<string, Awaited<ReturnType<RunHandle['readSignal']>>>();
    for (const id of symbolIds) {
      try {
        traces.set(id, await run.readSignal(id));
      } catch (error) {
        warnings.push(`curves: ${id}: ${(error as Error).message}`);
      }
    }
    const periodsPerYear = inputs.summary.periodsPerYear[symbol]?.value;
    if (periodsPerYear === undefined) {
      warnings.push(`curves: symbol ${symbol} has no annualization in the summary; its strategies are not drawn`);
      continue;
    }
    const options = validateMetricOptions({ periodsPerYear, riskFreeRate: inputs.summary.riskFreeRate });
    const instance = instantiateKernels();
    const mark = instance.arena.mark();
    try {
      const market = buildDenseMarket(bars, costs, `${run.dir} (${symbol} bars)`, instance);
      for (const [id, trace] of traces) {
        let series: PricedSeries | undefined;
        try {
          denseStrategyMetrics(market, trace, costs, options, (dense) => {
            series = { tsMs: bars.tsMs, net: dense.net.slice(), gross: dense.gross.slice() };
          });
        } catch (error) {
          warnings.push(`curves: ${id}: ${(error as Error).message}`);
        }
        if (series) visit(id, series, symbol);
      }
    } finally {
      instance.arena.release(mark);
    }
  }
}

/** Forward-filled regime label index of each bar's return (state at t − 1; −1 without one), per the timing rule. */
async function returnRegimeLabels(run: RunHandle, classifier: string, barCount: number): Promise<{ regimes: Int32Array; labels: string[] }> {
  const trace = await run.readRegimes(classifier);
  const state = new Int32Array(barCount).fill(-1);
  for (let row = 0; row < trace.idx.length; row++) {
    const end = row + 1 < trace.idx.length ? Math.min(barCount, trace.idx[row + 1]!) : barCount;
    state.fill(trace.state[row]!, Math.max(0, trace.idx[row]!), Math.max(0, end));
  }
  const regimes = new Int32Array(barCount).fill(-1);
  for (let t = 1; t < barCount; t++) regimes[t] = state[t - 1]!;
  return { regimes, labels: trace.labels };
}

/** Equity/underwater curves of the top strategies and of the global and regime-switching ensembles. */
async function buildCurves(
  run: RunHandle, inputs: ReportInputs, top: string[], maxPoints: number, warnings: string[], regimeWeights: SwitchingWeights | undefined,
): Promise<{ curves: ReportCurve[]; notes: string[] }> {
  const weights = inputs.weights;
  const rowById = new Map(inputs.rankings.map((r) => [r.id, r]));
  const members = weights ? Object.keys(weights.global.weights) : [];
  const curves: ReportCurve[] = [];
  const notes: string[] = [];
  const ensemble = weights && members.length > 0 ? { global: undefined as PricedSeries | undefined, switching: undefined as PricedSeries | undefined, symbols: new Set<string>(), seen: 0 } : undefined;
  await priceStrategies(run, inputs, [...new Set([...top, ...members])], inputs.summary.costs, (id, series, symbol) => {
    const row = rowById.get(id);
    if (top.includes(id)) {
      curves.push({
        id, label: `#${row?.rank ?? '?'} ${id}`, hover: row ? strategyHover(row) : id, kind: 'strategy',
        net: curvePair(series.tsMs, series.net, maxPoints), gross: curvePair(series.tsMs, series.gross, maxPoints),
      });
    }
    if (!ensemble || !weights || weights.global.weights[id] === undefined) return;
    ensemble.symbols.add(symbol);
    ensemble.seen++;
    const n = series.net.length;
    ensemble.global ??= { tsMs: series.tsMs, net: new Float64Array(n), gross: new Float64Array(n) };
    const w = weights.global.weights[id]!;
    for (let t = 0; t < n; t++) {
      ensemble.global.net[t]! += w * series.net[t]!;
      ensemble.global.gross[t]! += w * series.gross[t]!;
    }
    if (regimeWeights) {
      ensemble.switching ??= { tsMs: series.tsMs, net: new Float64Array(n), gross: new Float64Array(n) };
      for (let t = 0; t < n; t++) {
        const code = regimeWeights.regimes[t]!;
        const entry = code >= 0 ? regimeWeights.perLabel[code] : null;
        const wt = (entry ?? weights.global.weights)[id] ?? 0;
        ensemble.switching.net[t]! += wt * series.net[t]!;
        ensemble.switching.gross[t]! += wt * series.gross[t]!;
      }
    }
  }, warnings).catch((error: unknown) => {
    warnings.push(`curves: ${(error as Error).message}`);
  });
  // Curves come back grouped by symbol: restore rank order.
  curves.sort((a, b) => top.indexOf(a.id) - top.indexOf(b.id));
  if (ensemble && weights) {
    if (ensemble.symbols.size > 1) notes.push('The ensemble members trade different symbols, so no ensemble curve is drawn.');
    else if (ensemble.seen < members.length) notes.push(`Ensemble curves skipped: ${members.length - ensemble.seen} member traces could not be priced.`);
    else if (ensemble.global) {
      curves.push({
        id: 'ensemble-global', label: 'ensemble (global weights)', kind: 'ensemble', hover: `global ${weights.objective} ensemble of ${members.length} strategies`,
        net: curvePair(ensemble.global.tsMs, ensemble.global.net, maxPoints), gross: curvePair(ensemble.global.tsMs, ensemble.global.gross, maxPoints),
      });
      if (ensemble.switching) {
        curves.push({
          id: 'ensemble-switching', label: `ensemble (switching on ${weights.classifier})`, kind: 'ensemble', hover: `regime-switching ensemble: bar t uses the weights of the regime at t − 1 (${weights.classifier})`,
          net: curvePair(ensemble.switching.tsMs, ensemble.switching.net, maxPoints), gross: curvePair(ensemble.switching.tsMs, ensemble.switching.gross, maxPoints),
        });
      }
      notes.push('Ensemble curves apply the weights of analytics/optimal_weights.json to the members\' per-bar returns (no rebalancing cost, as in its in-sample figures).');
    }
  }
  return { curves, notes };
}

/** Per-bar regime codes of the returns and the weights of each regime label (null: the global weights apply). */
interface SwitchingWeights {
  regimes: Int32Array;
  perLabel: (Record<string, number> | null)[];
}

/** Regime-switching ensemble weights per bar, when the weights file has per-regime entries and the classifier can be read. */
async function switchingWeights(run: RunHandle, weights: OptimalWeightsFile, barCount: number): Promise<SwitchingWeights | undefined> {
  if (!weights.classifier || Object.keys(weights.regimes).length === 0) return undefined;
  const { regimes, labels } = await returnRegimeLabels(run, weights.classifier, barCount);
  const perLabel = labels.map((label) => {
    const entry = weights.regimes[label];
    return entry && 'weights' in entry ? entry.weights : null;
  });
  return { regimes, perLabel };
}

function checkTop(top: number | undefined): number {
  const value = top ?? DEFAULT_REPORT_TOP;
  if (!Number.isInteger(value) || value < 1) throw new InputError(`options.top must be a positive integer, got ${top}`);
  return value;
}

/**
 * Builds the HTML dashboard of an analyzed run and writes it atomically (see ReportOptions). The
 * page is built from the analysis outputs; only the curves are priced again from the traces.
 * MissingAnalysisError when the run has no analysis and `analyze` is not set.
 */
export async function buildReport(runDir: string, options: ReportOptions = {}): Promise<ReportResult> {
  const started = performance.now();
  const top = checkTop(options.top);
  const maxPoints = options.maxCurvePoints ?? DEFAULT_MAX_CURVE_POINTS;
  if (!Number.isInteger(maxPoints) || maxPoints < 4) throw new InputError(`options.maxCurvePoints must be an integer >= 4, got ${options.maxCurvePoints}`);
  const dir = resolve(runDir);
  const outputsDir = resolve(options.outputsDir ?? dir);
  let analyzed = false;
  if (!hasAnalysis(outputsDir)) {
    if (!options.analyze) throw new MissingAnalysisError(runDir, resolve(outputsDir, REPORT_INPUT_FILES.summary));
    const analyzeOptions: AnalyzeOptions = options.analyze === true ? {} : { ...options.analyze };
    if (options.admf) analyzeOptions.admf = options.admf;
    if (options.outputsDir) analyzeOptions.outDir = outputsDir;
    await analyzeRun(dir, analyzeOptions);
    analyzed = true;
  }
  const run = await openRun(dir, options.admf);
  const inputs = loadReportInputs(runDir, outputsDir, run.classifierIds());
  if (options.classifier !== undefined && !run.classifierIds().includes(options.classifier)) {
    throw new InputError(`options.classifier: the run has no classifier '${options.classifier}' (it has ${run.classifierIds().length}: ${run.classifierIds().slice(0, 5).join(', ')}${run.classifierIds().length > 5 ? ', ...' : ''})`);
  }
  const warnings: string[] = [];
  const topRows = inputs.rankings.slice(0, top);
  const topIds = topRows.map((r) => r.id);

  let switching: SwitchingWeights | undefined;
  if (inputs.weights) {
    const members = Object.keys(inputs.weights.global.weights);
    const symbol = members.length > 0 ? run.signalLocator(members[0]!).symbol : undefined;
    const barCount = symbol !== undefined ? inputs.summary.barCounts[symbol] : undefined;
    if (barCount !== undefined) switching = await switchingWeights(run, inputs.weights, barCount).catch((error: unknown) => {
      warnings.push(`regime-switching ensemble curve: ${(error as Error).message}`);
      return undefined;
    });
  }
  const { curves, notes } = await buildCurves(run, inputs, topIds, maxPoints, warnings, switching);

  const available = (['regimeSummary', 'regimePerformance', 'correlation', 'weights', 'overfitting', 'walkForward', 'replay', 'patterns'] as const)
    .filter((key) => inputs[key] !== null).map((key) => REPORT_INPUT_FILES[key]);
  const deflated = new Map((inputs.overfitting?.strategies ?? []).map((s) => [s.id, { dsr: s.deflatedSharpe, psr: s.probabilisticSharpe }]));
  const sections: ReportSection[] = [
    headerSection(inputs.summary, available, warnings),
    comparisonSection(inputs.rankings, topRows, inputs.summary.distributions),
    sensitivitySection(inputs.rankings),
    curveSection(curves, notes),
    regimeSection({
      runDir, classifierIds: run.classifierIds(), classifier: options.classifier, regimeSummary: inputs.regimeSummary, regimePerformance: inputs.regimePerformance,
      classifierStats: inputs.classifierStats, top: Math.max(top, 20), command: REPORT_SOURCE_COMMANDS.regimes,
    }),
    correlationSection(inputs.correlation, runDir, REPORT_SOURCE_COMMANDS.correlation),
    ensembleSection(inputs.weights, inputs.walkForward, inputs.replay, runDir, { weights: REPORT_SOURCE_COMMANDS.weights, replay: REPORT_SOURCE_COMMANDS.replay }),
    overfittingSection(inputs.overfitting, runDir, REPORT_SOURCE_COMMANDS.overfitting),
    patternSection(inputs.patterns, runDir, REPORT_SOURCE_COMMANDS.patterns),
  ];
  const model: ReportModel = {
    title: `sweeplens report: ${inputs.summary.runId}`,
    generatedAt: new Date().toISOString(),
    sections,
    table: strategyTable(inputs.rankings, deflated),
  };
  const html = renderReportHtml(model);
  const path = resolve(options.out ?? resolve(outputsDir, 'report.html'));
  writeFileAtomic(path, html);
  return {
    path,
    bytes: Buffer.byteLength(html, 'utf8'),
    elapsedMs: performance.now() - started,
    analyzed,
    sections: sections.map((s) => ({ id: s.id, title: s.title, figures: s.figures.length, placeholder: s.placeholder ?? null })),
    warnings,
  };
}
