// Compounded equity and drawdown.

/**
 * Compounded equity curve starting from 1.
 *
 *   equity[t] = prod_{j <= t} (1 + R[j]);  NaN returns count as 0 (empyrical.cum_returns)
 */
export function equityCurve(retPtr: usize, n: i32, outPtr: usize): void {
  let equity: f64 = 1.0;
  for (let t: i32 = 0; t < n; t++) {
    const r = load<f64>(retPtr + (<usize>t << 3));
    if (r == r) equity *= 1.0 + r;
    store<f64>(outPtr + (<usize>t << 3), equity);
  }
}

/**
 * Running drawdown (underwater curve) of the compounded equity, as a positive fraction.
 *
 *   dd[t] = 1 - equity[t] / max(1, max_{j <= t} equity[j])
 *
 * The starting equity of 1 is the first peak (empyrical.max_drawdown). Returns max_t dd[t]
 * (0 when n = 0 or the equity never falls).
 */
export function drawdownSeries(retPtr: usize, n: i32, outPtr: usize): f64 {
  let equity: f64 = 1.0;
  let peak: f64 = 1.0;
  let worst: f64 = 0.0;
  for (let t: i32 = 0; t < n; t++) {
    const r = load<f64>(retPtr + (<usize>t << 3));
    if (r == r) equity *= 1.0 + r;
    if (equity > peak) peak = equity;
    const dd = 1.0 - equity / peak;
    if (dd > worst) worst = dd;
    if (outPtr != 0) store<f64>(outPtr + (<usize>t << 3), dd);
  }
  return worst;
}

/** Maximum drawdown of the compounded equity; drawdownSeries without the series. */
export function maxDrawdown(retPtr: usize, n: i32): f64 {
  return drawdownSeries(retPtr, n, 0);
}

/**
 * Rolling drawdown: the fall of equity from its highest value within the last `window` bars.
 *
 *   dd[t] = 1 - equity[t] / max(equity[t - window + 1 .. t], plus the start value 1 while t < window - 1)
 *
 * Uses a monotonic deque; scratchPtr must hold 12 * n bytes (f64 equity[n], then i32 deque[n]). O(n).
 */
export function rollingDrawdown(retPtr: usize, n: i32, window: i32, scratchPtr: usize, outPtr: usize): void {
  const equityPtr = scratchPtr;
  const dequePtr = scratchPtr + (<usize>n << 3);
  let head: i32 = 0;
  let tail: i32 = 0;
  let equity: f64 = 1.0;
  for (let t: i32 = 0; t < n; t++) {
    const r = load<f64>(retPtr + (<usize>t << 3));
    if (r == r) equity *= 1.0 + r;
    store<f64>(equityPtr + (<usize>t << 3), equity);
    while (tail > head && load<f64>(equityPtr + (<usize>load<i32>(dequePtr + (<usize>(tail - 1) << 2)) << 3)) <= equity) tail--;
    store<i32>(dequePtr + (<usize>tail << 2), t);
    tail++;
    while (load<i32>(dequePtr + (<usize>head << 2)) <= t - window) head++;
    let peak = load<f64>(equityPtr + (<usize>load<i32>(dequePtr + (<usize>head << 2)) << 3));
    if (t < window - 1 && peak < 1.0) peak = 1.0;
    store<f64>(outPtr + (<usize>t << 3), 1.0 - equity / peak);
  }
}
