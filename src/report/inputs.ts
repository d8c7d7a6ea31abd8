// Loads the analysis outputs a report is built from. The performance summary and the rankings are
// required; every other output is optional (its section then shows how to compute it).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PerformanceSummary } from '../coordinator/analyze.ts';
import type { PatternsFile } from '../coordinator/mine.ts';
import type {
  ClassifierStats, CorrelationMatrixFile, OptimalWeightsFile, RegimePerformanceFile, RegimeSummaryFile, TransitionMatrix,
} from '../coordinator/outputs.ts';
import { OVERFITTING_FILE, WALKFORWARD_FILE, type OverfittingReport, type WalkForwardReport } from '../coordinator/overfitOutputs.ts';
import type { RankedStrategyRow } from '../coordinator/rankings.ts';
import type { ReplayResult } from '../coordinator/replay.ts';
import { SchemaError, SweeplensError } from '../errors.ts';
import { RUN_LAYOUT } from '../io/layout.ts';

/** Run-relative paths of the outputs the report reads. */
export const REPORT_INPUT_FILES = {
  summary: `${RUN_LAYOUT.summary}/performance_summary.json`,
  rankings: `${RUN_LAYOUT.summary}/strategy_rankings.json`,
  regimeSummary: `${RUN_LAYOUT.summary}/regime_summary.json`,
  regimePerformance: `${RUN_LAYOUT.analytics}/regime_performance.json`,
  correlation: `${RUN_LAYOUT.analytics}/correlation_matrix.json`,
  weights: `${RUN_LAYOUT.analytics}/optimal_weights.json`,
  overfitting: OVERFITTING_FILE,
  walkForward: WALKFORWARD_FILE,
  replay: `${RUN_LAYOUT.analytics}/ensemble_replay.json`,
  patterns: `${RUN_LAYOUT.analytics}/patterns.json`,
} as const;

/** Everything the report builder reads from a run's outputs. */
export interface ReportInputs {
  /** Directory the outputs were read from. */
  outputsDir: string;
  summary: PerformanceSummary;
  /** Every analyzed strategy, best first. */
  rankings: RankedStrategyRow[];
  /** Per classifier id: its state statistics and transition matrix (classifiers/{id}/transitions.json), when readable. */
  classifierStats: Map<string, ClassifierStats>;
  regimeSummary: RegimeSummaryFile | null;
  regimePerformance: RegimePerformanceFile | null;
  correlation: CorrelationMatrixFile | null;
  weights: OptimalWeightsFile | null;
  overfitting: OverfittingReport | null;
  walkForward: WalkForwardReport | null;
  /** analytics/ensemble_replay.json (the last `replayEnsemble` with write on). */
  replay: ReplayResult | null;
  /** analytics/patterns.json (`sweeplens mine`); the pattern section checks its format before drawing it. */
  patterns: PatternsFile | null;
}

/** The error of a report asked for a run that was never analyzed. */
export class MissingAnalysisError extends SweeplensError {
  constructor(runDir: string, file: string) {
    super('E_NO_ANALYSIS', `${runDir}: no analysis yet: run \`sweeplens analyze ${runDir}\` first (or pass --analyze)`, { file });
  }
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (cause) {
    throw new SchemaError(`${path}: cannot read as JSON (${(cause as Error).message})`, { file: path });
  }
}

/** Parsed JSON at `dir/relativePath`, or null when the file does not exist. */
export function readOptionalJson<T>(dir: string, relativePath: string): T | null {
  const path = join(dir, relativePath);
  return existsSync(path) ? readJson<T>(path) : null;
}

/** True when `dir` holds the performance summary and the rankings of an analysis. */
export function hasAnalysis(dir: string): boolean {
  return existsSync(join(dir, REPORT_INPUT_FILES.summary)) && existsSync(join(dir, REPORT_INPUT_FILES.rankings));
}

/**
 * A transition matrix from the counts map the run writer stores (`"a -> b": count`), for runs
 * whose transitions.json predates the regime outputs. Self-transitions are dropped (per-change).
 */
export function transitionMatrixFromCounts(counts: Record<string, number>, labels: string[] = []): TransitionMatrix {
  const order = [...labels];
  const pairs: [string, string, number][] = [];
  for (const [key, count] of Object.entries(counts)) {
    const parts = key.split(' -> ');
    if (parts.length !== 2) continue;
    const [from, to] = parts as [string, string];
    for (const label of [from, to]) if (!order.includes(label)) order.push(label);
    if (from !== to) pairs.push([from, to, count]);
  }
  const index = new Map(order.map((label, i) => [label, i]));
  const matrix = order.map(() => new Array<number>(order.length).fill(0));
  for (const [from, to, count] of pairs) matrix[index.get(from)!]![index.get(to)!]! += count;
  const probabilities = matrix.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? v / total : null));
  });
  return { labels: order, counts: matrix, probabilities, convention: 'per-change' };
}

function classifierStatsFrom(id: string, raw: unknown): ClassifierStats | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const record = raw as Record<string, unknown>;
  if (record.transitions && typeof record.transitions === 'object' && Array.isArray((record.transitions as TransitionMatrix).labels)) return raw as ClassifierStats;
  const counts: Record<string, number> = {};
  for (const [key, value] of Object.entries(record)) if (typeof value === 'number') counts[key] = value;
  return {
    id, family: '', bars: 0, classifiedBars: 0, unclassifiedBars: 0, stateChanges: Object.values(counts).reduce((a, b) => a + b, 0),
    regimes: {}, transitions: transitionMatrixFromCounts(counts),
  };
}

/**
 * Reads the outputs of `outputsDir` (the run directory, or the --out directory of an analysis).
 * MissingAnalysisError when the summary or the rankings are missing; SchemaError for a file that is
 * not JSON. `runDir` names the run in messages and holds the classifiers' transitions.json.
 */
export function loadReportInputs(runDir: string, outputsDir: string, classifierIds: string[]): ReportInputs {
  if (!hasAnalysis(outputsDir)) {
    const missing = existsSync(join(outputsDir, REPORT_INPUT_FILES.summary)) ? REPORT_INPUT_FILES.rankings : REPORT_INPUT_FILES.summary;
    throw new MissingAnalysisError(runDir, join(outputsDir, missing));
  }
  const summary = readJson<PerformanceSummary>(join(outputsDir, REPORT_INPUT_FILES.summary));
  const rankingsFile = readJson<{ strategies?: RankedStrategyRow[] }>(join(outputsDir, REPORT_INPUT_FILES.rankings));
  if (!Array.isArray(rankingsFile.strategies)) throw new SchemaError(`${join(outputsDir, REPORT_INPUT_FILES.rankings)}: no 'strategies' array`, { file: join(outputsDir, REPORT_INPUT_FILES.rankings) });
  const regimeSummary = readOptionalJson<RegimeSummaryFile>(outputsDir, REPORT_INPUT_FILES.regimeSummary);
  const classifierStats = new Map<string, ClassifierStats>();
  for (const stats of regimeSummary?.classifiers ?? []) classifierStats.set(stats.id, stats);
  for (const id of classifierIds) {
    if (classifierStats.has(id)) continue;
    for (const dir of [outputsDir, runDir]) {
      const raw = readOptionalJson<unknown>(dir, join(RUN_LAYOUT.classifiers, id, RUN_LAYOUT.transitions));
      const stats = raw === null ? undefined : classifierStatsFrom(id, raw);
      if (stats) {
        classifierStats.set(id, stats);
        break;
      }
    }
  }
  return {
    outputsDir,
    summary,
    rankings: rankingsFile.strategies,
    classifierStats,
    regimeSummary,
    regimePerformance: readOptionalJson<RegimePerformanceFile>(outputsDir, REPORT_INPUT_FILES.regimePerformance),
    correlation: readOptionalJson<CorrelationMatrixFile>(outputsDir, REPORT_INPUT_FILES.correlation),
    weights: readOptionalJson<OptimalWeightsFile>(outputsDir, REPORT_INPUT_FILES.weights),
    overfitting: readOptionalJson<OverfittingReport>(outputsDir, REPORT_INPUT_FILES.overfitting),
    walkForward: readOptionalJson<WalkForwardReport>(outputsDir, REPORT_INPUT_FILES.walkForward),
    replay: readOptionalJson<ReplayResult>(outputsDir, REPORT_INPUT_FILES.replay),
    patterns: readOptionalJson<PatternsFile>(outputsDir, REPORT_INPUT_FILES.patterns),
  };
}
