// Reference (plain TS) of assembly/costs.ts; same signatures as src/kernels/costs.ts.
import { InputError } from '../../src/errors.ts';
import type { ExecutionCosts } from '../../src/types.ts';

/**
 * Rolling sample standard deviation of bar returns, two-pass per window (O(n * window)):
 *
 *   sigma[t] = std(r[max(1, t - window + 1) .. t], ddof = 1), NaN skipped; 0 with fewer than 2 values
 *
 * r[0] (no prior close) never enters a window.
 */
export function rollingVolatility(returns: Float64Array, windowBars: number): Float64Array {
  const n = returns.length;
  const sigma = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const first = Math.max(1, t - windowBars + 1);
    let count = 0;
    let sum = 0;
    for (let j = first; j <= t; j++) {
      const x = returns[j]!;
      if (!Number.isNaN(x)) { count++; sum += x; }
    }
    if (count < 2) continue;
    const mean = sum / count;
    let squares = 0;
    for (let j = first; j <= t; j++) {
      const x = returns[j]!;
      if (!Number.isNaN(x)) squares += (x - mean) * (x - mean);
    }
    sigma[t] = Math.sqrt(squares / (count - 1));
  }
  return sigma;
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
 * Gross and net strategy returns, costs charged at the bar where the position changes:
 *
 *   gross[t] = pos[t-1] * r[t]   (pos[-1] = 0; a NaN r counts as 0)
 *   cost[t]  = |pos[t] - pos[t-1]| * (commissionRate + slippageRate)                                    (linear)
 *            = |pos[t] - pos[t-1]| * (commissionRate + k * sigma[t] * sqrt(|Δpos| * capital / (close[t] * volume[t])))  (sqrt)
 *   net[t]   = gross[t] - cost[t]
 *
 * With the sqrt model, the first bar that trades without close > 0 and volume > 0 is reported in
 * firstUnpricedBar and the bars from it on are left at 0.
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
  const gross = new Float64Array(n);
  const net = new Float64Array(n);
  const cost = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const before = t > 0 ? positions[t - 1]! : 0;
    const r = Number.isNaN(returns[t]!) ? 0 : returns[t]!;
    const traded = Math.abs(positions[t]! - before);
    let unit = 0;
    if (traded > 0) {
      if (sqrt) {
        const close = impact!.close[t]!;
        const volume = impact!.volume[t]!;
        if (!(close > 0) || !(volume > 0)) return { gross, net, cost, firstUnpricedBar: t };
        unit = costs.commissionRate + costs.impactCoefficient * impact!.sigma[t]! * Math.sqrt((traded * costs.capital) / (close * volume));
      } else {
        unit = costs.commissionRate + costs.slippageRate;
      }
    }
    gross[t] = before * r;
    cost[t] = traded * unit;
    net[t] = gross[t]! - cost[t]!;
  }
  return { gross, net, cost, firstUnpricedBar: -1 };
}
