import type { ExecutionCosts } from '../types.ts';
import { SLIPPAGE_MODEL_CODE } from './costs.ts';
import { MOMENT_SLOTS, readMoments, type Moments } from './moments.ts';
import type { KernelInstance } from './runtime.ts';
import { withScratch } from './runtime.ts';

// Mirrors of assembly/sparse.ts.

/** u32 slots of the market index header the sparse kernel reads. */
export const INDEX_HEADER = {
  bars: 0, records: 1, close: 2, volume: 3, sigma: 4, returns: 5, blocks: 6, levels: 7, long: 8, short: 16,
} as const;
export const INDEX_HEADER_SLOTS = 24;
const OUT_SLOTS = 24;
const OUT = { net: 0, gross: 8, maxDrawdown: 16, totalCosts: 17, exposureBars: 18, durationSum: 19, tradeCount: 20, detail: 21 } as const;

/** Status codes of the `sparseMetrics` kernel. */
export const SPARSE_STATUS = { ok: 0, badRow: 1, notUnit: 2, unpriced: 3, ruin: 4, constant: 5 } as const;
export type SparseStatus = (typeof SPARSE_STATUS)[keyof typeof SPARSE_STATUS];

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
  trades: { start: Int32Array; end: Int32Array; grossReturn: Float64Array; netReturn: Float64Array };
}

/**
 * Runs the WASM kernel `sparseMetrics` over a market index (header at `headerPtr` in the memory
 * of `instance`) for one change list. O(K) in the number of rows.
 */
export function runSparseKernel(
  instance: KernelInstance, headerPtr: number, riskFreePerBar: number, idx: Int32Array, value: Float64Array, costs: ExecutionCosts,
): SparseKernelResult {
  const k = idx.length;
  return withScratch((arena, x) => {
    const idxIn = arena.copyI32(idx);
    const valueIn = arena.copyF64(value);
    const out = arena.f64(OUT_SLOTS);
    const cap = Math.max(1, k);
    const start = arena.i32(cap);
    const end = arena.i32(cap);
    const gross = arena.f64(cap);
    const net = arena.f64(cap);
    const status = x.sparseMetrics(
      headerPtr, riskFreePerBar, idxIn.byteOffset, valueIn.byteOffset, k,
      SLIPPAGE_MODEL_CODE[costs.slippageModel], costs.commissionRate, costs.slippageRate, costs.impactCoefficient, costs.capital,
      out.byteOffset, start.byteOffset, end.byteOffset, gross.byteOffset, net.byteOffset,
    ) as SparseStatus;
    const count = status === SPARSE_STATUS.ok || status === SPARSE_STATUS.constant ? out[OUT.tradeCount]! : 0;
    return {
      status,
      detail: out[OUT.detail]!,
      net: readMoments(out.subarray(OUT.net, OUT.net + MOMENT_SLOTS)),
      gross: readMoments(out.subarray(OUT.gross, OUT.gross + MOMENT_SLOTS)),
      maxDrawdown: out[OUT.maxDrawdown]!,
      totalCosts: out[OUT.totalCosts]!,
      exposureBars: out[OUT.exposureBars]!,
      tradeDurationBarsSum: out[OUT.durationSum]!,
      trades: { start: start.slice(0, count), end: end.slice(0, count), grossReturn: gross.slice(0, count), netReturn: net.slice(0, count) },
    };
  }, instance);
}
