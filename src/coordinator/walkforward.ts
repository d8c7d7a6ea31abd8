// walkForward: walk-forward validation of ensemble weights on an analyzed run. The bars are cut
// into windows + 1 consecutive segments; fold f fits long-only ensemble weights on segment f
// ('rolling') or segments 0..f ('anchored') and replays them, unchanged, on segment f + 1. With a
// classifier, weights are fitted per regime (optimizeByRegime) and the replay switches weights by the
// regime of each bar (ARCHITECTURE.md timing: bar t's return belongs to the state at t − 1), so the
// out-of-sample replay uses no information from its own segment beyond the classifier's states.
import { join } from 'node:path';
import {
  optimizeByRegime, optimizeReturnMatrix, type PortfolioObjective, type RegimeEnsembleResult, type ReturnMatrixEnsembleOptions,
} from '../analytics/ensemble.ts';
import type { ReturnMatrix } from '../analytics/returnMatrix.ts';
import { seriesMetrics } from '../analytics/seriesMetrics.ts';
import type { MetricOptions } from '../analytics/metricOptions.ts';
import { InputError } from '../errors.ts';
import { jobPool } from '../engine/pool.ts';
import { writeJsonAtomic } from '../io/atomicWrite.ts';
import { instantiateKernels } from '../kernels/runtime.ts';
import type { RegimeTrace } from '../types.ts';
import { analysisConventions, chooseRankedSymbol, loadCandidateMatrix, workflowAnalysisOptions, type RunWorkflowOptions } from './candidateReturns.ts';
import { OVERFIT_MATRIX_BUDGET_BYTES, passesDeflatedSharpe } from './overfit.ts';
import {
  WALKFORWARD_FILE, WALKFORWARD_FORMAT, type WalkForwardFold, type WalkForwardMetrics, type WalkForwardReport, type WalkForwardWeights,
} from './overfitOutputs.ts';
import { openAnalyzedRun } from './runContext.ts';

/** Default number of top-ranked strategies the ensemble is fitted over. */
export const DEFAULT_WALKFORWARD_CANDIDATES = 20;
/** Default size of the in-sample selection universe (strategies whose dense returns are loaded). */
export const DEFAULT_WALKFORWARD_UNIVERSE = 400;

/** FNV-1a hash of a string: a fixed pseudo-random order of strategy ids that ignores their returns. */
function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Column indices of the `count` strategies with the highest per-bar Sharpe ratio mean/std (ddof 1)
 * over bars [start, end) of the matrix; columns with fewer than 2 bars or zero variance are never
 * chosen. Ties by column order. This is the in-sample selection of a fold.
 */
export function topInSampleColumns(matrix: ReturnMatrix, start: number, end: number, count: number): number[] {
  const scored: { j: number; sharpe: number }[] = [];
  const n = end - start;
  for (let j = 0; j < matrix.names.length; j++) {
    if (n < 2) break;
    const base = j * matrix.bars;
    let sum = 0;
    for (let t = start; t < end; t++) sum += matrix.values[base + t]!;
    const mean = sum / n;
    let squares = 0;
    for (let t = start; t < end; t++) squares += (matrix.values[base + t]! - mean) ** 2;
    const std = Math.sqrt(squares / (n - 1));
    if (std > 0 && Number.isFinite(mean / std)) scored.push({ j, sharpe: mean / std });
  }
  scored.sort((a, b) => b.sharpe - a.sharpe || a.j - b.j);
  return scored.slice(0, count).map((s) => s.j).sort((a, b) => a - b);
}

function selectColumns(matrix: ReturnMatrix, columns: readonly number[]): ReturnMatrix {
  const values = new Float64Array(columns.length * matrix.bars);
  columns.forEach((j, k) => values.set(matrix.values.subarray(j * matrix.bars, (j + 1) * matrix.bars), k * matrix.bars));
  return { values, bars: matrix.bars, names: columns.map((j) => matrix.names[j]!) };
}

/** Weights over `columns` spread back onto all of the matrix's columns (zero elsewhere). */
function expandWeights(weights: Float64Array, columns: readonly number[], width: number): Float64Array {
  const out = new Float64Array(width);
  columns.forEach((j, k) => { out[j] = weights[k]!; });
  return out;
}

/** Options of walkForward. */
export interface WalkForwardOptions extends RunWorkflowOptions {
  /** Number of folds W (integer >= 1): the bars are cut into W + 1 segments. */
  windows: number;
  /** 'rolling' (default): fit on the previous segment only; 'anchored': on every segment so far. */
  mode?: 'rolling' | 'anchored';
  /** Classifier id: fit weights per regime and switch them bar by bar; default: global weights only. */
  classifier?: string;
  /** 'max-sharpe' (default) or 'min-variance'. */
  objective?: PortfolioObjective;
  /** Lower bound of each held weight, fraction; default 0. */
  minWeight?: number;
  /** Upper bound of each weight, fraction in (0, 1]; default 1. */
  maxWeight?: number;
  /** At most this many strategies held per fit (integer >= 1); default no limit. */
  maxStrategies?: number;
  /** Candidates fitted per fold: the top K (integer >= 1); default 20. */
  candidates?: number;
  /**
   * How each fold's K candidates are chosen. 'in-sample' (default): by per-bar Sharpe over that
   * fold's fitting bars only, out of a universe of strategies chosen without looking at returns
   * (every strategy of the symbol, or a fixed pseudo-random sample of `universe` of them), so no
   * out-of-sample information enters a fold. 'full-sample': the top K of the run's rankings for
   * every fold (faster, but the ranking has seen every out-of-sample segment).
   */
  selection?: 'in-sample' | 'full-sample';
  /** With 'in-sample': at most this many strategies loaded as the selection universe; default 400. */
  universe?: number;
  /**
   * Only strategies whose deflated Sharpe ratio (from overfitRun) is at least this are candidates;
   * default: no filter. InputError when the rankings have no DSR yet.
   */
  minDeflatedSharpe?: number;
  /** Write analytics/walkforward.json; default true. */
  write?: boolean;
}

/** What walkForward returns. */
export interface WalkForwardResult {
  report: WalkForwardReport;
  /** Full path of analytics/walkforward.json. */
  reportPath: string;
  analyzedNow: boolean;
}

/**
 * Segment boundaries of `nBars` bars cut into `segments` consecutive parts: bounds[k] = ⌊k·T/segments⌋
 * (length segments + 1; sizes differ by at most one bar).
 */
export function segmentBounds(nBars: number, segments: number): number[] {
  return Array.from({ length: segments + 1 }, (_, k) => Math.floor((k * nBars) / segments));
}

/**
 * Regime of each bar's return from a sparse regime trace: the state is forward-filled from its
 * change rows, and bar t's return takes the state at t − 1 (ARCHITECTURE.md timing rule), so
 * regimeOfBar[0] = −1 and bars before the first state are −1 (no regime: global weights).
 */
export function regimeOfBars(trace: Pick<RegimeTrace, 'idx' | 'state'>, nBars: number): Int32Array {
  const out = new Int32Array(nBars).fill(-1);
  let row = 0;
  let state = -1;
  for (let t = 1; t < nBars; t++) {
    // state after bar t − 1
    while (row < trace.idx.length && trace.idx[row]! <= t - 1) state = trace.state[row++]!;
    out[t] = state;
  }
  return out;
}

/** Rows [start, end) of a column-major matrix, as a new matrix. */
function sliceRows(matrix: ReturnMatrix, start: number, end: number): ReturnMatrix {
  const n = matrix.names.length;
  const bars = end - start;
  const values = new Float64Array(bars * n);
  for (let j = 0; j < n; j++) values.set(matrix.values.subarray(j * matrix.bars + start, j * matrix.bars + end), j * bars);
  return { values, bars, names: matrix.names };
}

/** A fitted fold: global weights and, per regime code, weights (undefined: use the global ones). */
interface FittedWeights {
  objective: PortfolioObjective;
  global: Float64Array;
  byRegime: Map<number, Float64Array>;
  report: WalkForwardWeights;
}

function weightRecord(names: readonly string[], weights: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((name, j) => { if (weights[j]! > 0) out[name] = weights[j]!; });
  return out;
}

function fitFold(
  matrix: ReturnMatrix, regimes: { ofBar: Int32Array; labels: readonly string[] } | undefined, options: ReturnMatrixEnsembleOptions,
): FittedWeights {
  const objective = options.objective ?? 'max-sharpe';
  if (!regimes) {
    const result = optimizeReturnMatrix(matrix, options);
    return { objective, global: result.weights, byRegime: new Map(), report: { global: weightRecord(matrix.names, result.weights), regimes: null } };
  }
  const fitted: RegimeEnsembleResult = optimizeByRegime(matrix, regimes.ofBar, { ...options, labels: regimes.labels });
  const byRegime = new Map<number, Float64Array>();
  const report: NonNullable<WalkForwardWeights['regimes']> = {};
  for (const [label, entry] of Object.entries(fitted.regimes)) {
    const code = regimes.labels.indexOf(label);
    const codeOf = code >= 0 ? code : Number(label);
    if (entry.result) byRegime.set(codeOf, entry.result.weights);
    report[label] = { bars: entry.bars, weights: entry.result ? weightRecord(matrix.names, entry.result.weights) : null, skippedReason: entry.skippedReason };
  }
  return { objective, global: fitted.global.weights, byRegime, report: { global: weightRecord(matrix.names, fitted.global.weights), regimes: report } };
}

/**
 * Portfolio net returns of fitted weights over bars [start, end): P[t] = Σ_j w_j(regime_t)·R[t, j],
 * with the regime's weights where it has them, else the global ones. Summed in column order.
 */
export function replayWeights(
  matrix: ReturnMatrix, start: number, end: number, global: Float64Array, byRegime: ReadonlyMap<number, Float64Array>, regimeOfBar: Int32Array | undefined,
): Float64Array {
  const n = matrix.names.length;
  const out = new Float64Array(end - start);
  for (let t = start; t < end; t++) {
    const code = regimeOfBar ? regimeOfBar[t]! : -1;
    const weights = (code >= 0 ? byRegime.get(code) : undefined) ?? global;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const w = weights[j]!;
      if (w > 0) sum += w * matrix.values[j * matrix.bars + t]!;
    }
    out[t - start] = sum;
  }
  return out;
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const part of parts) { out.set(part, offset); offset += part.length; }
  return out;
}

function meanOf(values: readonly (number | null)[]): number | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return finite.length === 0 ? null : finite.reduce((s, v) => s + v, 0) / finite.length;
}

function validate(options: WalkForwardOptions): void {
  if (!(Number.isInteger(options.windows) && options.windows >= 1)) throw new InputError(`options.windows must be an integer >= 1, got ${options.windows}`);
  const mode = options.mode ?? 'rolling';
  if (mode !== 'rolling' && mode !== 'anchored') throw new InputError(`options.mode must be 'rolling' or 'anchored', got '${String(mode)}'`);
  if (options.candidates !== undefined && !(Number.isInteger(options.candidates) && options.candidates >= 1)) {
    throw new InputError(`options.candidates must be an integer >= 1, got ${options.candidates}`);
  }
  if (options.minDeflatedSharpe !== undefined && !(options.minDeflatedSharpe >= 0 && options.minDeflatedSharpe <= 1)) {
    throw new InputError(`options.minDeflatedSharpe must be a probability in [0, 1], got ${options.minDeflatedSharpe}`);
  }
}

/**
 * Walk-forward validation of ensemble weights (see the module comment) over the dense net returns
 * of the candidates (per fold, the top `candidates` strategies by in-sample Sharpe out of the
 * selection universe; or the top of the rankings with selection 'full-sample'; optionally only
 * those with DSR >= minDeflatedSharpe). The portfolio is a constant mix of the strategies' net
 * returns (rebalanced every bar, no extra cost); its metrics come from seriesMetrics with the
 * analysis's P and risk-free rate. When max-sharpe has no positive excess return in a fold's
 * in-sample bars, that fold falls back to min-variance (reported per fold and as a warning). By
 * default each fold picks its candidates by in-sample Sharpe (see `selection`), so the candidate
 * choice is validated too; 'full-sample' validates only the weights.
 */
export async function walkForward(runDir: string, options: WalkForwardOptions): Promise<WalkForwardResult> {
  validate(options);
  const { pool, release } = jobPool(options);
  let releaseMatrix = (): void => {};
  try {
    const analyzed = await openAnalyzedRun(runDir, workflowAnalysisOptions(options, pool));
    const { run, summary, rankings, outDir } = analyzed;
    const symbol = chooseRankedSymbol(rankings, options.symbol);
    const conventions = analysisConventions(summary, symbol);
    let rows = rankings.filter((r) => r.symbol === symbol);
    if (options.minDeflatedSharpe !== undefined) {
      if (!rows.some((r) => typeof r.deflatedSharpe === 'number')) {
        throw new InputError('options.minDeflatedSharpe: the rankings have no deflated Sharpe ratios yet (run overfitRun / `sweeplens overfit` first)');
      }
      const min = options.minDeflatedSharpe;
      rows = rows.filter((r) => passesDeflatedSharpe(r, min));
      if (rows.length === 0) throw new InputError(`no strategy of ${symbol} has a deflated Sharpe ratio >= ${min}`);
    }
    const candidateCount = options.candidates ?? DEFAULT_WALKFORWARD_CANDIDATES;
    const selection = options.selection ?? 'in-sample';
    const warnings: string[] = [];
    let chosen: string[];
    if (selection === 'full-sample') {
      chosen = rows.slice(0, candidateCount).map((r) => r.id);
      warnings.push('candidates were chosen by the full-sample ranking, which has seen every out-of-sample segment; the walk-forward validates the ensemble weights');
    } else {
      // The universe's T×K return matrix lives in kernel memory: cap K by the same budget as overfitRun.
      const barCount = run.metadata.barCounts[symbol] ?? 0;
      const fitInMemory = Math.max(1, Math.floor(OVERFIT_MATRIX_BUDGET_BYTES / (8 * Math.max(1, barCount))));
      const universe = Math.min(options.universe ?? DEFAULT_WALKFORWARD_UNIVERSE, fitInMemory);
      chosen = rows.map((r) => r.id);
      if (chosen.length > universe) {
        chosen = [...chosen].sort((a, b) => idHash(a) - idHash(b) || (a < b ? -1 : 1)).slice(0, universe);
        warnings.push(`selection universe: a fixed pseudo-random sample of ${universe} of the symbol's ${rows.length} strategies (by id hash, not by returns${universe < (options.universe ?? DEFAULT_WALKFORWARD_UNIVERSE) ? `; ${barCount} bars: the memory budget of the return matrix` : ''})`);
      }
      if (options.minDeflatedSharpe !== undefined) warnings.push('minDeflatedSharpe filters by a full-sample statistic: that filter has seen the out-of-sample segments');
    }
    const instance = pool ? pool.instance : instantiateKernels();
    // Raw net returns (no risk-free subtraction): seriesMetrics and the optimizer apply the rate.
    const loaded = await loadCandidateMatrix(run, symbol, chosen, { ...conventions, riskFreePerBar: 0 }, pool, instance);
    // A view of the kernel-memory matrix (no JS copy: at 1M bars it is up to 2 GiB); released at the end.
    releaseMatrix = loaded.release;
    const matrix: ReturnMatrix = { values: loaded.values, bars: loaded.bars, names: loaded.ids };
    for (const failure of loaded.failures) warnings.push(`candidate '${failure.id}' dropped: ${failure.error}`);
    if (matrix.names.length === 0) throw new InputError(`no candidate strategy of ${symbol} could be loaded`);

    let regimes: { ofBar: Int32Array; labels: readonly string[] } | undefined;
    if (options.classifier !== undefined) {
      const trace = await run.readRegimes(options.classifier);
      regimes = { ofBar: regimeOfBars(trace, matrix.bars), labels: trace.labels };
    }
    const mode = options.mode ?? 'rolling';
    const windows = options.windows;
    const segments = segmentBounds(matrix.bars, windows + 1);
    const ensembleOptions: ReturnMatrixEnsembleOptions = {
      objective: options.objective ?? 'max-sharpe', periodsPerYear: conventions.periodsPerYear, riskFreeRate: conventions.riskFreeRate,
      ...(options.minWeight !== undefined ? { minWeight: options.minWeight } : {}),
      ...(options.maxWeight !== undefined ? { maxWeight: options.maxWeight } : {}),
      ...(options.maxStrategies !== undefined ? { maxStrategies: options.maxStrategies } : {}),
    };
    const metricOptions: MetricOptions = conventions.metricOptions;
    const folds: WalkForwardFold[] = [];
    const inSampleParts: Float64Array[] = [];
    const outOfSampleParts: Float64Array[] = [];
    for (let fold = 0; fold < windows; fold++) {
      const inStart = mode === 'anchored' ? 0 : segments[fold]!;
      const inEnd = segments[fold + 1]!;
      const outEnd = segments[fold + 2]!;
      // The fold's candidates: every loaded column ('full-sample'), or the best K in-sample.
      const columns = selection === 'full-sample'
        ? matrix.names.map((_, j) => j)
        : topInSampleColumns(matrix, inStart, inEnd, candidateCount);
      if (columns.length === 0) throw new InputError(`fold ${fold} (in-sample bars [${inStart}, ${inEnd})): no candidate has a defined in-sample Sharpe ratio`);
      const foldMatrix = selection === 'full-sample' ? matrix : selectColumns(matrix, columns);
      const isMatrix = sliceRows(foldMatrix, inStart, inEnd);
      const isRegimes = regimes ? { ofBar: regimes.ofBar.subarray(inStart, inEnd), labels: regimes.labels } : undefined;
      let fitted: FittedWeights;
      try {
        try {
          fitted = fitFold(isMatrix, isRegimes, ensembleOptions);
        } catch (error) {
          if (!(error instanceof InputError) || ensembleOptions.objective !== 'max-sharpe' || !/excess return|riskFreeRate/.test(error.message)) throw error;
          warnings.push(`fold ${fold}: max-sharpe has no positive excess return in-sample (${error.message}); min-variance used`);
          fitted = fitFold(isMatrix, isRegimes, { ...ensembleOptions, objective: 'min-variance' });
        }
      } catch (error) {
        if (error instanceof InputError) throw new InputError(`fold ${fold} (in-sample bars [${inStart}, ${inEnd})): ${error.message}`, error.context);
        throw error;
      }
      if (selection === 'in-sample') {
        const width = matrix.names.length;
        fitted = {
          ...fitted,
          global: expandWeights(fitted.global, columns, width),
          byRegime: new Map([...fitted.byRegime].map(([code, w]) => [code, expandWeights(w, columns, width)])),
        };
      }
      const inSample = replayWeights(matrix, inStart, inEnd, fitted.global, fitted.byRegime, regimes?.ofBar);
      const outOfSample = replayWeights(matrix, inEnd, outEnd, fitted.global, fitted.byRegime, regimes?.ofBar);
      inSampleParts.push(inSample);
      outOfSampleParts.push(outOfSample);
      folds.push({
        fold,
        inSample: { start: inStart, end: inEnd },
        outOfSample: { start: inEnd, end: outEnd },
        candidates: columns.map((j) => matrix.names[j]!),
        weights: fitted.report,
        objective: fitted.objective,
        inSampleMetrics: seriesMetrics(inSample, metricOptions),
        outOfSampleMetrics: seriesMetrics(outOfSample, metricOptions),
      });
    }
    const meanIn = meanOf(folds.map((f) => f.inSampleMetrics.sharpeRatio));
    const meanOut = meanOf(folds.map((f) => f.outOfSampleMetrics.sharpeRatio));
    const aggregateIn: WalkForwardMetrics = seriesMetrics(concat(inSampleParts), metricOptions);
    const aggregateOut: WalkForwardMetrics = seriesMetrics(concat(outOfSampleParts), metricOptions);
    const report: WalkForwardReport = {
      format: WALKFORWARD_FORMAT,
      runId: run.metadata.runId,
      runDir: run.dir,
      computedAt: new Date().toISOString(),
      symbol,
      bars: matrix.bars,
      periodsPerYear: conventions.periodsPerYear,
      costs: conventions.costs,
      mode,
      windows,
      segments,
      classifier: options.classifier ?? null,
      objective: ensembleOptions.objective ?? 'max-sharpe',
      minWeight: options.minWeight ?? 0,
      maxWeight: options.maxWeight ?? 1,
      maxStrategies: options.maxStrategies ?? null,
      candidates: [...matrix.names],
      selection,
      folds,
      aggregate: {
        inSample: aggregateIn,
        outOfSample: aggregateOut,
        meanInSampleSharpe: meanIn,
        meanOutOfSampleSharpe: meanOut,
        sharpeEfficiency: meanIn !== null && meanOut !== null && meanIn !== 0 ? meanOut / meanIn : null,
        positiveOutOfSampleFolds: folds.filter((f) => (f.outOfSampleMetrics.totalReturn ?? 0) > 0).length,
      },
      warnings,
    };
    const reportPath = join(outDir, WALKFORWARD_FILE);
    if (options.write ?? true) writeJsonAtomic(reportPath, report);
    return { report, reportPath, analyzedNow: analyzed.analyzedNow };
  } finally {
    releaseMatrix();
    await release();
  }
}
