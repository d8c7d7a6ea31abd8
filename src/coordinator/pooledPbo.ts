// pooledPbo: CSCV (Probability of Backtest Overfitting) with the work sharded over the engine
// pool: block sums by column ranges and the C(S, S/2) splits by contiguous ranges, both on the
// workers over the pool's shared memory, merged by summarizePbo. Bit-for-bit the result of the
// single-threaded probabilityOfBacktestOverfitting / pboByGroup.
import { DEFAULT_LOGIT_BINS, DEFAULT_PBO_BLOCKS, halfSplitMasks, selectBlockSums, summarizePbo, type PboResult } from '../analytics/overfitting/pbo.ts';
import type { ReturnMatrix } from '../analytics/returnMatrix.ts';
import { InputError } from '../errors.ts';
import type { PboBlockSumsOutcome } from '../engine/messages.ts';
import { runPboSplitRange } from '../engine/overfitTasks.ts';
import type { EnginePool } from '../engine/pool.ts';
import { blockBounds, pboBlockSums, type PboBlockSums, type PboMetric, type PboSplitResults } from '../kernels/pbo.ts';
import { instantiateKernels, type KernelInstance } from '../kernels/runtime.ts';

/** Splits evaluated per pool task at least (in split × strategy units), so small PBOs are not over-sharded. */
const MIN_SPLIT_WORK_PER_TASK = 250_000;
/** Matrices with at least this many values (T·N) get their block sums computed on the workers too. */
const MIN_SHARDED_BLOCK_SUM_VALUES = 1 << 22;
/** Tasks per worker a PBO is sharded into at most (a little slack for uneven workers). */
const TASKS_PER_WORKER = 2;

/** Options of pooledPbo. */
export interface PooledPboOptions {
  /** S; default 16. */
  blocks?: number;
  metric?: PboMetric;
  histogramBins?: number;
  /** Subsets of columns to run CSCV on separately (e.g. families); default one set of all columns. */
  groups?: readonly (readonly number[])[];
  /**
   * Compute the block sums on the workers: default when the matrix is in the pool's shared memory
   * and has at least 2^22 values; true forces it (the matrix must be in the pool's memory), false
   * keeps it on this thread.
   */
  shardBlockSums?: boolean;
}

/**
 * CSCV (the same result as probabilityOfBacktestOverfitting / pboByGroup, bit for bit) with the
 * work sharded over the pool's workers: block sums once for all columns (by column ranges on the
 * workers when the matrix is in the pool's shared memory and has at least 2^22 values, else on this
 * thread), copied with the split masks into the shared memory, and each 'pbo-splits' task evaluates
 * a contiguous range of the C(S, S/2) splits; summarizePbo merges.
 * Without a pool, every range runs here. Returns one result per group (null for a group of < 2)
 * and the number of pool tasks.
 */
export async function pooledPbo(
  matrix: ReturnMatrix, pool: EnginePool | undefined, options: PooledPboOptions = {},
): Promise<{ results: (PboResult | null)[]; tasks: number }> {
  const blocks = options.blocks ?? DEFAULT_PBO_BLOCKS;
  const metric = options.metric ?? 'sharpe';
  const nStrategies = matrix.names.length;
  const groups = options.groups ?? [Array.from({ length: nStrategies }, (_, j) => j)];
  const masks = halfSplitMasks(blocks);
  if (matrix.bars < 2 * blocks) throw new InputError(`PBO with ${blocks} blocks needs at least ${2 * blocks} bars (2 per block), got ${matrix.bars}`);
  const instance: KernelInstance = pool ? pool.instance : instantiateKernels();
  const mark = instance.arena.mark();
  let tasks = 0;
  try {
    let sums: PboBlockSums;
    const shardable = pool !== undefined && matrix.values.buffer instanceof SharedArrayBuffer && nStrategies >= 2;
    if (pool && shardable && (options.shardBlockSums ?? matrix.bars * nStrategies >= MIN_SHARDED_BLOCK_SUM_VALUES)) {
      const sharded = await shardedBlockSums(matrix, blocks, pool);
      sums = sharded.sums;
      tasks += sharded.tasks;
    } else {
      sums = pboBlockSums(matrix.values, matrix.bars, nStrategies, blocks, instance);
    }
    const sharedMasks = pool ? pool.share(instance.arena.copyI32(masks)) : undefined;
    const results = await Promise.all(groups.map(async (members) => {
      if (members.length < 2) return null;
      const groupSums = members.length === nStrategies && members.every((j, i) => j === i) ? sums : selectBlockSums(sums, members);
      const ranges = splitRanges(masks.length, members.length, pool ? pool.workers : 1);
      let parts: PboSplitResults[];
      if (pool && sharedMasks !== undefined) {
        const sumsRef = pool.share(sharedBlockSums(groupSums, instance));
        tasks += ranges.length;
        parts = await Promise.all(ranges.map(([splitStart, splitEnd]) => pool.run<PboSplitResults>({
          kind: 'pbo-splits', sums: sumsRef, masks: sharedMasks, splitStart, splitEnd, metric,
        })));
      } else {
        parts = ranges.map(([start, end]) => runPboSplitRange(groupSums, masks, start, end, metric, instance));
      }
      return summarizePbo(parts, {
        nStrategies: members.length, nBars: matrix.bars, blocks, metric, histogramBins: options.histogramBins ?? DEFAULT_LOGIT_BINS,
      });
    }));
    return { results, tasks };
  } finally {
    instance.arena.release(mark);
  }
}

/**
 * Block sums with the columns split over the workers ('pbo-block-sums' tasks reading the matrix in
 * place). Each column's sums depend on that column only, so the result equals pboBlockSums of the
 * whole matrix bit for bit. InputError names the strategy and bar of a non-finite value.
 */
async function shardedBlockSums(matrix: ReturnMatrix, blocks: number, pool: EnginePool): Promise<{ sums: PboBlockSums; tasks: number }> {
  const nStrategies = matrix.names.length;
  const count = Math.min(nStrategies, pool.workers * TASKS_PER_WORKER);
  const matrixRef = pool.share(matrix.values);
  const ranges = Array.from({ length: count }, (_, i) => [Math.floor((i * nStrategies) / count), Math.floor(((i + 1) * nStrategies) / count)] as const);
  const parts = await Promise.all(ranges.map(([columnStart, columnEnd]) => pool.run<PboBlockSumsOutcome>({
    kind: 'pbo-block-sums', matrix: matrixRef, nBars: matrix.bars, columnStart, columnEnd, blocks,
  })));
  const bounds = blockBounds(matrix.bars, blocks);
  const counts = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) counts[b] = bounds[b + 1]! - bounds[b]!;
  const centre = new Float64Array(nStrategies);
  const sum = new Float64Array(nStrategies * blocks);
  const squares = new Float64Array(nStrategies * blocks);
  for (const part of parts) {
    if (!part.ok) {
      const name = matrix.names[part.strategy]!;
      throw new InputError(`strategy '${name}' (column ${part.strategy}), bar ${part.row}: return is not finite; PBO needs complete rows`, { column: name, row: part.row });
    }
    centre.set(part.centre, part.columnStart);
    sum.set(part.sum, part.columnStart * blocks);
    squares.set(part.squares, part.columnStart * blocks);
  }
  return { sums: { nStrategies, blocks, bounds, counts, centre, sum, squares }, tasks: ranges.length };
}

/** Contiguous split ranges: about one per worker × TASKS_PER_WORKER, fewer when the work is small. */
function splitRanges(splits: number, nStrategies: number, workers: number): [number, number][] {
  const byWork = Math.ceil((splits * nStrategies) / MIN_SPLIT_WORK_PER_TASK);
  const count = Math.max(1, Math.min(splits, workers * TASKS_PER_WORKER, byWork));
  const ranges: [number, number][] = [];
  for (let i = 0; i < count; i++) ranges.push([Math.floor((i * splits) / count), Math.floor(((i + 1) * splits) / count)]);
  return ranges;
}

/** A copy of the block sums whose arrays live in the instance's (shared) memory, for pool.share. */
function sharedBlockSums(sums: PboBlockSums, instance: KernelInstance): PboBlockSums {
  const { arena } = instance;
  return {
    nStrategies: sums.nStrategies, blocks: sums.blocks,
    bounds: arena.copyI32(sums.bounds), counts: arena.copyF64(sums.counts), centre: arena.copyF64(sums.centre),
    sum: arena.copyF64(sums.sum), squares: arena.copyF64(sums.squares),
  };
}
