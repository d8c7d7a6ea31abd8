// Reference (plain TS) of assembly/drawdown.ts; same signatures as src/kernels/drawdown.ts.

/** Compounded equity from 1: equity[t] = prod_{j <= t} (1 + R[j]), a NaN R counting as 0. */
export function equityCurve(returns: Float64Array): Float64Array {
  const equity = new Float64Array(returns.length);
  let value = 1;
  for (let t = 0; t < returns.length; t++) {
    const r = returns[t]!;
    if (!Number.isNaN(r)) value *= 1 + r;
    equity[t] = value;
  }
  return equity;
}

/**
 * Underwater curve dd[t] = 1 - equity[t] / max(1, max_{j <= t} equity[j]) and its maximum
 * (0 when empty or never under water).
 */
export function drawdownSeries(returns: Float64Array): { drawdown: Float64Array; maxDrawdown: number } {
  const equity = equityCurve(returns);
  const drawdown = new Float64Array(returns.length);
  let peak = 1;
  let maxDrawdown = 0;
  for (let t = 0; t < equity.length; t++) {
    peak = Math.max(peak, equity[t]!);
    drawdown[t] = 1 - equity[t]! / peak;
    maxDrawdown = Math.max(maxDrawdown, drawdown[t]!);
  }
  return { drawdown, maxDrawdown };
}

/** Maximum drawdown of compounded equity, a positive fraction. */
export function maxDrawdown(returns: Float64Array): number {
  return drawdownSeries(returns).maxDrawdown;
}

/**
 * Drawdown from the highest equity of the last `windowBars` bars (naive O(n * window)):
 *
 *   dd[t] = 1 - equity[t] / max(equity[t - w + 1 .. t], and the start value 1 while t - w + 1 < 0)
 *
 * with w = max(1, windowBars) (the binding's clamp).
 */
export function rollingDrawdown(returns: Float64Array, windowBars: number): Float64Array {
  const window = Math.max(1, windowBars);
  const equity = equityCurve(returns);
  const out = new Float64Array(returns.length);
  for (let t = 0; t < equity.length; t++) {
    const first = t - window + 1;
    let peak = first < 0 ? 1 : -Infinity;
    for (let j = Math.max(0, first); j <= t; j++) peak = Math.max(peak, equity[j]!);
    out[t] = 1 - equity[t]! / peak;
  }
  return out;
}
