// Reference (plain TS) of assembly/returns.ts; same signature as src/kernels/returns.ts.

/** Bar returns with the index of the first invalid (NaN, infinite or <= 0) close, -1 when none. */
export interface BarReturnsResult {
  returns: Float64Array;
  firstInvalidIndex: number;
}

function isValidClose(close: number): boolean {
  return Number.isFinite(close) && close > 0;
}

/**
 * Simple bar returns from closes:
 *
 *   r[0] = 0; r[t] = close[t] / close[t-1] - 1
 *
 * r[t] is NaN when close[t] or close[t-1] is invalid (NaN, infinite or <= 0); r[0] is NaN when
 * close[0] is invalid.
 */
export function barReturns(close: Float64Array): BarReturnsResult {
  const n = close.length;
  const returns = new Float64Array(n);
  let firstInvalidIndex = -1;
  for (let t = 0; t < n; t++) {
    const valid = isValidClose(close[t]!);
    if (!valid && firstInvalidIndex < 0) firstInvalidIndex = t;
    if (t === 0) returns[t] = valid ? 0 : NaN;
    else returns[t] = valid && isValidClose(close[t - 1]!) ? close[t]! / close[t - 1]! - 1 : NaN;
  }
  return { returns, firstInvalidIndex };
}
