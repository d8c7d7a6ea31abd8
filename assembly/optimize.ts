// Long-only portfolio (ensemble weight) optimization over the capped simplex
//   W = { w : sum_i w_i = 1, lo_i <= w_i <= hi_i }
// by the spectral projected gradient method with an exact line search along each projected
// direction. Objectives: max-Sharpe (pseudo-concave where the excess return is positive, so every
// stationary point is the global maximum) and min-variance (convex).

/** Objective codes; mirrored in src/kernels/optimize.ts. */
export const OBJECTIVE_MAX_SHARPE: i32 = 0;
export const OBJECTIVE_MIN_VARIANCE: i32 = 1;

/** Status codes of optimizePortfolio; mirrored in src/kernels/optimize.ts. */
export const STATUS_CONVERGED: i32 = 0;          // projected-gradient norm <= tolerance
export const STATUS_MAX_ITERATIONS: i32 = 1;     // stopped at maxIterations (weights are feasible)
export const STATUS_ZERO_VARIANCE: i32 = 2;      // max-Sharpe reached a riskless portfolio (Sharpe unbounded)
export const STATUS_INFEASIBLE: i32 = 3;         // sum(lo) > 1 or sum(hi) < 1
export const STATUS_NONPOSITIVE_EXCESS: i32 = 4; // max-Sharpe start has excess return <= 0

/** Layout of the f64 stats block written by optimizePortfolio. */
export const STAT_ITERATIONS: i32 = 0;
export const STAT_PROJECTED_GRADIENT: i32 = 1;
export const STAT_SLOTS: i32 = 4;

/** Scratch f64 vectors of length n that optimizePortfolio needs. */
export const SCRATCH_VECTORS: i32 = 8;

const STEP_MIN: f64 = 1e-12;
const STEP_MAX: f64 = 1e12;
const RESYNC_EVERY: i32 = 64;

@inline function at(ptr: usize, i: i32): f64 {
  return load<f64>(ptr + (<usize>i << 3));
}

@inline function put(ptr: usize, i: i32, v: f64): void {
  store<f64>(ptr + (<usize>i << 3), v);
}

@inline function clip(v: f64, lo: f64, hi: f64): f64 {
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

/** out = scale * C x for a row-major n x n matrix C (f64x2 over each row). */
function matVec(covPtr: usize, n: i32, xPtr: usize, scale: f64, outPtr: usize): void {
  const pairs = n >> 1;
  for (let i: i32 = 0; i < n; i++) {
    const row = covPtr + ((<usize>i * <usize>n) << 3);
    let lanes = f64x2.splat(0.0);
    for (let j: i32 = 0; j < pairs; j++) {
      const off = <usize>j << 4;
      lanes = f64x2.add(lanes, f64x2.mul(v128.load(row + off), v128.load(xPtr + off)));
    }
    let s = f64x2.extract_lane(lanes, 0) + f64x2.extract_lane(lanes, 1);
    if (n & 1) s += at(row, n - 1) * at(xPtr, n - 1);
    put(outPtr, i, s * scale);
  }
}

@inline function dot(aPtr: usize, bPtr: usize, n: i32): f64 {
  let s: f64 = 0.0;
  for (let i: i32 = 0; i < n; i++) s += at(aPtr, i) * at(bPtr, i);
  return s;
}

/** ||P(x - g) - x||_inf, the stationarity measure (tmp receives P(x - g)). */
function projectedGradientNorm(xPtr: usize, gPtr: usize, loPtr: usize, hiPtr: usize, n: i32, tmpPtr: usize): f64 {
  for (let i: i32 = 0; i < n; i++) put(tmpPtr, i, at(xPtr, i) - at(gPtr, i));
  projectCappedSimplex(tmpPtr, loPtr, hiPtr, n, 1.0, tmpPtr);
  let norm: f64 = 0.0;
  for (let i: i32 = 0; i < n; i++) norm = max(norm, Math.abs(at(tmpPtr, i) - at(xPtr, i)));
  return norm;
}

/**
 * Gradient of the (scaled) objective at x from sx = C'x: min-variance f = x'C'x, g = 2 C'x;
 * max-Sharpe f = -m / sqrt(q) with m = mu'x, q = x'C'x, g = -(mu / sqrt(q) - m C'x / q^1.5).
 * Returns q (the scaled variance).
 */
function gradient(objective: i32, n: i32, xPtr: usize, sxPtr: usize, muPtr: usize, gPtr: usize): f64 {
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

/**
 * Optimal weights over the capped simplex.
 *
 *   max-Sharpe:   maximize (mu - rf)'w / sqrt(w' C w)
 *   min-variance: minimize w' C w
 *   subject to    sum w = 1, lo_i <= w_i <= hi_i
 *
 * Spectral projected gradient (Birgin, Martinez & Raydan 2000, "Nonmonotone spectral projected
 * gradient methods on convex sets"): direction d = P(x - alpha g) - x with the Barzilai-Borwein step
 * alpha = s's / s'y, then an EXACT line search on [0, 1] (both objectives are closed-form along a
 * segment: a quadratic, or (m0 + m1 l) / sqrt(q0 + 2 b l + c l^2) whose maximizer is
 * l = (m1 q0 - m0 b) / (m0 c - m1 b)), so every iterate is feasible and the objective improves
 * monotonically. The problem is scaled first (C by 1 / max diag, mu - rf by 1 / max |mu - rf|), which
 * changes neither argmin; tolerance applies to ||P(x - g) - x||_inf of the scaled problem.
 *
 * mu: f64[n] expected returns; cov: f64[n*n] row-major, symmetric PSD; lo, hi: f64[n] bounds.
 * weights: f64[n], in: the start (projected onto W first; for max-Sharpe its excess return must be
 * > 0), out: the solution. scratch: f64[SCRATCH_VECTORS * n]. stats: f64[STAT_SLOTS].
 * Returns a STATUS_* code.
 */
export function optimizePortfolio(
  objective: i32, n: i32, muPtr: usize, covPtr: usize, loPtr: usize, hiPtr: usize, riskFree: f64,
  maxIterations: i32, tolerance: f64, weightsPtr: usize, scratchPtr: usize, statsPtr: usize,
): i32 {
  const bytes = <usize>n << 3;
  const x = scratchPtr;
  const g = x + bytes;
  const sx = g + bytes;
  const d = sx + bytes;
  const sd = d + bytes;
  const tmp = sd + bytes;
  const gOld = tmp + bytes;
  const mu = gOld + bytes;
  put(statsPtr, STAT_ITERATIONS, 0.0);
  put(statsPtr, STAT_PROJECTED_GRADIENT, NaN);
  if (n <= 0) return STATUS_INFEASIBLE;
  let maxDiag: f64 = 0.0;
  let maxExcess: f64 = 0.0;
  for (let i: i32 = 0; i < n; i++) {
    maxDiag = max(maxDiag, at(covPtr + ((<usize>i * <usize>n + <usize>i) << 3), 0));
    maxExcess = max(maxExcess, Math.abs(at(muPtr, i) - riskFree));
  }
  const covScale = maxDiag > 0.0 ? 1.0 / maxDiag : 1.0;
  const muScale = maxExcess > 0.0 ? 1.0 / maxExcess : 1.0;
  for (let i: i32 = 0; i < n; i++) put(mu, i, (at(muPtr, i) - riskFree) * muScale);
  const sharpe = objective == OBJECTIVE_MAX_SHARPE;
  // A variance this small (relative to the largest asset variance, now 1) counts as riskless.
  const zeroVariance: f64 = 1e-24;

  const startShift = projectCappedSimplex(weightsPtr, loPtr, hiPtr, n, 1.0, x);
  if (startShift != startShift) return STATUS_INFEASIBLE;
  matVec(covPtr, n, x, covScale, sx);
  let q = gradient(objective, n, x, sx, mu, g);
  let m = dot(mu, x, n);
  if (sharpe) {
    if (m <= 0.0) return STATUS_NONPOSITIVE_EXCESS;
    if (q <= zeroVariance) { for (let i: i32 = 0; i < n; i++) put(weightsPtr, i, at(x, i)); return STATUS_ZERO_VARIANCE; }
  }
  let pg = projectedGradientNorm(x, g, loPtr, hiPtr, n, tmp);
  let alpha = pg > 0.0 ? clip(1.0 / pg, STEP_MIN, STEP_MAX) : 1.0;
  let status = STATUS_MAX_ITERATIONS;
  let iteration: i32 = 0;
  while (true) {
    if (pg <= tolerance) { status = STATUS_CONVERGED; break; }
    if (iteration >= maxIterations) break;
    iteration++;
    for (let i: i32 = 0; i < n; i++) put(tmp, i, at(x, i) - alpha * at(g, i));
    projectCappedSimplex(tmp, loPtr, hiPtr, n, 1.0, d);
    for (let i: i32 = 0; i < n; i++) put(d, i, at(d, i) - at(x, i));
    matVec(covPtr, n, d, covScale, sd);
    const b = dot(sx, d, n);
    const c = dot(d, sd, n);
    let step: f64 = 1.0;
    if (sharpe) {
      const m1 = dot(mu, d, n);
      const ascent = m1 * q - m * b;   // sign of dS/dl at l = 0
      const slope = m1 * b - m * c;    // dS/dl numerator is ascent + slope * l
      if (!(ascent > 0.0)) {
        // No ascent along d at working precision: x is stationary to rounding.
        status = pg <= Math.sqrt(tolerance) ? STATUS_CONVERGED : STATUS_MAX_ITERATIONS;
        break;
      }
      if (slope < 0.0 && -ascent / slope < 1.0) step = -ascent / slope;
    } else {
      if (!(b < 0.0)) {
        status = pg <= Math.sqrt(tolerance) ? STATUS_CONVERGED : STATUS_MAX_ITERATIONS;
        break;
      }
      if (c > 0.0 && -b / c < 1.0) step = -b / c;
    }
    for (let i: i32 = 0; i < n; i++) put(x, i, at(x, i) + step * at(d, i));
    if (iteration % RESYNC_EVERY == 0) matVec(covPtr, n, x, covScale, sx);
    else for (let i: i32 = 0; i < n; i++) put(sx, i, at(sx, i) + step * at(sd, i));
    for (let i: i32 = 0; i < n; i++) put(gOld, i, at(g, i));
    q = gradient(objective, n, x, sx, mu, g);
    m = dot(mu, x, n);
    if (sharpe && q <= zeroVariance) { status = STATUS_ZERO_VARIANCE; break; }
    let sy: f64 = 0.0;
    let ss: f64 = 0.0;
    for (let i: i32 = 0; i < n; i++) {
      const s = step * at(d, i);
      sy += s * (at(g, i) - at(gOld, i));
      ss += s * s;
    }
    alpha = sy > 0.0 ? clip(ss / sy, STEP_MIN, STEP_MAX) : STEP_MAX;
    pg = projectedGradientNorm(x, g, loPtr, hiPtr, n, tmp);
  }
  // A final projection removes the rounding drift of the convex-combination updates.
  projectCappedSimplex(x, loPtr, hiPtr, n, 1.0, weightsPtr);
  put(statsPtr, STAT_ITERATIONS, <f64>iteration);
  put(statsPtr, STAT_PROJECTED_GRADIENT, pg);
  return status;
}
