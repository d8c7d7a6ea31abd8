// Bindings of assembly/pbo.ts: CSCV block sums and split evaluation for the Probability of Backtest
// Overfitting (src/analytics/overfitting/pbo.ts drives them).
import { InputError } from '../errors.ts';
import { kernels, withScratch, type KernelInstance } from './runtime.ts';

/** Performance measure ranked by CSCV: per-bar Sharpe ratio (mean / std, ddof = 1) or mean return. */
export type PboMetric = 'sharpe' | 'mean';

const METRIC_CODE: Record<PboMetric, number> = { sharpe: 0, mean: 1 };

/** Columns are copied into kernel memory in chunks of about this many bytes. */
const COPY_CHUNK_BYTES = 16 << 20;

/** Per-block sums of a T×N return matrix (assembly/pbo.ts pboBlockSums layout). */
export interface PboBlockSums {
  nStrategies: number;
  /** S, the number of blocks. */
  blocks: number;
  /** Block b covers bars [bounds[b], bounds[b+1]); length S + 1. */
  bounds: Int32Array;
  /** Bars per block, length S. */
  counts: Float64Array;
  /** Mean of each strategy over all bars (the centre of `squares`), length N. */
  centre: Float64Array;
  /** Σx per strategy and block, strategy-major (j·S + b), length N·S. */
  sum: Float64Array;
  /** Σ(x − centre_j)² per strategy and block, strategy-major, length N·S. */
  squares: Float64Array;
}

/** Results of a range [splitStart, splitEnd) of splits; arrays are indexed by split − splitStart. */
export interface PboSplitResults {
  splitStart: number;
  /** Exclusive. */
  splitEnd: number;
  /** The in-sample-best strategy of each split (first index among equal maxima). */
  selected: Int32Array;
  /** Its in-sample performance. */
  inSample: Float64Array;
  /** Its out-of-sample performance. */
  outOfSample: Float64Array;
  /** Its out-of-sample rank among the N strategies, 1 = worst, N = best, ties at the mid-rank. */
  rank: Float64Array;
}

/**
 * Block boundaries of T bars cut into S blocks of consecutive bars: bounds[b] = ⌊b·T/S⌋, so block
 * sizes differ by at most one bar (the paper's equal blocks when S divides T).
 */
export function blockBounds(nBars: number, blocks: number): Int32Array {
  const bounds = new Int32Array(blocks + 1);
  for (let b = 0; b <= blocks; b++) bounds[b] = Math.floor((b * nBars) / blocks);
  return bounds;
}

/**
 * Block sums of a column-major T×N matrix (WASM kernel `pboBlockSums`, SIMD, O(T·N)). The values
 * are copied into kernel memory a few columns at a time, unless `values` already is a view of the
 * kernel memory (then it is read in place). Throws InputError naming the strategy and bar of the
 * first non-finite value.
 */
export function pboBlockSums(
  values: Float64Array, nBars: number, nStrategies: number, blocks: number, instance: KernelInstance = kernels(),
): PboBlockSums {
  if (values.length !== nBars * nStrategies) {
    throw new InputError(`matrix has ${values.length} values, expected nBars ${nBars} x nStrategies ${nStrategies}`);
  }
  const bounds = blockBounds(nBars, blocks);
  const counts = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) counts[b] = bounds[b + 1]! - bounds[b]!;
  const inPlace = values.buffer === instance.memory.buffer;
  return withScratch((arena, k) => {
    const boundsIn = arena.copyI32(bounds);
    const centre = arena.f64(nStrategies);
    const sum = arena.f64(nStrategies * blocks);
    const squares = arena.f64(nStrategies * blocks);
    const fail = (flat: number, firstColumn: number): never => {
      const strategy = firstColumn + Math.floor(flat / nBars);
      const bar = flat % nBars;
      throw new InputError(`strategy ${strategy}, bar ${bar}: return ${values[strategy * nBars + bar]} is not finite`, { strategy, row: bar });
    };
    if (inPlace) {
      const bad = k.pboBlockSums(values.byteOffset, nBars, nStrategies, blocks, boundsIn.byteOffset, centre.byteOffset, sum.byteOffset, squares.byteOffset);
      if (bad >= 0) fail(bad, 0);
    } else {
      const chunkColumns = Math.max(1, Math.min(nStrategies, Math.floor(COPY_CHUNK_BYTES / Math.max(1, nBars * 8))));
      const chunk = arena.f64(chunkColumns * nBars);
      for (let first = 0; first < nStrategies; first += chunkColumns) {
        const columns = Math.min(chunkColumns, nStrategies - first);
        chunk.set(values.subarray(first * nBars, (first + columns) * nBars));
        const bad = k.pboBlockSums(
          chunk.byteOffset, nBars, columns, blocks, boundsIn.byteOffset,
          centre.byteOffset + first * 8, sum.byteOffset + first * blocks * 8, squares.byteOffset + first * blocks * 8,
        );
        if (bad >= 0) fail(bad, first);
      }
    }
    return { nStrategies, blocks, bounds, counts, centre: centre.slice(), sum: sum.slice(), squares: squares.slice() };
  }, instance);
}

/**
 * Evaluates splits [splitStart, splitEnd) of `masks` (bit b set = block b in-sample) from block sums
 * (WASM kernel `pboSplits`, O(S·N) per split). Independent ranges can run on different workers.
 */
export function pboSplits(
  sums: PboBlockSums, masks: Int32Array, splitStart: number, splitEnd: number, metric: PboMetric = 'sharpe',
  instance: KernelInstance = kernels(),
): PboSplitResults {
  if (!(Number.isInteger(splitStart) && Number.isInteger(splitEnd) && splitStart >= 0 && splitStart <= splitEnd && splitEnd <= masks.length)) {
    throw new InputError(`split range [${splitStart}, ${splitEnd}) is not inside [0, ${masks.length})`);
  }
  const code = METRIC_CODE[metric];
  if (code === undefined) throw new InputError(`metric must be 'sharpe' or 'mean', got '${String(metric)}'`);
  const { nStrategies, blocks } = sums;
  const count = splitEnd - splitStart;
  return withScratch((arena, k) => {
    const centre = arena.copyF64(sums.centre);
    const sum = arena.copyF64(sums.sum);
    const squares = arena.copyF64(sums.squares);
    const counts = arena.copyF64(sums.counts);
    const masksIn = arena.copyI32(masks.subarray(splitStart, splitEnd));
    const scratch = arena.f64(Math.max(1, nStrategies));
    const selected = arena.i32(count);
    const inSample = arena.f64(count);
    const outOfSample = arena.f64(count);
    const rank = arena.f64(count);
    k.pboSplits(
      centre.byteOffset, sum.byteOffset, squares.byteOffset, counts.byteOffset, nStrategies, blocks,
      masksIn.byteOffset, 0, count, code, scratch.byteOffset,
      selected.byteOffset, inSample.byteOffset, outOfSample.byteOffset, rank.byteOffset,
    );
    return { splitStart, splitEnd, selected: selected.slice(), inSample: inSample.slice(), outOfSample: outOfSample.slice(), rank: rank.slice() };
  }, instance);
}
