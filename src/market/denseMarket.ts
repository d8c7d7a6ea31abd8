import { SchemaError } from '../errors.ts';
import { kernels, type KernelInstance } from '../kernels/runtime.ts';
import type { Bars, ExecutionCosts } from '../types.ts';

/**
 * Per-bar market columns the dense path reads, living in kernel memory so every strategy of a
 * run uses them without a copy: closes, volumes, bar returns and (for the sqrt law) the rolling
 * volatility. Built once per symbol.
 */
export interface DenseMarket {
  readonly instance: KernelInstance;
  readonly barCount: number;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** r[0] = 0, r[t] = close[t] / close[t-1] - 1. */
  readonly returns: Float64Array;
  /** Rolling ddof=1 std of r over `volatilityWindowBars`, or undefined when not needed. */
  readonly sigma: Float64Array | undefined;
  readonly volatilityWindowBars: number;
}

/**
 * Copies the bars' closes and volumes into kernel memory and computes bar returns (and sigma when
 * the cost model is sqrt). Throws SchemaError naming the bar of the first NaN or non-positive close.
 */
export function buildDenseMarket(bars: Pick<Bars, 'close' | 'volume'>, costs: ExecutionCosts, source = 'bars', instance: KernelInstance = kernels()): DenseMarket {
  const n = bars.close.length;
  const { arena, exports: k } = instance;
  const close = arena.copyF64(bars.close);
  const volume = arena.copyF64(bars.volume);
  const returns = arena.f64(n);
  const bad = k.barReturns(close.byteOffset, n, returns.byteOffset);
  if (bad >= 0) {
    throw new SchemaError(`${source}: close at bar ${bad} is ${bars.close[bad]}, prices must be finite and > 0`, { file: source, column: 'close', row: bad });
  }
  let sigma: Float64Array | undefined;
  if (costs.slippageModel === 'sqrt') {
    sigma = arena.f64(n);
    k.rollingVolatility(returns.byteOffset, n, costs.volatilityWindowBars, sigma.byteOffset);
  }
  return { instance, barCount: n, close, volume, returns, sigma, volatilityWindowBars: costs.volatilityWindowBars };
}
