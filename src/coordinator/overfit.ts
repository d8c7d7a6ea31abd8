// overfitRun: overfitting-aware selection statistics of an analyzed run.
//  1. The top-K candidates of summary/strategy_rankings.json (K default: every strategy of the
//     symbol, capped at 1,000) get their dense NET per-bar returns loaded into a T×K matrix in kernel
//     memory (the pool's shared memory, filled by the workers).
//  2. DSR/PSR per candidate (deflatedSharpeRanking): SR0 from N = every analyzed strategy of the
//     symbol, or N_eff by clustering / average correlation, and V[SR] of all N strategies.
//  3. PBO by CSCV for the selection among all candidates and within each family, the
//     C(S, S/2) splits sharded over the workers ('pbo-splits' tasks), merged by summarizePbo.
// Writes analytics/overfitting.json (OverfittingReport) and adds deflatedSharpe/probabilisticSharpe
// to summary/strategy_rankings.json/.parquet.
import { join } from 'node:path';
import { correlationMatrix } from '../analytics/correlation.ts';
import { averageCorrelation, averageCorrelationTrials, clusterStrategies, DEFAULT_CLUSTER_DISTANCE } from '../analytics/overfitting/effectiveTrials.ts';
import { deflatedSharpeRanking } from '../analytics/overfitting/dsrRanking.ts';
import { DEFAULT_LOGIT_BINS, DEFAULT_PBO_BLOCKS, type PboResult } from '../analytics/overfitting/pbo.ts';
import { sampleVariance } from '../analytics/overfitting/returnShape.ts';
import type { ReturnMatrix } from '../analytics/returnMatrix.ts';
import { InputError } from '../errors.ts';
import { jobPool } from '../engine/pool.ts';
import { writeJsonAtomic } from '../io/atomicWrite.ts';
import { instantiateKernels } from '../kernels/runtime.ts';
import { analysisConventions, chooseRankedSymbol, loadCandidateMatrix, workflowAnalysisOptions, type RunWorkflowOptions } from './candidateReturns.ts';
import {
  OVERFITTING_FILE, OVERFITTING_FORMAT, type FamilyPboReport, type OverfitStrategyRow, type OverfitTrialMethod, type OverfittingReport, type PboReport,
} from './overfitOutputs.ts';
import { pooledPbo } from './pooledPbo.ts';
import { rankRows, validateRankMetric, type RankedStrategyRow, type RankMetric } from './rankings.ts';
import { writeRankings } from './rankingsFile.ts';
import { openAnalyzedRun } from './runContext.ts';

/** Default cap on the number of candidates loaded when `candidates` is not given (memory: 8·T·K bytes). */
export const DEFAULT_OVERFIT_CANDIDATE_CAP = 1_000;
/** Kernel memory the candidates' T×K return matrix may take (8·T·K bytes): 2 GiB. */
export const OVERFIT_MATRIX_BUDGET_BYTES = 2 * 2 ** 30;
/** V[SR] above this multiple of the null sampling variance 1/(T − 1) gets a warning. */
const INFLATED_VARIANCE_RATIO = 10;
/** Strategies listed in PboReport.mostSelected. */
const MOST_SELECTED = 10;

/** Options of overfitRun. */
export interface OverfitOptions extends RunWorkflowOptions {
  /** K, the number of top-ranked strategies loaded as candidates (integer >= 1); default all of the symbol's, at most 1,000 and at most what fits in OVERFIT_MATRIX_BUDGET_BYTES (8·T·K bytes). */
  candidates?: number;
  /** Kernel memory the candidates' return matrix may take, bytes; default OVERFIT_MATRIX_BUDGET_BYTES (2 GiB). */
  matrixBudgetBytes?: number;
  /** N of the DSR: 'all' (default; every analyzed strategy of the symbol), 'clusters' or 'average-correlation' (N_eff). */
  trials?: OverfitTrialMethod;
  /** Cut of the 'clusters' method, correlation distance √(½(1 − ρ)); default 0.5. */
  clusterDistance?: number;
  /** CSCV blocks S, even, in [2, 26]; default 16. */
  blocks?: number;
  /** Bins of the logit histograms; default 20. */
  histogramBins?: number;
  /** Order of the rewritten rankings; default the order they had. */
  rankBy?: RankMetric;
  /** Write analytics/overfitting.json and the rankings; default true. */
  write?: boolean;
}

/** What overfitRun returns. */
export interface OverfitResult {
  report: OverfittingReport;
  /** The rankings with deflatedSharpe/probabilisticSharpe (null for strategies that were not candidates). */
  rankings: RankedStrategyRow[];
  /** Full path of analytics/overfitting.json (written unless options.write is false). */
  reportPath: string;
  /** True when the run had to be analyzed first. */
  analyzedNow: boolean;
}

/**
 * Selection hook of the workflow: true when the strategy's deflated Sharpe ratio is known and at
 * least `minDeflatedSharpe` (a probability in [0, 1], e.g. 0.95). Rows without a DSR (not a
 * candidate of overfitRun, or overfitRun not run) do not pass.
 */
export function passesDeflatedSharpe(row: Pick<RankedStrategyRow, 'deflatedSharpe'>, minDeflatedSharpe: number): boolean {
  if (!(minDeflatedSharpe >= 0 && minDeflatedSharpe <= 1)) throw new InputError(`minDeflatedSharpe must be a probability in [0, 1], got ${minDeflatedSharpe}`);
  const dsr = row.deflatedSharpe;
  return typeof dsr === 'number' && Number.isFinite(dsr) && dsr >= minDeflatedSharpe;
}

function checkOptions(options: OverfitOptions): void {
  if (options.candidates !== undefined && !(Number.isInteger(options.candidates) && options.candidates >= 1)) {
    throw new InputError(`options.candidates must be an integer >= 1, got ${options.candidates}`);
  }
  const trials = options.trials ?? 'all';
  if (trials !== 'all' && trials !== 'clusters' && trials !== 'average-correlation') {
    throw new InputError(`options.trials must be 'all', 'clusters' or 'average-correlation', got '${String(trials)}'`);
  }
  const blocks = options.blocks ?? DEFAULT_PBO_BLOCKS;
  if (!Number.isInteger(blocks) || blocks < 2 || blocks % 2 !== 0 || blocks > 26) throw new InputError(`options.blocks must be an even integer in [2, 26], got ${blocks}`);
  if (options.workers !== undefined && !(Number.isInteger(options.workers) && options.workers >= 0)) {
    throw new InputError(`options.workers must be an integer >= 0, got ${options.workers}`);
  }
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** The stored form of a PboResult (arrays summarized; names instead of columns). */
export function pboReport(result: PboResult, names: readonly string[]): PboReport {
  const counted = Array.from(result.selectionCounts, (splits, j) => ({ id: names[j]!, splits })).filter((s) => s.splits > 0);
  counted.sort((a, b) => b.splits - a.splits || (a.id < b.id ? -1 : 1));
  return {
    pbo: result.pbo,
    blocks: result.blocks,
    splits: result.splits,
    nStrategies: result.nStrategies,
    nBars: result.nBars,
    metric: result.metric,
    logitHistogram: { edges: Array.from(result.logitHistogram.edges), counts: Array.from(result.logitHistogram.counts) },
    medianLogit: median(result.logits),
    degradation: { slope: result.degradation.slope, intercept: result.degradation.intercept, pairs: result.degradation.pairs },
    probabilityOfLoss: result.probabilityOfLoss,
    mostSelected: counted.slice(0, MOST_SELECTED),
  };
}

/**
 * PSR, DSR and PBO of an analyzed run (openAnalyzedRun: analyzing it first when it has no summary,
 * or again when options.costs/periodsPerYear/riskFreeRate differ from its analysis): see the module
 * comment. Candidates: the first K rows of summary/strategy_rankings.json on the symbol (K =
 * options.candidates, default min(N, 1,000)). DSR's N: every analyzed strategy of the symbol
 * ('all'), or N_eff from the candidates' correlations ('clusters': clusters × N/K, the candidates'
 * cluster density extrapolated to all N when K < N; 'average-correlation': ρ̄ + (1 − ρ̄)·N with the
 * candidates' ρ̄). V[SR]: variance of the per-bar Sharpe ratios of all N strategies. PBO: the
 * candidates' per-bar Sharpe ratios by CSCV with S blocks, over all candidates and per family.
 */
export async function overfitRun(runDir: string, options: OverfitOptions = {}): Promise<OverfitResult> {
  const started = performance.now();
  checkOptions(options);
  const { pool, release } = jobPool(options);
  try {
    const analyzed = await openAnalyzedRun(runDir, workflowAnalysisOptions(options, pool));
    const { run, summary, rankings, outDir } = analyzed;
    const rankBy = options.rankBy !== undefined ? validateRankMetric(options.rankBy) : analyzed.rankBy;
    const symbol = chooseRankedSymbol(rankings, options.symbol);
    const conventions = analysisConventions(summary, symbol);
    const symbolRows = rankings.filter((r) => r.symbol === symbol);
    const totalTrials = symbolRows.length;
    const requested = options.candidates ?? null;
    const barCount = run.metadata.barCounts[symbol] ?? 0;
    // The T×K matrix lives in kernel memory (4 GiB at most, shared with the market tables).
    const budget = options.matrixBudgetBytes ?? OVERFIT_MATRIX_BUDGET_BYTES;
    const fitInMemory = Math.max(1, Math.floor(budget / (8 * Math.max(1, barCount))));
    if (requested !== null && requested > fitInMemory && Math.min(requested, totalTrials) > fitInMemory) {
      throw new InputError(`options.candidates: ${requested} candidates x ${barCount} bars need ${((8 * Math.min(requested, totalTrials) * barCount) / 2 ** 30).toFixed(3)} GiB of kernel memory; at most ${fitInMemory} fit in the ${(budget / 2 ** 30).toFixed(3)} GiB budget (matrixBudgetBytes)`);
    }
    const cap = Math.min(DEFAULT_OVERFIT_CANDIDATE_CAP, fitInMemory);
    const k = Math.min(totalTrials, requested ?? cap);
    const chosen = symbolRows.slice(0, k);
    const warnings: string[] = [];
    if (requested === null && totalTrials > cap) {
      warnings.push(`${totalTrials} strategies on ${symbol}: only the top ${cap} by ${analyzed.rankBy} are candidates${cap < DEFAULT_OVERFIT_CANDIDATE_CAP ? ` (${barCount} bars: the memory budget of the return matrix)` : ''} (pass candidates to change); the DSR still counts all ${totalTrials} trials`);
    }

    const instance = pool ? pool.instance : instantiateKernels();
    const loadStarted = performance.now();
    const candidates = await loadCandidateMatrix(run, symbol, chosen.map((r) => r.id), conventions, pool, instance);
    try {
      const loadMs = performance.now() - loadStarted;
      for (const failure of candidates.failures) warnings.push(`candidate '${failure.id}' dropped: ${failure.error}`);
      const matrix: ReturnMatrix = { values: candidates.values, bars: candidates.bars, names: candidates.ids };
      const rowById = new Map(chosen.map((r) => [r.id, r]));
      const K = candidates.ids.length;
      if (K < 1) throw new InputError(`no candidate strategy of ${symbol} could be loaded`);
      if (candidates.bars < 2) throw new InputError(`${symbol} has ${candidates.bars} bars; the Sharpe-ratio inference needs at least 2`);

      // DSR: N (or N_eff) and V[SR] of all N strategies.
      const dsrStarted = performance.now();
      const method = options.trials ?? 'all';
      const allLoaded = K === totalTrials;
      const perBar = Math.sqrt(conventions.periodsPerYear);
      const rankingSharpes = symbolRows.map((r) => (r.sharpeRatio === null ? NaN : r.sharpeRatio / perBar));
      let trials = totalTrials;
      let candidateClusters: number | null = null;
      let averageRho: number | null = null;
      if (method !== 'all' && K >= 2) {
        const correlation = correlationMatrix(matrix).values;
        if (method === 'clusters') {
          candidateClusters = clusterStrategies(correlation, K, options.clusterDistance ?? DEFAULT_CLUSTER_DISTANCE).clusterCount;
          trials = Math.max(1, (candidateClusters * totalTrials) / K);
        } else {
          averageRho = averageCorrelation(correlation, K);
          trials = averageCorrelationTrials(averageRho, totalTrials);
        }
      }
      const ranking = deflatedSharpeRanking(matrix, {
        trials: Math.max(1, trials),
        ...(allLoaded ? {} : { sharpeVariance: totalTrials < 2 ? 0 : sampleVariance(rankingSharpes) }),
      });
      const dsrMs = performance.now() - dsrStarted;
      // Under the DSR's null (no trial has skill) the Sharpe estimates scatter with variance ≈ 1/(T − 1).
      const nullVariance = 1 / (candidates.bars - 1);
      if (ranking.sharpeVariance > INFLATED_VARIANCE_RATIO * nullVariance) {
        warnings.push(`V[SR] = ${ranking.sharpeVariance.toPrecision(3)} per bar² is ${(ranking.sharpeVariance / nullVariance).toFixed(0)}x the sampling variance of a Sharpe ratio under the null (1/(T-1) = ${nullVariance.toPrecision(3)}): the trials differ in true Sharpe ratio (e.g. by cost drag), so SR0 and the DSR are very conservative`);
      }

      // PBO over all candidates and per family.
      const pboStarted = performance.now();
      const blocks = options.blocks ?? DEFAULT_PBO_BLOCKS;
      const histogramBins = options.histogramBins ?? DEFAULT_LOGIT_BINS;
      const families = new Map<string, number[]>();
      candidates.ids.forEach((id, j) => {
        const family = rowById.get(id)?.family ?? '';
        const list = families.get(family) ?? [];
        list.push(j);
        families.set(family, list);
      });
      const familyList = [...families];
      let runPbo: PboResult | null = null;
      let familyReports: FamilyPboReport[] = familyList.map(([family, members]) => ({ family, strategies: members.length, result: null, skippedReason: 'not computed' }));
      let tasks = 0;
      if (candidates.bars < 2 * blocks) {
        warnings.push(`PBO skipped: ${candidates.bars} bars, CSCV with ${blocks} blocks needs at least ${2 * blocks}`);
        familyReports = familyReports.map((f) => ({ ...f, skippedReason: 'too few bars' }));
      } else {
        const groups = [Array.from({ length: K }, (_, j) => j), ...familyList.map(([, members]) => members)];
        const pbo = await pooledPbo(matrix, pool, { blocks, histogramBins, groups });
        tasks = pbo.tasks;
        runPbo = pbo.results[0] ?? null;
        familyReports = familyList.map(([family, members], i) => {
          const result = pbo.results[i + 1] ?? null;
          return {
            family, strategies: members.length,
            result: result ? pboReport(result, members.map((j) => candidates.ids[j]!)) : null,
            skippedReason: result ? null : 'fewer than 2 candidates in the family',
          };
        });
      }
      const pboMs = performance.now() - pboStarted;

      const dsrRank = new Int32Array(K);
      ranking.order.forEach((column, i) => { dsrRank[column] = i + 1; });
      const strategies: OverfitStrategyRow[] = Array.from(ranking.order, (column) => {
        const s = ranking.strategies[column]!;
        const row = rowById.get(s.name);
        return {
          dsrRank: dsrRank[column]!, sourceRank: row?.rank ?? 0, id: s.name, family: row?.family ?? '', observations: s.observations,
          mean: finite(s.mean), std: finite(s.std), sharpe: finite(s.sharpe), annualizedSharpe: finite(s.sharpe * perBar),
          skewness: finite(s.skewness), kurtosis: finite(s.kurtosis),
          probabilisticSharpe: finite(s.psr), deflatedSharpe: finite(s.dsr), dsrStatistic: finite(s.dsrStatistic),
          pboSelections: runPbo ? runPbo.selectionCounts[column]! : 0,
        };
      });

      const report: OverfittingReport = {
        format: OVERFITTING_FORMAT,
        runId: run.metadata.runId,
        runDir: run.dir,
        computedAt: new Date().toISOString(),
        symbol,
        bars: candidates.bars,
        periodsPerYear: conventions.periodsPerYear,
        costs: conventions.costs,
        riskFreeRate: conventions.riskFreeRate,
        candidates: { count: K, requested, cap: DEFAULT_OVERFIT_CANDIDATE_CAP, selectedBy: analyzed.rankBy, totalStrategies: totalTrials, failures: candidates.failures },
        dsr: {
          trialMethod: method, trials: ranking.trials, totalTrials, candidateClusters, averageCorrelation: averageRho,
          sharpeVariance: ranking.sharpeVariance, sharpeVarianceSource: allLoaded ? 'candidates' : 'rankings',
          expectedMaximumSharpe: ranking.expectedMaximumSharpe, expectedMaximumSharpeAnnualized: ranking.expectedMaximumSharpe * perBar,
          significantAt95: strategies.filter((s) => (s.deflatedSharpe ?? 0) >= 0.95).length,
        },
        strategies,
        pbo: { run: runPbo ? pboReport(runPbo, candidates.ids) : null, families: familyReports, tasks },
        timings: { loadMs, dsrMs, pboMs, totalMs: 0 },
        warnings,
      };

      const byId = new Map(strategies.map((s) => [s.id, s]));
      const rows = rankings.map(({ rank: _rank, ...row }) => {
        const s = byId.get(row.id);
        return { ...row, deflatedSharpe: s?.deflatedSharpe ?? null, probabilisticSharpe: s?.probabilisticSharpe ?? null };
      });
      const reranked = rankRows(rows, rankBy);
      const reportPath = join(outDir, OVERFITTING_FILE);
      report.timings.totalMs = performance.now() - started;
      if (options.write ?? true) {
        writeRankings(outDir, rankBy, reranked);
        writeJsonAtomic(reportPath, report);
      }
      return { report, rankings: reranked, reportPath, analyzedNow: analyzed.analyzedNow };
    } finally {
      candidates.release();
    }
  } finally {
    await release();
  }
}
