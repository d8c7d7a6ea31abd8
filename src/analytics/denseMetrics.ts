import { changeListError } from '../kernels/expand.ts';
import { MOMENT_SLOTS, readMoments } from '../kernels/moments.ts';
import { SLIPPAGE_MODEL_CODE } from '../kernels/costs.ts';
import { withScratch } from '../kernels/runtime.ts';
import { SchemaError } from '../errors.ts';
import type { DenseMarket } from '../market/denseMarket.ts';
import type { ExecutionCosts, PerformanceMetrics, SignalTrace } from '../types.ts';
import type { MetricOptions } from './metricOptions.ts';
import { assembleStrategyMetrics, riskFreeForOptions, type StrategyAggregates } from './strategyMetrics.ts';

/** Dense per-bar series of one strategy, in kernel memory (valid until the scratch is released). */
export interface DenseStrategySeries {
  positions: Float64Array;
  gross: Float64Array;
  net: Float64Array;
  cost: Float64Array;
}

/**
 * Metrics of one strategy by the dense path: expand the change list to bars, price every bar,
 * then reduce (all in WASM; O(T) per strategy). The reference every faster path is tested against.
 *
 * @param market bars of the strategy's symbol, built once by buildDenseMarket
 * @param trace change list (bar index + new position)
 * @param costs execution cost model (the market must have sigma when it is 'sqrt')
 * @param onSeries optional peek at the dense series before the scratch is released
 */
export function denseStrategyMetrics(
  market: DenseMarket, trace: SignalTrace, costs: ExecutionCosts, options: MetricOptions,
  onSeries?: (series: DenseStrategySeries) => void,
): PerformanceMetrics {
  const n = market.barCount;
  const rf = riskFreeForOptions(options);
  return withScratch((arena, k) => {
    const idx = arena.copyI32(trace.idx);
    const value = arena.copyF64(trace.signal);
    const positions = arena.f64(n);
    const badRow = k.expandSignal(idx.byteOffset, value.byteOffset, trace.idx.length, n, positions.byteOffset);
    if (badRow >= 0) throw changeListError(trace.idx, badRow, n);
    const gross = arena.f64(n);
    const net = arena.f64(n);
    const cost = arena.f64(n);
    if (costs.slippageModel === 'sqrt' && (!market.sigma || market.volatilityWindowBars !== costs.volatilityWindowBars)) {
      throw new SchemaError('the market was built without the rolling volatility this sqrt cost model needs');
    }
    const unpriced = k.strategyReturns(
      positions.byteOffset, market.returns.byteOffset, market.close.byteOffset, market.volume.byteOffset, market.sigma?.byteOffset ?? 0, n,
      SLIPPAGE_MODEL_CODE[costs.slippageModel], costs.commissionRate, costs.slippageRate, costs.impactCoefficient, costs.capital,
      gross.byteOffset, net.byteOffset, cost.byteOffset,
    );
    if (unpriced >= 0) throw new SchemaError(`bar ${unpriced}: the sqrt cost model needs volume > 0 where a trade happens, got ${market.volume[unpriced]}`, { column: 'volume', row: unpriced });
    const netBlock = arena.f64(MOMENT_SLOTS);
    const grossBlock = arena.f64(MOMENT_SLOTS);
    k.moments(net.byteOffset, n, rf, netBlock.byteOffset);
    k.moments(gross.byteOffset, n, rf, grossBlock.byteOffset);
    const maxDrawdown = k.maxDrawdown(net.byteOffset, n);
    const totalCosts = k.sumValues(cost.byteOffset, n);
    const start = arena.i32(n);
    const end = arena.i32(n);
    const tradeGross = arena.f64(n);
    const tradeNet = arena.f64(n);
    const tradeCount = k.extractTrades(positions.byteOffset, market.returns.byteOffset, cost.byteOffset, n, start.byteOffset, end.byteOffset, tradeGross.byteOffset, tradeNet.byteOffset);
    let durationSum = 0;
    for (let i = 0; i < tradeCount; i++) durationSum += end[i]! - start[i]!;
    onSeries?.({ positions, gross, net, cost });
    const aggregates: StrategyAggregates = {
      bars: n,
      net: readMoments(netBlock),
      gross: readMoments(grossBlock),
      maxDrawdown,
      totalCosts,
      exposureBars: durationSum,
      tradeNetReturns: tradeNet.subarray(0, tradeCount),
      tradeDurationBarsSum: durationSum,
    };
    return assembleStrategyMetrics(aggregates, options);
  }, market.instance);
}
