// A market index built with the pool's help: the passes over the bars that do not depend on each
// other run on two workers at once (the index is the same bit for bit as buildMarketIndex's).
import { beginMarketIndex, buildMarketIndex, marketIndexRoundsForTwo, releaseMarketIndex, type MarketIndex, type MarketIndexOptions } from '../market/marketIndex.ts';
import type { Bars, ExecutionCosts } from '../types.ts';
import { allSettledOrThrow, type EnginePool } from './pool.ts';

/**
 * buildMarketIndex on `pool`'s memory: with two workers or more, the calling thread copies the bars
 * in and computes the returns, and the table passes (rolling volatility, the prefix records'
 * parts, the block summaries) run as rounds of two worker tasks; with one worker, all on the calling
 * thread (splitting costs a few passes more, which one thread would only pay for). Errors as
 * buildMarketIndex's; the region is given back when a task fails.
 */
export async function buildMarketIndexInPool(
  bars: Pick<Bars, 'close' | 'volume'>, costs: Pick<ExecutionCosts, 'volatilityWindowBars'>, pool: EnginePool, options: MarketIndexOptions = {},
): Promise<MarketIndex> {
  if (pool.workers < 2) return buildMarketIndex(bars, costs, pool.instance, options);
  const { index, tables } = beginMarketIndex(bars, costs, pool.instance, options);
  try {
    for (const round of marketIndexRoundsForTwo(tables.bars)) {
      await allSettledOrThrow(round.map((steps) => pool.run<void>({ kind: 'market-index-steps', tables, steps })));
    }
    return index;
  } catch (error) {
    releaseMarketIndex(index);
    throw error;
  }
}
