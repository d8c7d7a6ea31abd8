// Bar returns from closes.

/**
 * Simple bar returns from closing prices.
 *
 *   r[0] = 0 (no prior close); r[t] = close[t] / close[t-1] - 1 for t >= 1
 *
 * A bar whose close or previous close is NaN or <= 0 gets r = NaN.
 * closePtr: f64[n]; outPtr: f64[n]. Returns -1 when every close is finite and > 0,
 * otherwise the index of the first invalid close.
 */
export function barReturns(closePtr: usize, n: i32, outPtr: usize): i32 {
  let firstInvalid: i32 = -1;
  if (n <= 0) return -1;
  let previous = load<f64>(closePtr);
  let previousValid = previous > 0.0 && previous < Infinity;
  if (!previousValid) firstInvalid = 0;
  store<f64>(outPtr, previousValid ? 0.0 : NaN);
  for (let t: i32 = 1; t < n; t++) {
    const close = load<f64>(closePtr + (<usize>t << 3));
    const valid = close > 0.0 && close < Infinity;
    if (!valid && firstInvalid < 0) firstInvalid = t;
    store<f64>(outPtr + (<usize>t << 3), valid && previousValid ? close / previous - 1.0 : NaN);
    previous = close;
    previousValid = valid;
  }
  return firstInvalid;
}
