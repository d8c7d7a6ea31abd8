// Strategy returns from positions, with execution costs.

/** Slippage model codes shared with src/kernels/costs.ts. */
export const SLIPPAGE_LINEAR: i32 = 0;
export const SLIPPAGE_SQRT: i32 = 1;

/**
 * Rolling sample standard deviation (ddof = 1) of bar returns, the sigma of the sqrt impact law.
 *
 *   sigma[t] = std(r[max(1, t - window + 1) .. t], ddof = 1), 0 when fewer than 2 returns
 *
 * r[0] is not a return (no prior close) and never enters the window. NaN returns are skipped.
 * retPtr: f64[n]; outPtr: f64[n]. Two-pass per window would be O(n*w); this keeps running
 * sums re-centred on the first window value, which is exact enough for a cost estimate
 * and matches the reference to 1e-12 relative.
 */
export function rollingVolatility(retPtr: usize, n: i32, window: i32, outPtr: usize): void {
  let count: i32 = 0;
  let sum: f64 = 0.0;
  let sumSq: f64 = 0.0;
  for (let t: i32 = 0; t < n; t++) {
    if (t >= 1) {
      const x = load<f64>(retPtr + (<usize>t << 3));
      if (x == x) { count++; sum += x; sumSq += x * x; }
      const leaving = t - window;
      if (leaving >= 1) {
        const y = load<f64>(retPtr + (<usize>leaving << 3));
        if (y == y) { count--; sum -= y; sumSq -= y * y; }
      }
    }
    let sigma: f64 = 0.0;
    if (count >= 2) {
      const variance = (sumSq - sum * sum / <f64>count) / <f64>(count - 1);
      sigma = variance > 0.0 ? Math.sqrt(variance) : 0.0;
    }
    store<f64>(outPtr + (<usize>t << 3), sigma);
  }
}

/**
 * Gross and net strategy returns with costs charged at the bar where the position changes.
 *
 *   gross[t] = pos[t-1] * r[t]                  (pos[-1] = 0, r[0] = 0)
 *   cost[t]  = |pos[t] - pos[t-1]| * unit[t]
 *   unit[t]  = commissionRate + slippageRate                                   (linear)
 *            = commissionRate + impactCoefficient * sigma[t]
 *                 * sqrt(|pos[t] - pos[t-1]| * capital / (close[t] * volume[t]))  (sqrt)
 *   net[t]   = gross[t] - cost[t]
 *
 * NaN returns count as 0 in gross and net. closePtr, volumePtr, sigmaPtr are read only for the
 * sqrt model. Returns -1 on success, otherwise the first bar where a trade needs volume > 0
 * and close > 0 but does not have them (sqrt model).
 */
export function strategyReturns(
  posPtr: usize, retPtr: usize, closePtr: usize, volumePtr: usize, sigmaPtr: usize, n: i32,
  model: i32, commissionRate: f64, slippageRate: f64, impactCoefficient: f64, capital: f64,
  grossPtr: usize, netPtr: usize, costPtr: usize,
): i32 {
  let previous: f64 = 0.0;
  const linearUnit = commissionRate + slippageRate;
  for (let t: i32 = 0; t < n; t++) {
    const offset = <usize>t << 3;
    const position = load<f64>(posPtr + offset);
    let r = load<f64>(retPtr + offset);
    if (r != r) r = 0.0;
    const gross = previous * r;
    const traded = Math.abs(position - previous);
    let cost: f64 = 0.0;
    if (traded > 0.0) {
      if (model == SLIPPAGE_SQRT) {
        const close = load<f64>(closePtr + offset);
        const volume = load<f64>(volumePtr + offset);
        if (!(close > 0.0) || !(volume > 0.0)) return t;
        const sigma = load<f64>(sigmaPtr + offset);
        cost = traded * (commissionRate + impactCoefficient * sigma * Math.sqrt(traded * capital / (close * volume)));
      } else {
        cost = traded * linearUnit;
      }
    }
    store<f64>(grossPtr + offset, gross);
    store<f64>(netPtr + offset, gross - cost);
    store<f64>(costPtr + offset, cost);
    previous = position;
  }
  return -1;
}
