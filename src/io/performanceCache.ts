// Per-strategy metric cache: signals/{id}/performance.json, valid while the trace and every
// convention the numbers depend on are unchanged.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CONVENTIONS_VERSION } from '../constants.ts';
import { writeJsonAtomic } from './atomicWrite.ts';
import { RUN_LAYOUT } from './layout.ts';
import type { ExecutionCosts, PerformanceMetrics } from '../types.ts';

/** Everything a strategy's metrics are a function of, besides the bars. */
export interface PerformanceCacheKey {
  conventions: string;
  costs: ExecutionCosts;
  periodsPerYear: number;
  riskFreeRate: number;
  barCount: number;
  /** Size and modification time of the trace file (cheap to check without reading it). */
  traceBytes: number;
  traceMtimeMs: number;
}

/** The content of signals/{id}/performance.json. */
export interface PerformanceCacheEntry {
  id: string;
  key: PerformanceCacheKey;
  /** traceContentHash of the trace data the metrics were computed from. */
  contentHash: string;
  changes: number;
  path: 'sparse' | 'dense';
  computedAt: string;
  metrics: PerformanceMetrics;
}

/** The cache key of a trace file under the given conventions. */
export function performanceCacheKey(
  traceFile: string, costs: ExecutionCosts, options: { periodsPerYear: number; riskFreeRate?: number }, barCount: number,
): PerformanceCacheKey {
  const stat = statSync(traceFile);
  return {
    conventions: CONVENTIONS_VERSION,
    costs,
    periodsPerYear: options.periodsPerYear,
    riskFreeRate: options.riskFreeRate ?? 0,
    barCount,
    traceBytes: stat.size,
    traceMtimeMs: stat.mtimeMs,
  };
}

/** Path of a strategy's performance.json under an output directory. */
export function performanceCachePath(outDir: string, id: string): string {
  return join(outDir, RUN_LAYOUT.signals, id, RUN_LAYOUT.performance);
}

function sameKey(a: PerformanceCacheKey, b: PerformanceCacheKey): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The cached entry when it exists, parses and matches `key`; undefined otherwise (never throws). */
export function readCachedPerformance(path: string, key: PerformanceCacheKey): PerformanceCacheEntry | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as PerformanceCacheEntry;
    return entry && entry.key && sameKey(entry.key, key) && entry.metrics ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a cache entry atomically (a killed run never leaves half a file). */
export function writeCachedPerformance(path: string, entry: PerformanceCacheEntry): void {
  writeJsonAtomic(path, entry, { fsync: false });
}
