// Re-using a whole finished analysis of an unchanged native run (see io/analysisState.ts): the
// rankings and summary are read back instead of scanning footers, reading bars and one cache file
// per strategy. Any doubt (a changed trace, bars file, option, strategy list or output file, a
// failed strategy last time) falls back to the per-strategy caches.
import { readFileSync } from 'node:fs';
import { CONVENTIONS_VERSION } from '../constants.ts';
import {
  ANALYSIS_STATE_FORMAT, analysisOutputPaths, fileKey, outputKeys, readAnalysisState, removeAnalysisState, writeAnalysisState, type AnalysisState,
} from '../io/analysisState.ts';
import { marketFile, signalPath } from '../io/layout.ts';
import type { RunHandle } from '../io/runHandle.ts';
import type { ExecutionCosts } from '../types.ts';
import type { PerformanceSummary } from './analyze.ts';
import type { RankedStrategyRow, RankMetric } from './rankings.ts';

/** The options an analysis's outputs depend on (rankBy only orders them). */
export interface AnalysisConventions {
  costs: ExecutionCosts;
  riskFreeRate: number;
  /** P as given; undefined when inferred from the bars. */
  periodsPerYear: number | undefined;
}

/** A finished analysis read back: its summary and its rankings (in the rankBy they were written with). */
export interface ReusedAnalysis {
  summary: PerformanceSummary;
  rankings: RankedStrategyRow[];
  rankBy: RankMetric;
  /** fileKey of each strategy's trace (verified against the disk). */
  traceKeys: Record<string, string>;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The analysis under `outDir` when it can stand for a new one: a native run, a state file whose
 * conventions, options, strategy list and input/output file keys all match what is on disk now.
 * Undefined otherwise (never throws: a damaged state or output means "analyze normally").
 */
export function reusableAnalysis(run: RunHandle, outDir: string, conventions: AnalysisConventions): ReusedAnalysis | undefined {
  if (run.format !== 'sweeplens') return undefined;
  const state = readAnalysisState(outDir);
  if (!state || state.conventions !== CONVENTIONS_VERSION) return undefined;
  if (JSON.stringify(state.costs) !== JSON.stringify(conventions.costs)) return undefined;
  if (state.riskFreeRate !== conventions.riskFreeRate || state.periodsPerYear !== (conventions.periodsPerYear ?? null)) return undefined;
  const ids = run.strategyIds();
  if (!sameList(state.strategies, ids)) return undefined;
  const outputs = outputKeys(outDir);
  if (!outputs || outputs.summary !== state.outputs.summary || outputs.rankings !== state.outputs.rankings || outputs.rankingsTable !== state.outputs.rankingsTable) {
    return undefined;
  }
  try {
    for (const symbol of run.symbols()) {
      if (fileKey(marketFile(run.dir, run.metadata, symbol)) !== state.bars[symbol]) return undefined;
    }
    for (const id of ids) if (fileKey(signalPath(run.dir, id)) !== state.traces[id]) return undefined;
    const paths = analysisOutputPaths(outDir);
    const summary = JSON.parse(readFileSync(paths.summary, 'utf8')) as PerformanceSummary;
    const file = JSON.parse(readFileSync(paths.rankings, 'utf8')) as { rankBy: RankMetric; strategies: RankedStrategyRow[] };
    if (!Array.isArray(file.strategies) || summary.failures?.length !== 0) return undefined;
    return { summary, rankings: file.strategies, rankBy: file.rankBy, traceKeys: state.traces };
  } catch {
    return undefined;
  }
}

/**
 * Records what the analysis just written under `outDir` was computed from (after its outputs are
 * on disk). Only for a native run whose every strategy was analyzed: a failure must be retried.
 * `traceKeys`: fileKey of each strategy's trace as read for the analysis.
 */
export function recordAnalysisState(
  run: RunHandle, outDir: string, conventions: AnalysisConventions, rankBy: RankMetric, summary: PerformanceSummary, traceKeys: ReadonlyMap<string, string>,
): void {
  const state = stateOf(run, outDir, conventions, rankBy, summary, traceKeys);
  if (state) writeAnalysisState(outDir, state);
  else removeAnalysisState(outDir); // an older state must not vouch for these outputs
}

function stateOf(
  run: RunHandle, outDir: string, conventions: AnalysisConventions, rankBy: RankMetric, summary: PerformanceSummary, traceKeys: ReadonlyMap<string, string>,
): AnalysisState | undefined {
  if (run.format !== 'sweeplens' || summary.failures.length > 0) return undefined;
  const ids = run.strategyIds();
  const traces: Record<string, string> = {};
  for (const id of ids) {
    const key = traceKeys.get(id);
    if (key === undefined) return undefined;
    traces[id] = key;
  }
  const bars: Record<string, string> = {};
  for (const symbol of run.symbols()) {
    const key = fileKey(marketFile(run.dir, run.metadata, symbol));
    if (key === undefined) return undefined;
    bars[symbol] = key;
  }
  const outputs = outputKeys(outDir);
  if (!outputs) return undefined;
  return {
    format: ANALYSIS_STATE_FORMAT,
    conventions: CONVENTIONS_VERSION,
    costs: conventions.costs,
    riskFreeRate: conventions.riskFreeRate,
    periodsPerYear: conventions.periodsPerYear ?? null,
    rankBy,
    strategies: ids,
    traces,
    bars,
    outputs,
  };
}
