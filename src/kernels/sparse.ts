import type { ExecutionCosts } from '../types.ts';
import { SLIPPAGE_MODEL_CODE } from './costs.ts';
import { MOMENT_SLOTS, readMoments, type Moments } from './moments.ts';
import type { KernelInstance } from './runtime.ts';
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
    const cap = k + 1; // the kernel writes one scratch slot past the last trade
    const net = arena.f64(cap);
    const start = detail ? arena.i32(cap) : undefined;
    const end = detail ? arena.i32(cap) : undefined;
    const gross = detail ? arena.f64(cap) : undefined;
    const scratchBytes = SPARSE_SCRATCH_BYTES_PER_ROW * (k + 1);
    const scratch = arena.alloc(scratchBytes);
    const status = x.sparseMetrics(
      headerPtr, riskFreePerBar, idxIn.byteOffset, valueIn.byteOffset, k,
      SLIPPAGE_MODEL_CODE[costs.slippageModel], costs.commissionRate, costs.slippageRate, costs.impactCoefficient, costs.capital,
      out.byteOffset, start?.byteOffset ?? 0, end?.byteOffset ?? 0, gross?.byteOffset ?? 0, net.byteOffset, scratch, scratchBytes,
    ) as SparseStatus;
    const count = status === SPARSE_STATUS.ok || status === SPARSE_STATUS.constant ? out[OUT.tradeCount]! : 0;
    return {
      ...readResult(out, status),
      trades: detail
        ? { start: start!.slice(0, count), end: end!.slice(0, count), grossReturn: gross!.slice(0, count), netReturn: net.slice(0, count) }
        : NO_TRADES,
    };
  }, instance);
}

/**
 * Runs the WASM kernel `sparseMetricsBatch`: many change lists over one market index in one call
 * (one copy-in, one kernel entry). Results as runSparseKernel without per-trade detail.
 */
export function runSparseKernelBatch(
  instance: KernelInstance, headerPtr: number, riskFreePerBar: number, traces: readonly { idx: Int32Array; signal: Float64Array }[],
  costs: ExecutionCosts,
): Omit<SparseKernelResult, 'trades'>[] {
  const strategies = traces.length;
  let rows = 0;
  let longest = 0;
  for (const trace of traces) {
    rows += trace.idx.length;
    longest = Math.max(longest, trace.idx.length);
  }
  return withScratch((arena, x) => {
    const idxIn = arena.i32(Math.max(1, rows));
    const valueIn = arena.f64(Math.max(1, rows));
    const offsets = arena.i32(strategies + 1);
    const out = arena.f64(OUT_SLOTS * Math.max(1, strategies));
    const tradesBuffer = arena.f64(longest + 1);
    const scratchBytes = SPARSE_SCRATCH_BYTES_PER_ROW * (longest + 1);
    const scratch = arena.alloc(scratchBytes);
    // views may have been created before a memory growth: take fresh ones over the final buffer
    const buffer = instance.memory.buffer;
    const idxView = new Int32Array(buffer, idxIn.byteOffset, idxIn.length);
    const valueView = new Float64Array(buffer, valueIn.byteOffset, valueIn.length);
    const offsetView = new Int32Array(buffer, offsets.byteOffset, offsets.length);
    let at = 0;
    for (let s = 0; s < strategies; s++) {
      offsetView[s] = at;
      const trace = traces[s]!;
      idxView.set(trace.idx, at);
      valueView.set(trace.signal, at);
      at += trace.idx.length;
    }
    offsetView[strategies] = at;
    x.sparseMetricsBatch(
      headerPtr, riskFreePerBar, idxIn.byteOffset, valueIn.byteOffset, offsets.byteOffset, strategies,
      SLIPPAGE_MODEL_CODE[costs.slippageModel], costs.commissionRate, costs.slippageRate, costs.impactCoefficient, costs.capital,
      out.byteOffset, tradesBuffer.byteOffset, scratch, scratchBytes,
    );
    const outView = new Float64Array(instance.memory.buffer, out.byteOffset, out.length);
    const results: Omit<SparseKernelResult, 'trades'>[] = [];
    for (let s = 0; s < strategies; s++) {
      const block = outView.subarray(s * OUT_SLOTS, (s + 1) * OUT_SLOTS);
      results.push(readResult(block, block[OUT.status]! as SparseStatus));
    }
    return results;
  }, instance);
}
