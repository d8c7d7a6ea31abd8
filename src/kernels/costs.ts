import { InputError } from '../errors.ts';
import type { ExecutionCosts } from '../types.ts';
import { withScratch } from './runtime.ts';

/** Kernel code of each slippage model (assembly/costs.ts). */
export const SLIPPAGE_MODEL_CODE = { linear: 0, sqrt: 1 } as const;

/** Rolling ddof=1 standard deviation of bar returns over `windowBars` (WASM kernel `rollingVolatility`). */
export function rollingVolatility(returns: Float64Array, windowBars: number): Float64Array {
  return withScratch((arena, k) => {
    const input = arena.copyF64(returns);
    const out = arena.f64(returns.length);
    k.rollingVolatility(input.byteOffset, returns.length, windowBars, out.byteOffset);
    return out.slice();
  });
}

/** Market columns the sqrt impact law reads; ignored by the linear model. */
export interface ImpactInputs {
  close: Float64Array;
  volume: Float64Array;
  /** Rolling volatility per bar (see rollingVolatility). */
  sigma: Float64Array;
}

/** Gross/net returns and cost per bar, with the first bar a sqrt-model trade could not be priced (-1 if none). */
export interface StrategyReturnsResult {
  gross: Float64Array;
  net: Float64Array;
  cost: Float64Array;
  firstUnpricedBar: number;
}

/**
 * Strategy returns from dense positions with costs (WASM kernel `strategyReturns`).
 * Throws InputError when a series' length differs from positions' or the sqrt model has no impact inputs.
 */
export function strategyReturns(
  positions: Float64Array, returns: Float64Array, costs: ExecutionCosts, impact?: ImpactInputs,
): StrategyReturnsResult {
  const n = positions.length;
  const sqrt = costs.slippageModel === 'sqrt';
  if (returns.length !== n) throw new InputError(`returns has ${returns.length} bars but positions has ${n}`);
  if (sqrt) {
    if (!impact) throw new InputError('the sqrt slippage model needs close, volume and sigma (impact inputs)');
    for (const name of ['close', 'volume', 'sigma'] as const) {
      if (impact[name].length !== n) throw new InputError(`impact.${name} has ${impact[name].length} bars but positions has ${n}`);
    }
  }
  return withScratch((arena, k) => {
    const pos = arena.copyF64(positions);
    const ret = arena.copyF64(returns);
    const close = sqrt && impact ? arena.copyF64(impact.close) : undefined;
    const volume = sqrt && impact ? arena.copyF64(impact.volume) : undefined;
    const sigma = sqrt && impact ? arena.copyF64(impact.sigma) : undefined;
    const gross = arena.f64(n);
    const net = arena.f64(n);
    const cost = arena.f64(n);
    const firstUnpricedBar = k.strategyReturns(
      pos.byteOffset, ret.byteOffset, close?.byteOffset ?? 0, volume?.byteOffset ?? 0, sigma?.byteOffset ?? 0, n,
      SLIPPAGE_MODEL_CODE[costs.slippageModel], costs.commissionRate, costs.slippageRate, costs.impactCoefficient, costs.capital,
      gross.byteOffset, net.byteOffset, cost.byteOffset,
    );
    return { gross: gross.slice(), net: net.slice(), cost: cost.slice(), firstUnpricedBar };
  });
}
