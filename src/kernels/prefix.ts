import type { KernelExports } from './runtime.ts';

// Layout of the market index tables (assembly/prefix.ts); mirrored constants.

/** f64 slots per prefix record (128 bytes); record i holds double-double sums over bars j < i. */
export const PREFIX_RECORD_SLOTS = 16;
/** Bytes per prefix record (records are 128-byte aligned: one pair of cache lines each). */
export const PREFIX_RECORD_BYTES = 128;
/**
 * Slot of each field of a prefix record (hi/lo pairs are double-double sums; `barReturn` and
 * `sqrtFactor` belong to bar i - 1; the count slots hold two u32 each: positive, negative).
 */
export const PREFIX_RECORD = {
  sumHi: 0, sumLo: 1,
  sumSquaresHi: 2, sumSquaresLo: 3,
  downsideLongHi: 4, downsideLongLo: 5,
  downsideShortHi: 6, downsideShortLo: 7,
  logLongHi: 8, logLongLo: 9,
  logShortHi: 10, logShortLo: 11,
  barReturn: 12, sqrtFactor: 13,
  countsLong: 14, countsShort: 15,
} as const;
/** Positions per block of the drawdown summaries. */
export const SUMMARY_BLOCK = 64;
/** f64 slots per block summary (64 bytes): long max, min, max-drop; short max, min, max-drop; 2 unused. */
export const BLOCK_SUMMARY_SLOTS = 8;

/** Number of block summaries for `positions` prefix positions. */
export function summaryBlocks(positions: number): number {
  return Math.max(1, Math.ceil(positions / SUMMARY_BLOCK));
}

/**
 * Parts of the prefix records that two threads can build at the same time (assembly/prefix.ts
 * PREFIX_PART_*): 'sums' (the first cache line of each record: sums of r, r^2 and the downsides),
 * 'logs' (the second line but the sqrt-law factor, and the log prefixes), 'factor' (that factor,
 * once 'logs' is done: same line). Together they write what 'all' (one fused pass) writes, bit for bit.
 */
export const PREFIX_PART = { sums: 1, logs: 2, factor: 3 } as const;
export type PrefixPart = keyof typeof PREFIX_PART | 'all';

/**
 * Prefix records of bar returns (WASM kernels `buildPrefixRecords`, and `buildPrefixRecordsPart`
 * for one part): double-double prefix sums of r, r^2, min(r - rf, 0)^2, min(-r - rf, 0)^2,
 * log1p(r), log1p(-r), sign counts, and per record the previous bar's return and sqrt-law factor
 * sigma / sqrt(close * volume); plus the hi parts of the two log prefixes at llPtr / lsPtr. All
 * pointers are byte offsets in kernel memory. `part` (default 'all': one pass over the records,
 * ~37 ms at 1M bars against ~45 in three) as PREFIX_PART.
 */
export function buildPrefixRecords(
  k: KernelExports, bars: { returns: number; close: number; volume: number; sigma: number }, n: number, riskFreePerBar: number,
  recPtr: number, llPtr: number, lsPtr: number, part: PrefixPart = 'all',
): void {
  if (part === 'all') k.buildPrefixRecords(bars.returns, bars.close, bars.volume, bars.sigma, n, riskFreePerBar, recPtr, llPtr, lsPtr);
  else k.buildPrefixRecordsPart(bars.returns, bars.close, bars.volume, bars.sigma, n, riskFreePerBar, recPtr, llPtr, lsPtr, PREFIX_PART[part]);
}

/** Per-64-position max / min / max-drop of both log prefixes (WASM kernel `buildBlockSummaries`). */
export function buildBlockSummaries(k: KernelExports, llPtr: number, lsPtr: number, positions: number, blocksPtr: number): void {
  k.buildBlockSummaries(llPtr, lsPtr, positions, blocksPtr);
}
