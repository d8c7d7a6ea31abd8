// Per-strategy metric cache: signals/{id}/performance.json, valid while the trace's content (its
// content hash) and every convention the numbers depend on are unchanged. The trace file's size and
// modification time, in the key, are the check that needs no read; when only they changed (a copy,
// a touch), the trace is read and the entry stands if its content hash is the entry's.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONVENTIONS_VERSION } from '../constants.ts';
import { removeStaleTempFiles, writeJsonAtomic } from './atomicWrite.ts';
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

/**
 * The cached entry of `path` and how it matches `key`: 'valid' (the whole key, so the trace file is
 * unchanged by size and modification time), 'content' (every convention matches but the file's size
 * or time differ: the entry stands if the trace's content hash still equals its contentHash, which
 * only reading the trace can tell), or undefined (no entry, unreadable, other conventions). Never throws.
 */
export function matchCachedPerformance(path: string, key: PerformanceCacheKey): { entry: PerformanceCacheEntry; match: 'valid' | 'content' } | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as PerformanceCacheEntry;
    if (!entry || !entry.key || !entry.metrics) return undefined;
    if (sameKey(entry.key, key)) return { entry, match: 'valid' };
    const sameConventions = sameKey({ ...entry.key, traceBytes: 0, traceMtimeMs: 0 }, { ...key, traceBytes: 0, traceMtimeMs: 0 });
    return sameConventions && typeof entry.contentHash === 'string' && entry.contentHash !== '' ? { entry, match: 'content' } : undefined;
  } catch {
    return undefined;
  }
}

/** The cached entry when it exists, parses and matches `key` whole; undefined otherwise (never throws). */
export function readCachedPerformance(path: string, key: PerformanceCacheKey): PerformanceCacheEntry | undefined {
  const found = matchCachedPerformance(path, key);
  return found?.match === 'valid' ? found.entry : undefined;
}

/**
 * Writes a cache entry atomically (a killed run never leaves half a file), first removing the temp
 * files a killed earlier run left in its folder.
 */
export function writeCachedPerformance(path: string, entry: PerformanceCacheEntry): void {
  removeStaleTempFiles(dirname(path));
  writeJsonAtomic(path, entry, { fsync: false });
}
