// Short numeric helpers of the sparse kernel (assembly/sparse.ts): branch-free selects, compensated
// sums and short-series log / exp (the @inline ones compile into their callers).

/**
 * Branch-free f64 select: cond ? a : b by integer masking of the bit patterns, so the engine cannot
 * turn it into a conditional branch (which mispredicts on random -1 / 0 / 1 change lists).
 * Bit-exact (the chosen value is passed through unchanged).
 */
// @ts-ignore: decorator
@inline export function fsel(a: f64, b: f64, cond: bool): f64 {
  // (a mask blend: binaryen folds reinterpret(select(reinterpret a, reinterpret b)) back to an f64 select)
  const mask = -<i64>cond;
  return reinterpret<f64>((reinterpret<i64>(a) & mask) | (reinterpret<i64>(b) & ~mask));
}

/** min(x, 0) for finite x by masking with the sign (-0 for -0; squares equal those of x < 0 ? x : 0). */
// @ts-ignore: decorator
@inline export function negPart(x: f64): f64 {
  const bits = reinterpret<i64>(x);
  return reinterpret<f64>(bits & (bits >> 63));
}

/** Rounding error of s = a + x (TwoSum); s must be fl(a + x). */
// @ts-ignore: decorator
@inline export function sumErr(a: f64, x: f64, s: f64): f64 {
  const bp = s - a;
  return (a - (s - bp)) + (x - bp);
}

/** sum over prefix positions [a, b) of a double-double field: (hi[b] - hi[a]) + (lo[b] - lo[a]). */
// @ts-ignore: decorator
@inline export function rangeSum(ra: usize, rb: usize, hiSlot: i32, loSlot: i32): f64 {
  return (load<f64>(rb + (<usize>hiSlot << 3)) - load<f64>(ra + (<usize>hiSlot << 3)))
    + (load<f64>(rb + (<usize>loSlot << 3)) - load<f64>(ra + (<usize>loSlot << 3)));
}

/**
 * exp(x) for the log growth of one trade: Taylor series to x^8 when |x| <= 1/32 (truncation
 * < 1e-19 relative; trades between changes are short), Math.exp otherwise.
 */
// @ts-ignore: decorator
@inline export function tradeExp(x: f64): f64 {
  if (!(Math.abs(x) <= 0.03125)) return Math.exp(x);
  // Estrin's scheme (short dependency chains: the trade's factor is off the loop-carried path)
  const x2 = x * x;
  const x4 = x2 * x2;
  return ((1.0 + x) + x2 * (0.5 + x * (1.0 / 6.0))) + x4 * (((1.0 / 24.0) + x * (1.0 / 120.0))
    + x2 * ((1.0 / 720.0) + x * (1.0 / 5040.0)) + x4 * (1.0 / 40320.0));
}

/**
 * log((1 + net) / (1 + gross)) = log1p(-cost / (1 + gross)): the change bar's cost in log-equity.
 * With u = -cost / (2 + 2 gross - cost) it is the odd atanh series 2u(1 + u^2/3 + ... + u^8/9)
 * (one division) when cost <= (1 + gross) / 64 (truncation < 1e-21 relative), else log1p(net) - log1p(gross).
 */
// @ts-ignore: decorator
@inline export function costLog(cost: f64, gross: f64, net: f64): f64 {
  const onePlus = 1.0 + gross;
  if (cost * 64.0 <= onePlus) {
    const u = -cost / (onePlus + onePlus - cost);
    const u2 = u * u;
    const u4 = u2 * u2;
    return 2.0 * u * ((1.0 + u2 * (1.0 / 3.0)) + u4 * ((0.2 + u2 * (1.0 / 7.0)) + u4 * (1.0 / 9.0)));
  }
  return Math.log1p(net) - Math.log1p(gross);
}

/** Second moment about the mean, sum y^2 - (sum y)^2 / n, in double-double (once per strategy). */
export function centredSquares(y1h: f64, y1l: f64, y2h: f64, y2l: f64, n: f64): f64 {
  if (n <= 0.0) return 0.0;
  const h = y1h + y1l;
  const l = y1l - (h - y1h);
  // h * h exactly (Veltkamp split), plus the cross term
  const c = 134217729.0 * h;
  const hh = c - (c - h);
  const hl = h - hh;
  const p = h * h;
  const pe = ((hh * hh - p) + 2.0 * hh * hl) + hl * hl + 2.0 * h * l;
  const qh = p / n;
  const cq = 134217729.0 * qh;
  const qhh = cq - (cq - qh);
  const qhl = qh - qhh;
  const cn = 134217729.0 * n;
  const nh = cn - (cn - n);
  const nl = n - nh;
  const th = qh * n;
  const tl = ((qhh * nh - th) + qhh * nl + qhl * nh) + qhl * nl;
  const ql = (((p - th) - tl) + pe) / n;
  const s = y2h - qh;
  const m2 = s + (sumErr(y2h, -qh, s) + (y2l - ql));
  return m2 > 0.0 ? m2 : 0.0;
}
