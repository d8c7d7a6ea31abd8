import type { ExecutionCosts } from '../types.ts';
import { SLIPPAGE_MODEL_CODE } from './costs.ts';
import { MOMENT_SLOTS, readMoments, type Moments } from './moments.ts';
import type { Arena, KernelInstance } from './runtime.ts';
import { withScratch } from './runtime.ts';

// Mirrors of assembly/sparse.ts.

/** u32 slots of the market index header the sparse kernel reads. */
export const INDEX_HEADER = {
  bars: 0, records: 1, close: 2, volume: 3, sigma: 4, returns: 5, blocks: 6, logLong: 7, logShort: 8, blockSummaries: 9,
} as const;
export const INDEX_HEADER_SLOTS = 16;
/** f64 slots of the kernel's output block per strategy. */
export const SPARSE_OUT_SLOTS = 32;
const OUT_SLOTS = SPARSE_OUT_SLOTS;
const OUT = {
  net: 0, gross: 8, maxDrawdown: 16, totalCosts: 17, exposureBars: 18, durationSum: 19, tradeCount: 20, detail: 21, status: 23,
  wins: 24, losses: 25, sumWins: 26, sumLosses: 27, largestWin: 28, largestLoss: 29,
} as const;

/** Scratch bytes per change-list row the kernel needs for its deferred drawdown candidates. */
export const SPARSE_SCRATCH_BYTES_PER_ROW = 32;
/** Scratch bytes every strategy needs ahead of its candidates: the trade log (assembly/sparseState.ts SCRATCH_HEAD_BYTES). */
export const SPARSE_SCRATCH_HEAD_BYTES = 4096;

/** Status codes of the `sparseMetrics` kernel. */
export const SPARSE_STATUS = { ok: 0, badRow: 1, notUnit: 2, unpriced: 3, ruin: 4, constant: 5 } as const;
export type SparseStatus = (typeof SPARSE_STATUS)[keyof typeof SPARSE_STATUS];

/** Win / loss sums of the trades' net returns, formed by the kernel in trade order (as winLossStats). */
export interface SparseTradeSums {
  count: number;
  wins: number;
  losses: number;
  sumWins: number;
  sumLosses: number;
  /** -Infinity when there is no win. */
  largestWin: number;
  /** Infinity when there is no loss. */
  largestLoss: number;
}

/** What the sparse kernel returns for one strategy. */
export interface SparseKernelResult {
  status: SparseStatus;
  /** Row (badRow, notUnit) or bar (unpriced, ruin) the status refers to. */
  detail: number;
  net: Moments;
  gross: Moments;
  maxDrawdown: number;
  totalCosts: number;
  exposureBars: number;
  tradeDurationBarsSum: number;
  tradeSums: SparseTradeSums;
  /** Per-trade detail; only when asked for (`trades: true`), else empty arrays. */
  trades: { start: Int32Array; end: Int32Array; grossReturn: Float64Array; netReturn: Float64Array };
}

function readResult(out: Float64Array, status: SparseStatus): Omit<SparseKernelResult, 'trades'> {
  return {
    status,
    detail: out[OUT.detail]!,
    net: readMoments(out.subarray(OUT.net, OUT.net + MOMENT_SLOTS)),
    gross: readMoments(out.subarray(OUT.gross, OUT.gross + MOMENT_SLOTS)),
    maxDrawdown: out[OUT.maxDrawdown]!,
    totalCosts: out[OUT.totalCosts]!,
    exposureBars: out[OUT.exposureBars]!,
    tradeDurationBarsSum: out[OUT.durationSum]!,
    tradeSums: {
      count: out[OUT.tradeCount]!, wins: out[OUT.wins]!, losses: out[OUT.losses]!, sumWins: out[OUT.sumWins]!,
      sumLosses: out[OUT.sumLosses]!, largestWin: out[OUT.largestWin]!, largestLoss: out[OUT.largestLoss]!,
    },
  };
}

const NO_TRADES = { start: new Int32Array(0), end: new Int32Array(0), grossReturn: new Float64Array(0), netReturn: new Float64Array(0) };

/**
 * Runs the WASM kernel `sparseMetrics` over a market index (header at `headerPtr` in the memory
 * of `instance`) for one change list. O(K) in the number of rows. With `options.trades` the
 * per-trade start / end / gross / net arrays are copied out as well.
 */
export function runSparseKernel(
  instance: KernelInstance, headerPtr: number, riskFreePerBar: number, idx: Int32Array, value: Float64Array, costs: ExecutionCosts,
  options: { trades?: boolean } = { trades: true },
): SparseKernelResult {
  const k = idx.length;
  const detail = options.trades === true;
  return withScratch((arena, x) => {
    const idxIn = arena.copyI32(idx);
    const valueIn = arena.copyF64(value);
    const out = arena.f64(OUT_SLOTS);
    const cap = k + 1;
    const net = detail ? arena.f64(cap) : undefined;
    const start = detail ? arena.i32(cap) : undefined;
    const end = detail ? arena.i32(cap) : undefined;
    const gross = detail ? arena.f64(cap) : undefined;
    const state = arena.alloc(SPARSE_STATE_BYTES);
    const scratchBytes = SPARSE_SCRATCH_HEAD_BYTES + SPARSE_SCRATCH_BYTES_PER_ROW * (k + 1);
    const scratch = arena.alloc(scratchBytes);
    const status = x.sparseMetrics(
      headerPtr, riskFreePerBar, idxIn.byteOffset, valueIn.byteOffset, k,
      SLIPPAGE_MODEL_CODE[costs.slippageModel], costs.commissionRate, costs.slippageRate, costs.impactCoefficient, costs.capital,
      out.byteOffset, start?.byteOffset ?? 0, end?.byteOffset ?? 0, gross?.byteOffset ?? 0, net?.byteOffset ?? 0, state, scratch, scratchBytes,
    ) as SparseStatus;
    const count = status === SPARSE_STATUS.ok || status === SPARSE_STATUS.constant ? out[OUT.tradeCount]! : 0;
    return {
      ...readResult(out, status),
      trades: detail
        ? { start: start!.slice(0, count), end: end!.slice(0, count), grossReturn: gross!.slice(0, count), netReturn: net!.slice(0, count) }
        : NO_TRADES,
    };
  }, instance);
}

/** Bytes of the kernel's resumable per-strategy state (assembly/sparse.ts STATE_BYTES). */
export const SPARSE_STATE_BYTES = 256;
/**
 * Default bar window of the tiled batch kernel: 4,096 bars = 512 KB of prefix records (plus 32 KB
 * of log prefixes and 4 KB of block summaries), which stays in a 1-2 MB L2 while every strategy of
 * the batch passes over it.
 */
export const SPARSE_BATCH_TILE_BARS = 4096;
/** Deferred drawdown candidates kept per strategy in a batch (overflow is handled exactly, by compaction). */
export const SPARSE_BATCH_CANDIDATES = 2048;

const PREFETCH_MODE = { none: 0, 'look-ahead': 1, window: 2 } as const;

/** Options of runSparseKernelBatch. */
export interface SparseBatchOptions {
  /** Bars per window of the tiled walk (0: no tiling, strategy after strategy). Default SPARSE_BATCH_TILE_BARS. */
  tileBars?: number;
  /**
   * How the kernel gets index records into cache ahead of use: 'window' (one sequential pass over
   * each window before the strategies run over it; the default when tiling), 'look-ahead' (each
   * strategy loads the records of its upcoming changes; the default without tiling) or 'none'.
   */
  prefetch?: 'window' | 'look-ahead' | 'none';
}

/**
 * Change lists of a batch packed into one idx / value buffer in kernel memory: strategy s has
 * rows offsets[s] .. offsets[s + 1]. Build with packSparseBatch (or write into the views directly,
 * e.g. while decoding traces) and pass to runSparseKernelBatch to skip its copy-in.
 */
export interface PackedSparseBatch {
  idx: Int32Array;
  value: Float64Array;
  offsets: Int32Array;
}

/**
 * Runs the WASM kernel `sparseMetricsBatch`: many change lists over one market index in one call,
 * tiled over the bar axis (every strategy advances through one window of bars before the next
 * window), so each window of the index is read from memory once per batch. Results equal
 * runSparseKernel's (bit for bit) without per-trade detail. `traces` may be already packed in
 * kernel memory (PackedSparseBatch, no copy).
 */
export function runSparseKernelBatch(
  instance: KernelInstance, headerPtr: number, riskFreePerBar: number,
  traces: readonly { idx: Int32Array; signal: Float64Array }[] | PackedSparseBatch,
  costs: ExecutionCosts, options: SparseBatchOptions = {},
): Omit<SparseKernelResult, 'trades'>[] {
  const tileBars = options.tileBars ?? SPARSE_BATCH_TILE_BARS;
  const prefetch = PREFETCH_MODE[options.prefetch ?? (tileBars > 0 ? 'window' : 'look-ahead')];
  return withScratch((arena, x) => {
    let packed: PackedSparseBatch;
    if (Array.isArray(traces)) packed = packInto(arena, instance, traces as readonly { idx: Int32Array; signal: Float64Array }[]);
    else packed = traces as PackedSparseBatch;
    // byte offsets now: a later allocation may grow (and detach) a non-shared memory's buffer
    const idxPtr = packed.idx.byteOffset;
    const valuePtr = packed.value.byteOffset;
    const offsetsPtr = packed.offsets.byteOffset;
    const strategies = packed.offsets.length - 1;
    let longest = 0;
    for (let s = 0; s < strategies; s++) longest = Math.max(longest, packed.offsets[s + 1]! - packed.offsets[s]!);
    const out = arena.alloc(8 * OUT_SLOTS * Math.max(1, strategies));
    const state = arena.alloc(SPARSE_STATE_BYTES * Math.max(1, strategies));
    const scratchEach = SPARSE_SCRATCH_HEAD_BYTES + SPARSE_SCRATCH_BYTES_PER_ROW * Math.min(longest + 1, SPARSE_BATCH_CANDIDATES);
    const scratch = arena.alloc(scratchEach * Math.max(1, strategies));
    x.sparseMetricsBatch(
      headerPtr, riskFreePerBar, idxPtr, valuePtr, offsetsPtr, strategies,
      SLIPPAGE_MODEL_CODE[costs.slippageModel], costs.commissionRate, costs.slippageRate, costs.impactCoefficient, costs.capital,
      out, state, scratch, scratchEach, Math.max(0, tileBars), prefetch,
    );
    const outView = new Float64Array(instance.memory.buffer, out, OUT_SLOTS * Math.max(1, strategies));
    const results: Omit<SparseKernelResult, 'trades'>[] = [];
    for (let s = 0; s < strategies; s++) {
      const block = outView.subarray(s * OUT_SLOTS, (s + 1) * OUT_SLOTS);
      results.push(readResult(block, block[OUT.status]! as SparseStatus));
    }
    return results;
  }, instance);
}

function packInto(arena: Arena, instance: KernelInstance, traces: readonly { idx: Int32Array; signal: Float64Array }[]): PackedSparseBatch {
  let rows = 0;
  for (const trace of traces) rows += trace.idx.length;
  const idxPtr = arena.alloc(4 * Math.max(1, rows));
  const valuePtr = arena.alloc(8 * Math.max(1, rows));
  const offsetsPtr = arena.alloc(4 * (traces.length + 1));
  // views over the final buffer (an allocation may have grown the memory)
  const buffer = instance.memory.buffer;
  const packed: PackedSparseBatch = {
    idx: new Int32Array(buffer, idxPtr, rows),
    value: new Float64Array(buffer, valuePtr, rows),
    offsets: new Int32Array(buffer, offsetsPtr, traces.length + 1),
  };
  let at = 0;
  for (let s = 0; s < traces.length; s++) {
    packed.offsets[s] = at;
    const trace = traces[s]!;
    packed.idx.set(trace.idx, at);
    packed.value.set(trace.signal, at);
    at += trace.idx.length;
  }
  packed.offsets[traces.length] = at;
  return packed;
}

/**
 * Packs change lists into one buffer in the kernel memory of `instance` (allocated from its arena:
 * release with arena.release(mark) when done), for repeated runSparseKernelBatch calls without copy-in.
 */
export function packSparseBatch(instance: KernelInstance, traces: readonly { idx: Int32Array; signal: Float64Array }[]): PackedSparseBatch {
  return packInto(instance.arena, instance, traces);
}
