import type { KernelExports } from './runtime.ts';

// Layout of the market index tables (assembly/prefix.ts); mirrored constants.

/** f64 slots per prefix record; record i holds double-double sums over bars j < i. */
export const PREFIX_RECORD_SLOTS = 16;
/** Slot of each field of a prefix record (hi/lo pairs are double-double sums). */
export const PREFIX_RECORD = {
  sumHi: 0, sumLo: 1,
  sumSquaresHi: 2, sumSquaresLo: 3,
  downsideLongHi: 4, downsideLongLo: 5,
  downsideShortHi: 6, downsideShortLo: 7,
  logLongLo: 8, logShortLo: 9,
  positiveLong: 10, negativeLong: 11, positiveShort: 12, negativeShort: 13,
  logLongHi: 14, logShortHi: 15,
} as const;
/** Positions per block of the range tables (one u64 mask bit per position). */
export const RANGE_BLOCK = 64;

/** Blocks and sparse-table levels for `positions` prefix positions. */
export function rangeTableShape(positions: number): { blocks: number; levels: number } {
  const blocks = Math.max(1, Math.ceil(positions / RANGE_BLOCK));
  return { blocks, levels: Math.floor(Math.log2(blocks)) + 1 };
}

/** Byte offsets of one side's range tables (all inside kernel memory). */
export interface RangeTablePointers {
  logPrefix: number;
  maskMin: number;
  maskMax: number;
  dropPrefix: number;
  dropSuffix: number;
  tableMax: number;
  tableMin: number;
  tableDrop: number;
}

/**
 * Prefix records of bar returns (WASM kernel `buildPrefixRecords`): double-double prefix sums of
 * r, r^2, min(r - rf, 0)^2, min(-r - rf, 0)^2, log1p(r), log1p(-r) and sign counts, plus the hi
 * parts of the two log prefixes at llPtr / lsPtr. All pointers are byte offsets in kernel memory.
 */
export function buildPrefixRecords(k: KernelExports, retPtr: number, bars: number, riskFreePerBar: number, recPtr: number, llPtr: number, lsPtr: number): void {
  k.buildPrefixRecords(retPtr, bars, riskFreePerBar, recPtr, llPtr, lsPtr);
}

/** Range max / min / max-drop tables over one log prefix (WASM kernel `buildRangeTables`). */
export function buildRangeTables(k: KernelExports, positions: number, side: RangeTablePointers): void {
  const { blocks, levels } = rangeTableShape(positions);
  k.buildRangeTables(
    side.logPrefix, positions, side.maskMin, side.maskMax, side.dropPrefix, side.dropSuffix,
    side.tableMax, side.tableMin, side.tableDrop, blocks, levels,
  );
}
