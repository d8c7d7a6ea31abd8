// Run-level ensemble weights: the correlation-filtered top strategies, optimized globally and per
// regime of one classifier.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { optimizeByRegime, type PortfolioObjective, type ReturnMatrixEnsembleOptions } from '../analytics/ensemble.ts';
import { regimeOfReturnBars } from '../analytics/regimeStats.ts';
import type { ReturnMatrix } from '../analytics/returnMatrix.ts';
import { seriesMetrics } from '../analytics/seriesMetrics.ts';
import { InputError } from '../errors.ts';
import { writeJsonAtomic } from '../io/atomicWrite.ts';
import { RUN_LAYOUT } from '../io/layout.ts';
import type { RegimeTrace } from '../types.ts';
import { REGIME_OUTPUTS_VERSION, type EnsembleEntry, type OptimalWeightsFile, type RegimeEnsembleOutput, type RegimeSummaryFile } from './outputs.ts';
import { correlateRun, type CorrelateOptions, type CorrelationRunResult } from './correlate.ts';
import { analyzeRegimes } from './regimes.ts';
import { DEFAULT_CORRELATION_TOP, checkCount, type LoadedStrategies, loadTop, denseReturnMatrix } from './runContext.ts';

/** Options of optimizeRun. */
export interface OptimizeRunOptions extends CorrelateOptions {
  /** Classifier of the per-regime ensembles; default the best-separating one (regime_summary.json, computed when missing). */
  classifier?: string;
  /** 'max-sharpe' (default) or 'min-variance'. */
  objective?: PortfolioObjective;
  /** Bounds of each held weight, fractions; defaults 0 and 1. */
  minWeight?: number;
  maxWeight?: number;
  /** At most this many strategies with a non-zero weight; default no limit. */
  maxStrategies?: number;
}

/** What optimizeRun returns. */
export interface OptimizeRunResult {
  file: OptimalWeightsFile;
  path: string;
  correlation: CorrelationRunResult;
}

/** How the optimizer's inputs are estimated (written into the file). */
export const RUN_ENSEMBLE_ESTIMATORS = 'members: dense per-bar NET returns (costs included); mu = mean x P, Sigma = sample covariance (ddof 1) x P, '
  + 'per regime over the bars whose regime state_{t-1} is the regime; in-sample metrics: seriesMetrics of sum_i w_i R_i,t (no rebalancing cost)';

function ensembleSeries(matrix: ReturnMatrix, weights: Float64Array, rows: number[] | null): Float64Array {
  const n = matrix.names.length;
  const picked = rows ?? Array.from({ length: matrix.bars }, (_, t) => t);
  const out = new Float64Array(picked.length);
  for (let j = 0; j < n; j++) {
    const w = weights[j]!;
    if (w === 0) continue;
    const offset = j * matrix.bars;
    picked.forEach((t, i) => { out[i]! += w * matrix.values[offset + t]!; });
  }
  return out;
}

function weightRecord(names: readonly string[], weights: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((name, i) => { out[name] = weights[i]!; });
  return out;
}

/**
 * Ensemble weights of the run: the top strategies of the rankings, filtered for correlation
 * (correlateRun, also written), optimized on their dense NET return series globally and per regime
 * of one classifier (optimizeByRegime) -> analytics/optimal_weights.json. Each ensemble carries
 * in-sample metrics of its net return series sum_i w_i R_i,t over the bars it was fitted on; the
 * regime-switching ensemble applies at bar t the weights of regime state_{t-1}.
 */
export async function optimizeRun(runDir: string, options: OptimizeRunOptions = {}): Promise<OptimizeRunResult> {
  const correlation = await correlateRun(runDir, options);
  const top = checkCount('top', options.top ?? DEFAULT_CORRELATION_TOP, 1);
  const loaded = await loadTop(runDir, options, top);
  const keptIds = correlation.file.filter.kept;
  const keptSet = new Set(keptIds);
  const selected: LoadedStrategies = {
    ...loaded, ids: loaded.ids.filter((id) => keptSet.has(id)), traces: loaded.traces.filter((_, i) => keptSet.has(loaded.ids[i]!)),
  };
  const matrix = await denseReturnMatrix(selected, loaded.ctx.costs, 'net');
  const { run, outDir } = loaded.ctx;

  // The classifier: given, or the best-separating one.
  let classifier: string | null = options.classifier ?? null;
  let classifierSource: OptimalWeightsFile['classifierSource'] = classifier ? 'given' : 'none';
  if (!classifier && run.classifierIds().length > 0) {
    const summaryPath = join(outDir, RUN_LAYOUT.summary, 'regime_summary.json');
    const summary = existsSync(summaryPath)
      ? JSON.parse(readFileSync(summaryPath, 'utf8')) as RegimeSummaryFile
      : (await analyzeRegimes(runDir, options)).summary;
    classifier = summary.bestClassifier ?? summary.separation[0]?.classifier ?? null;
    classifierSource = classifier ? 'best-separating' : 'none';
  }
  let regimeTrace: RegimeTrace | null = null;
  if (classifier) {
    if (!run.classifierIds().includes(classifier)) throw new InputError(`options.classifier: no classifier '${classifier}' in ${run.dir} (classifiers: ${run.classifierIds().join(', ')})`);
    regimeTrace = await run.readRegimes(classifier);
  }
  const regimeOfBar = regimeTrace ? regimeOfReturnBars(regimeTrace, matrix.bars) : new Int32Array(matrix.bars).fill(-1);
  const ensembleOptions: ReturnMatrixEnsembleOptions & { labels?: readonly string[] } = {
    objective: options.objective ?? 'max-sharpe', minWeight: options.minWeight ?? 0, maxWeight: options.maxWeight ?? 1,
    riskFreeRate: selected.ctx.riskFreeRate, periodsPerYear: selected.metricOptions.periodsPerYear,
  };
  if (options.maxStrategies !== undefined) ensembleOptions.maxStrategies = options.maxStrategies;
  if (regimeTrace) ensembleOptions.labels = regimeTrace.labels;
  const result = optimizeByRegime(matrix, regimeOfBar, ensembleOptions);
  const metricOptions = selected.metricOptions;
  const entry = (fit: NonNullable<(typeof result.regimes)[string]['result']>, rows: number[] | null, bars: number): EnsembleEntry => ({
    bars, weights: weightRecord(fit.names, fit.weights),
    expected: { annualizedReturn: fit.annualizedReturn, volatility: fit.volatility, sharpeRatio: fit.sharpeRatio },
    converged: fit.converged, iterations: fit.iterations, inSample: seriesMetrics(ensembleSeries(matrix, fit.weights, rows), metricOptions),
  });
  const regimes: Record<string, RegimeEnsembleOutput> = {};
  const weightsByCode = new Map<number, Float64Array>();
  for (const [label, fit] of Object.entries(result.regimes)) {
    const code = regimeTrace ? regimeTrace.labels.indexOf(label) : -1;
    const rows: number[] = [];
    for (let t = 0; t < matrix.bars; t++) if (regimeOfBar[t] === code) rows.push(t);
    if (fit.result) {
      regimes[label] = entry(fit.result, rows, fit.bars);
      weightsByCode.set(code, fit.result.weights);
    } else {
      regimes[label] = { bars: fit.bars, skippedReason: fit.skippedReason ?? 'skipped' };
    }
  }
  let switching: OptimalWeightsFile['switching'] = null;
  if (regimeTrace) {
    const series = new Float64Array(matrix.bars);
    const nStrategies = matrix.names.length;
    for (let t = 0; t < matrix.bars; t++) {
      const w = weightsByCode.get(regimeOfBar[t]!) ?? result.global.weights;
      let sum = 0;
      for (let j = 0; j < nStrategies; j++) sum += w[j]! * matrix.values[j * matrix.bars + t]!;
      series[t] = sum;
    }
    switching = { inSample: seriesMetrics(series, metricOptions) };
  }
  const file: OptimalWeightsFile = {
    version: REGIME_OUTPUTS_VERSION, runId: run.metadata.runId, generatedAt: new Date().toISOString(), classifier, classifierSource,
    objective: ensembleOptions.objective!, constraints: { minWeight: ensembleOptions.minWeight!, maxWeight: ensembleOptions.maxWeight!, maxStrategies: options.maxStrategies ?? null },
    riskFreeRate: ensembleOptions.riskFreeRate!, periodsPerYear: metricOptions.periodsPerYear, estimators: RUN_ENSEMBLE_ESTIMATORS,
    selection: { rankBy: correlation.file.rankBy, top: correlation.file.top, maxCorrelation: correlation.file.filter.maxCorrelation, strategies: [...matrix.names] },
    global: entry(result.global, null, matrix.bars), regimes, switching,
  };
  const path = join(outDir, RUN_LAYOUT.analytics, 'optimal_weights.json');
  writeJsonAtomic(path, file);
  return { file, path, correlation };
}
