// Shared arithmetic of the portfolio optimizer (assembly/optimize.ts, assembly/optimizeFace.ts):
// memory accessors, the projection onto the capped simplex, dot products and covariance-vector
// products, and the objective's gradient, value and exact line search.

/** Objective codes; mirrored in src/kernels/optimize.ts. */
export const OBJECTIVE_MAX_SHARPE: i32 = 0;
export const OBJECTIVE_MIN_VARIANCE: i32 = 1;

@inline export function at(ptr: usize, i: i32): f64 {
  return load<f64>(ptr + (<usize>i << 3));
}

@inline export function put(ptr: usize, i: i32, v: f64): void {
  store<f64>(ptr + (<usize>i << 3), v);
}

@inline export function atI(ptr: usize, i: i32): i32 {
  return load<i32>(ptr + (<usize>i << 2));
}

@inline export function putI(ptr: usize, i: i32, v: i32): void {
  store<i32>(ptr + (<usize>i << 2), v);
}

@inline export function flag(ptr: usize, i: i32): bool {
  return load<u8>(ptr + <usize>i) != 0;
}

@inline export function setFlag(ptr: usize, i: i32, v: bool): void {
  store<u8>(ptr + <usize>i, v ? 1 : 0);
}

@inline export function clip(v: f64, lo: f64, hi: f64): f64 {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Euclidean projection of v onto { w : sum w = total, lo <= w <= hi }: w_i = clip(v_i - tau, lo_i, hi_i)
 * with tau found by bisection on the non-increasing g(tau) = sum_i clip(v_i - tau, lo_i, hi_i), then
 * solved exactly on the final linear piece: tau = (sum_free v_i + sum_clipped bound_i - total) / |free|.
 * outPtr may equal vPtr. Returns tau, or NaN when sum(lo) > total or sum(hi) < total (out untouched).
 */
export function projectCappedSimplex(vPtr: usize, loPtr: usize, hiPtr: usize, n: i32, total: f64, outPtr: usize): f64 {
  if (n <= 0) return NaN;
  let low: f64 = Infinity;   // g(low) = sum hi >= total
  let high: f64 = -Infinity; // g(high) = sum lo <= total
  let sumLo: f64 = 0.0;
  let sumHi: f64 = 0.0;
  for (let i: i32 = 0; i < n; i++) {
    const v = at(vPtr, i);
    const lo = at(loPtr, i);
    const hi = at(hiPtr, i);
    sumLo += lo;
    sumHi += hi;
    if (v - hi < low) low = v - hi;
    if (v - lo > high) high = v - lo;
  }
  const slack = 1e-12 * max(1.0, Math.abs(total));
  if (sumLo > total + slack || sumHi < total - slack) return NaN;
  for (let iter: i32 = 0; iter < 200; iter++) {
    const mid = 0.5 * (low + high);
    if (mid <= low || mid >= high) break;
    let g: f64 = 0.0;
    for (let i: i32 = 0; i < n; i++) g += clip(at(vPtr, i) - mid, at(loPtr, i), at(hiPtr, i));
    if (g > total) low = mid; else high = mid;
  }
  const mid = 0.5 * (low + high);
  let freeCount: i32 = 0;
  let freeSum: f64 = 0.0;
  let fixedSum: f64 = 0.0;
  for (let i: i32 = 0; i < n; i++) {
    const v = at(vPtr, i);
    const lo = at(loPtr, i);
    const hi = at(hiPtr, i);
    const w = v - mid;
    if (w <= lo) fixedSum += lo;
    else if (w >= hi) fixedSum += hi;
    else { freeCount++; freeSum += v; }
  }
  let tau = mid;
  if (freeCount > 0) {
    const exact = (freeSum + fixedSum - total) / <f64>freeCount;
    if (exact >= low && exact <= high) tau = exact;
  }
  for (let i: i32 = 0; i < n; i++) put(outPtr, i, clip(at(vPtr, i) - tau, at(loPtr, i), at(hiPtr, i)));
  return tau;
}

/** sum_j a_j b_j over len contiguous f64 (f64x2 lanes; any alignment). */
@inline export function dotN(aPtr: usize, bPtr: usize, len: i32): f64 {
  let lanes = f64x2.splat(0.0);
  const pairs = len >> 1;
  for (let j: i32 = 0; j < pairs; j++) {
    const off = <usize>j << 4;
    lanes = f64x2.add(lanes, f64x2.mul(v128.load(aPtr + off), v128.load(bPtr + off)));
  }
  let s = f64x2.extract_lane(lanes, 0) + f64x2.extract_lane(lanes, 1);
  if (len & 1) s += at(aPtr, len - 1) * at(bPtr, len - 1);
  return s;
}

/** out = scale * C x for a row-major n x n matrix C (f64x2 over each row). */
export function matVec(covPtr: usize, n: i32, xPtr: usize, scale: f64, outPtr: usize): void {
  for (let i: i32 = 0; i < n; i++) put(outPtr, i, dotN(covPtr + ((<usize>i * <usize>n) << 3), xPtr, n) * scale);
}

/**
 * out = scale * C x with compensated sums (Knuth's TwoSum on each f64x2 lane): the error of a row
 * sum is about one rounding of its largest partial product instead of n roundings of the partial
 * sums. Used where the optimizer needs the gradient to the last digits (after a face phase).
 */
export function matVecAccurate(covPtr: usize, n: i32, xPtr: usize, scale: f64, outPtr: usize): void {
  const pairs = n >> 1;
  for (let i: i32 = 0; i < n; i++) {
    const row = covPtr + ((<usize>i * <usize>n) << 3);
    let s = f64x2.splat(0.0);
    let c = f64x2.splat(0.0);
    for (let j: i32 = 0; j < pairs; j++) {
      const off = <usize>j << 4;
      const t = f64x2.mul(v128.load(row + off), v128.load(xPtr + off));
      const u = f64x2.add(s, t);
      const back = f64x2.sub(u, s);
      c = f64x2.add(c, f64x2.add(f64x2.sub(s, f64x2.sub(u, back)), f64x2.sub(t, back)));
      s = u;
    }
    let hi = f64x2.extract_lane(s, 0);
    let lo = f64x2.extract_lane(c, 0) + f64x2.extract_lane(c, 1);
    const s1 = f64x2.extract_lane(s, 1);
    let u = hi + s1;
    let back = u - hi;
    lo += (hi - (u - back)) + (s1 - back);
    hi = u;
    if (n & 1) {
      const t = at(row, n - 1) * at(xPtr, n - 1);
      u = hi + t;
      back = u - hi;
      lo += (hi - (u - back)) + (t - back);
      hi = u;
    }
    put(outPtr, i, (hi + lo) * scale);
  }
}

@inline export function dot(aPtr: usize, bPtr: usize, n: i32): f64 {
  let s: f64 = 0.0;
  for (let i: i32 = 0; i < n; i++) s += at(aPtr, i) * at(bPtr, i);
  return s;
}

/**
 * Gradient of the (scaled) objective at x from sx = C'x: min-variance f = x'C'x, g = 2 C'x;
 * max-Sharpe f = -m / sqrt(q) with m = mu'x, q = x'C'x, g = -(mu / sqrt(q) - m C'x / q^1.5).
 * Returns q (the scaled variance).
 */
export function gradient(objective: i32, n: i32, xPtr: usize, sxPtr: usize, muPtr: usize, gPtr: usize): f64 {
  const q = dot(xPtr, sxPtr, n);
  if (objective == OBJECTIVE_MIN_VARIANCE) {
    for (let i: i32 = 0; i < n; i++) put(gPtr, i, 2.0 * at(sxPtr, i));
    return q;
  }
  const m = dot(muPtr, xPtr, n);
  const root = Math.sqrt(q);
  const a = 1.0 / root;
  const b = m / (q * root);
  for (let i: i32 = 0; i < n; i++) put(gPtr, i, -(at(muPtr, i) * a - at(sxPtr, i) * b));
  return q;
}

/** Value to maximize: the Sharpe ratio m / sqrt(q), or minus the variance. */
@inline export function score(sharpe: bool, q: f64, m: f64): f64 {
  return sharpe ? m / Math.sqrt(q) : -q;
}

/**
 * Exact line search on [0, 1] from x along d (sd = C'd, sx = C'x, q = x'C'x, m = mu'x). Returns the
 * step, or -1 when d is not an ascent direction at working precision.
 */
export function exactStep(sharpe: bool, n: i32, sxPtr: usize, dPtr: usize, sdPtr: usize, muPtr: usize, q: f64, m: f64): f64 {
  const b = dot(sxPtr, dPtr, n);
  const c = dot(dPtr, sdPtr, n);
  if (sharpe) {
    const m1 = dot(muPtr, dPtr, n);
    const ascent = m1 * q - m * b;   // sign of dS/dl at l = 0
    const slope = m1 * b - m * c;    // dS/dl numerator is ascent + slope * l
    if (!(ascent > 0.0)) return -1.0;
    return slope < 0.0 && -ascent / slope < 1.0 ? -ascent / slope : 1.0;
  }
  if (!(b < 0.0)) return -1.0;
  return c > 0.0 && -b / c < 1.0 ? -b / c : 1.0;
}
