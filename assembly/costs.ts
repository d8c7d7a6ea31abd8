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
 * retPtr: f64[n]; outPtr: f64[n]. Two passes per window (mean, then centred squares), O(n * window):
 * running sums (sumSq - sum^2 / m) lose up to half the digits when the window's variance is small
 * against its mean, and leave a spurious sigma ~1e-9 on a flat stretch after volatile bars. This runs
 * once per market, not per strategy, so the exact form is affordable; it matches the reference bit
 * for bit.
 */
export function rollingVolatility(retPtr: usize, n: i32, window: i32, outPtr: usize): void {
  rollingVolatilityRange(retPtr, n, window, outPtr, 0, n);
}

/**
 * rollingVolatility for bars t in [from, to) only (each sigma[t] depends on the returns alone, so
 * ranges computed apart, by different threads, give the same values as one call).
 */
export function rollingVolatilityRange(retPtr: usize, n: i32, window: i32, outPtr: usize, from: i32, to: i32): void {
  if (from < 0) from = 0;
  if (to > n) to = n;
  for (let t: i32 = from; t < to; t++) {
    let first = t - window + 1;
    if (first < 1) first = 1;
    let count: i32 = 0;
    let sum: f64 = 0.0;
    for (let j = first; j <= t; j++) {
      const x = load<f64>(retPtr + (<usize>j << 3));
      if (x == x) { count++; sum += x; }
    }
    let sigma: f64 = 0.0;
    if (count >= 2) {
      const mean = sum / <f64>count;
      let squares: f64 = 0.0;
      for (let j = first; j <= t; j++) {
        const x = load<f64>(retPtr + (<usize>j << 3));
        if (x == x) { const d = x - mean; squares += d * d; }
      }
      sigma = Math.sqrt(squares / <f64>(count - 1));
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
