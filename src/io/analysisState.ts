// summary/analysis_state.json: what a finished analysis of a native run was computed from, so an
// unchanged run is re-used as a whole (its rankings and summary) after a few stat() calls instead
// of a footer scan, a bars read and one cache-file read per strategy.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from './atomicWrite.ts';
import { RUN_LAYOUT } from './layout.ts';
import type { ExecutionCosts } from '../types.ts';

/** Format tag of analysis_state.json. */
export const ANALYSIS_STATE_FORMAT = 'sweeplens-analysis-state-1';

/**
 * Everything a run's analysis outputs are a function of: the conventions and options, the strategy
 * list, and a key (size and modification time) of every input file and of the outputs themselves.
 */
export interface AnalysisState {
  format: typeof ANALYSIS_STATE_FORMAT;
  conventions: string;
  costs: ExecutionCosts;
  riskFreeRate: number;
  /** P as given; null when it was inferred from the bars (whose keys are below). */
  periodsPerYear: number | null;
  rankBy: string;
  /** Strategy ids in metadata.json order. */
  strategies: string[];
  /** fileKey of each strategy's trace. */
  traces: Record<string, string>;
  /** fileKey of each symbol's bars file. */
  bars: Record<string, string>;
  /** fileKey of summary/performance_summary.json, strategy_rankings.json and .parquet as written. */
  outputs: { summary: string; rankings: string; rankingsTable: string };
}

/** The key of a file of `bytes` bytes modified at `mtimeMs`: `size:mtimeMs`. */
export function sizeTimeKey(bytes: number, mtimeMs: number): string {
  return `${bytes}:${mtimeMs}`;
}

/** sizeTimeKey of a file, or undefined when it does not exist. */
export function fileKey(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return sizeTimeKey(stat.size, stat.mtimeMs);
  } catch {
    return undefined;
  }
}

/** Where the state of the analysis written under `outDir` lives. */
export function analysisStatePath(outDir: string): string {
  return join(outDir, RUN_LAYOUT.summary, 'analysis_state.json');
}

/** The paths of the outputs the state keys. */
export function analysisOutputPaths(outDir: string): { summary: string; rankings: string; rankingsTable: string } {
  const dir = join(outDir, RUN_LAYOUT.summary);
  return {
    summary: join(dir, 'performance_summary.json'),
    rankings: join(dir, 'strategy_rankings.json'),
    rankingsTable: join(dir, 'strategy_rankings.parquet'),
  };
}

/** The state under `outDir` when it exists and has this format; undefined otherwise (never throws). */
export function readAnalysisState(outDir: string): AnalysisState | undefined {
  const path = analysisStatePath(outDir);
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as AnalysisState;
    return state.format === ANALYSIS_STATE_FORMAT ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the state (atomically, last: the outputs it keys are already on disk). */
export function writeAnalysisState(outDir: string, state: AnalysisState): void {
  writeJsonAtomic(analysisStatePath(outDir), state, { fsync: false });
}

/** Removes the state (no-op when there is none). */
export function removeAnalysisState(outDir: string): void {
  rmSync(analysisStatePath(outDir), { force: true });
}

/** The current keys of the outputs; undefined when one is missing. */
export function outputKeys(outDir: string): AnalysisState['outputs'] | undefined {
  const paths = analysisOutputPaths(outDir);
  const summary = fileKey(paths.summary);
  const rankings = fileKey(paths.rankings);
  const rankingsTable = fileKey(paths.rankingsTable);
  return summary && rankings && rankingsTable ? { summary, rankings, rankingsTable } : undefined;
}
