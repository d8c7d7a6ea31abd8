// The per-strategy unit of work, shared by the pool's workers and the inline (main-thread) mode.
import type { MetricOptions } from '../analytics/metricOptions.ts';
import { denseStrategyMetrics } from '../analytics/denseMetrics.ts';
import { strategyMetrics, strategyMetricsBatchSettled } from '../analytics/sparseMetrics.ts';
import { performanceCacheKey, performanceCachePath, writeCachedPerformance } from '../io/performanceCache.ts';
import type { SignalColumns } from '../io/leanSignalColumns.ts';
import type { TraceLocator } from '../io/traceLocator.ts';
import { traceContentHash } from '../io/traceMetadata.ts';
import type { DenseMarket } from '../market/denseMarket.ts';
import type { MarketIndex } from '../market/marketIndex.ts';
import type { ExecutionCosts, SignalTrace } from '../types.ts';
import type { StrategyJob, StrategyOutcome } from './messages.ts';
import { traceSlabFor } from './traceSlab.ts';

/**
 * Reads the idx and signal columns of a job's trace (into `allocate`'s arrays when given), validated;
 * throws the trace's SchemaError. The main thread passes readSignalAt's lean-then-full reader; the
 * workers pass the lean reader alone until a trace needs more (see TraceReaderUnavailable).
 */
export type TraceColumnsReader = (locator: TraceLocator, allocate?: (rows: number) => { idx: Int32Array; signal: Float64Array }) => SignalColumns;

/**
 * Thrown by a reader that cannot read a trace with the code it has loaded (a worker's lean reader,
 * before it loads the full one). computeStrategyOutcome(s) let it through instead of making it the
 * strategy's error, so the caller can load the full reader and run the task again.
 */
export class TraceReaderUnavailable extends Error {
  constructor(readonly file: string) {
    super(`${file}: needs the full trace reader`);
    this.name = 'TraceReaderUnavailable';
  }
}

// Per-thread scratch of the content hash, reused trace after trace (a new array per trace is
// external memory whose growth triggers full garbage collections).
let hashScratch = new ArrayBuffer(0);

/** The content hash of a trace as stored (its signal narrowed back to int8 or float32, as the writer hashed it). */
function storedContentHash(trace: SignalColumns): string {
  const n = trace.signal.length;
  const bytes = trace.valueType === 'int8' ? n : 4 * n;
  if (hashScratch.byteLength < bytes) hashScratch = new ArrayBuffer(Math.max(bytes, 2 * hashScratch.byteLength));
  const stored = trace.valueType === 'int8' ? new Int8Array(hashScratch, 0, n) : new Float32Array(hashScratch, 0, n);
  stored.set(trace.signal);
  return traceContentHash(trace.idx, stored);
}

/**
 * The job's cached result as its outcome when the trace just read is the one it was computed from
 * (same content hash and change count, so the same metrics), else undefined.
 */
function cachedOutcome(job: StrategyJob, contentHash: string, changes: number): StrategyOutcome | undefined {
  const cached = job.cached;
  if (!cached || cached.contentHash !== contentHash || cached.changes !== changes) return undefined;
  return { id: job.id, ok: true, metrics: cached.metrics, changes, contentHash, path: cached.path, fromCache: true };
}

/**
 * Reads one strategy's trace and computes its metrics: the change-proportional path on a
 * MarketIndex (dense where that is not exact), or the dense path on a DenseMarket or when asked.
 * Errors (a corrupt trace, an unpriceable bar) become that strategy's outcome; nothing throws.
 * The kernel scratch used is released before returning.
 */
export function computeStrategyOutcome(
  job: StrategyJob, market: DenseMarket, marketKind: 'dense' | 'index', costs: ExecutionCosts, options: MetricOptions,
  mode: 'auto' | 'sparse' | 'dense', read: TraceColumnsReader,
): StrategyOutcome {
  const arena = market.instance.arena;
  const mark = arena.mark();
  try {
    const trace = read(job.locator);
    const contentHash = storedContentHash(trace);
    const changes = trace.idx.length;
    const cached = cachedOutcome(job, contentHash, changes);
    if (cached) return cached;
    if (mode === 'dense' || marketKind === 'dense') {
      return { id: job.id, ok: true, metrics: denseStrategyMetrics(market, trace, costs, options), changes, contentHash, path: 'dense' };
    }
    let path = 'sparse' as 'sparse' | 'dense';
    let fallbackReason: string | undefined;
    const metrics = strategyMetrics(market as MarketIndex, trace, costs, options, (chosen, reason) => {
      path = chosen;
      fallbackReason = reason;
    });
    if (mode === 'sparse' && path === 'dense') throw new Error(`the sparse path is not exact for this strategy (${fallbackReason})`);
    return { id: job.id, ok: true, metrics, changes, contentHash, path, ...(fallbackReason ? { fallbackReason } : {}) };
  } catch (error) {
    if (error instanceof TraceReaderUnavailable) throw error;
    return { id: job.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    arena.release(mark);
  }
}

/**
 * computeStrategyOutcome for the strategies of one task, in order: on a MarketIndex (mode 'auto' or
 * 'sparse') every trace is read first, then the good ones run through one tiled batch kernel call
 * (strategyMetricsBatchSettled: each window of the index is read from memory once per batch, about
 * 1.5x less time per strategy than one call each). Errors stay per strategy: an unreadable or
 * corrupt trace, an invalid change list or an unpriceable bar fails only its own outcome, with the
 * message computeStrategyOutcome would give. Dense markets / mode 'dense' run one strategy at a time.
 * The kernel scratch used is released before returning.
 */
export function computeStrategyOutcomes(
  jobs: readonly StrategyJob[], market: DenseMarket, marketKind: 'dense' | 'index', costs: ExecutionCosts, options: MetricOptions,
  mode: 'auto' | 'sparse' | 'dense', read: TraceColumnsReader,
): StrategyOutcome[] {
  if (mode === 'dense' || marketKind === 'dense' || jobs.length <= 1) {
    return jobs.map((job) => computeStrategyOutcome(job, market, marketKind, costs, options, mode, read));
  }
  const arena = market.instance.arena;
  const mark = arena.mark();
  try {
    const outcomes: StrategyOutcome[] = new Array(jobs.length);
    const traces: { at: number; trace: SignalTrace; contentHash: string }[] = [];
    // The traces are decoded into this thread's slab, back to back (a trace that fails or is not
    // needed gives its rows back), so the kernel reads them where they are; nothing of them outlives
    // this call.
    const slab = traceSlabFor(market.instance.memory);
    slab.begin(jobs.reduce((rows, job) => rows + (job.rows ?? 0), 0));
    const allocate = (rows: number) => slab.allocate(rows);
    jobs.forEach((job, at) => {
      const slabMark = slab.mark();
      try {
        const trace = read(job.locator, allocate);
        const contentHash = storedContentHash(trace);
        const cached = cachedOutcome(job, contentHash, trace.idx.length);
        if (cached) {
          outcomes[at] = cached;
          slab.rollback(slabMark);
        } else {
          traces.push({ at, trace, contentHash });
        }
      } catch (error) {
        slab.rollback(slabMark);
        if (error instanceof TraceReaderUnavailable) throw error;
        outcomes[at] = { id: job.id, ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    });
    const batchTraces = traces.map((r) => r.trace);
    const settled = strategyMetricsBatchSettled(market as MarketIndex, batchTraces, costs, options, {}, slab.packed(batchTraces, arena));
    traces.forEach(({ at, trace, contentHash }, i) => {
      const job = jobs[at]!;
      const result = settled[i]!;
      if (!result.ok) {
        outcomes[at] = { id: job.id, ok: false, error: result.error.message };
      } else if (mode === 'sparse' && result.path === 'dense') {
        outcomes[at] = { id: job.id, ok: false, error: `the sparse path is not exact for this strategy (${result.reason})` };
      } else {
        outcomes[at] = {
          id: job.id, ok: true, metrics: result.metrics, changes: trace.idx.length, contentHash, path: result.path,
          ...(result.reason ? { fallbackReason: result.reason } : {}),
        };
      }
    });
    return outcomes;
  } catch (error) {
    if (error instanceof TraceReaderUnavailable) throw error;
    // an unexpected failure of the batch as a whole: redo the strategies one at a time, each isolated
    arena.release(mark);
    return jobs.map((job) => computeStrategyOutcome(job, market, marketKind, costs, options, mode, read));
  } finally {
    arena.release(mark);
  }
}

/**
 * Writes a successful outcome's performance.json (atomically) under `outDir`, keyed by the trace
 * file's size and mtime and every convention the metrics depend on. Failed outcomes write nothing.
 * Workers call this themselves, so the main thread does no per-strategy I/O.
 */
export function writeOutcomeCache(outDir: string, job: StrategyJob, outcome: StrategyOutcome, costs: ExecutionCosts, options: MetricOptions): void {
  if (!outcome.ok) return;
  writeCachedPerformance(performanceCachePath(outDir, job.id), {
    id: job.id,
    key: performanceCacheKey(job.locator.file, costs, options, job.locator.barCount),
    contentHash: outcome.contentHash,
    changes: outcome.changes,
    path: outcome.path,
    // (a cached result that stood keeps the time it was computed)
    computedAt: outcome.fromCache && job.cached?.computedAt ? job.cached.computedAt : new Date().toISOString(),
    metrics: outcome.metrics,
  });
}
