// Long-only portfolio (ensemble weight) optimization over the capped simplex
//   W = { w : sum_i w_i = 1, lo_i <= w_i <= hi_i }
// by the spectral projected gradient method with an exact line search along each projected
// direction, accelerated by exact solves on the face of W that the iterates settle on (a projected
// search along the face's Newton path, as in gradient-projection / subspace methods for bound-
// constrained QPs). Objectives: max-Sharpe (pseudo-concave where the excess return is positive, so
// every stationary point is the global maximum) and min-variance (convex).

/** Objective codes; mirrored in src/kernels/optimize.ts. */
export const OBJECTIVE_MAX_SHARPE: i32 = 0;
export const OBJECTIVE_MIN_VARIANCE: i32 = 1;

/** Status codes of optimizePortfolio; mirrored in src/kernels/optimize.ts. */
export const STATUS_CONVERGED: i32 = 0;          // projected-gradient norm <= tolerance (or stationary to rounding: see optimizePortfolio)
export const STATUS_MAX_ITERATIONS: i32 = 1;     // stopped at maxIterations (weights are feasible)
export const STATUS_ZERO_VARIANCE: i32 = 2;      // max-Sharpe reached a riskless portfolio (Sharpe unbounded)
export const STATUS_INFEASIBLE: i32 = 3;         // sum(lo) > 1 or sum(hi) < 1
export const STATUS_NONPOSITIVE_EXCESS: i32 = 4; // max-Sharpe start has excess return <= 0

/** Layout of the f64 stats block written by optimizePortfolio. */
export const STAT_ITERATIONS: i32 = 0;          // projected-gradient steps + face phases
export const STAT_PROJECTED_GRADIENT: i32 = 1;
export const STAT_FACE_PHASES: i32 = 2;         // face phases (exact solves on a face)
export const STAT_LINEAR_SOLVES: i32 = 3;       // linear solves on a face (conjugate gradients or factored)
export const STAT_SLOTS: i32 = 4;

/**
 * Scratch that optimizePortfolio needs: SCRATCH_VECTORS f64 vectors of length n, then the face
 * factor, f64[m * m] with m = min(n, FACTOR_MAX_ORDER). Mirrored in src/kernels/optimize.ts.
 */
export const SCRATCH_VECTORS: i32 = 29;
export const FACTOR_MAX_ORDER: i32 = 4096;

const STEP_MIN: f64 = 1e-12;
const STEP_MAX: f64 = 1e12;
const RESYNC_EVERY: i32 = 64;
/** Projected-gradient steps without a change of the bound set before a face phase. */
const SETTLE_STEPS: i32 = 3;
/** Projected-gradient steps between face phases while the bound set keeps changing (doubles on failure). */
const FACE_PERIOD: i32 = 16;
/** Solves per face phase (each one is a move to the face optimum, a projected search, or a release). */
const FACE_ROUNDS: i32 = 12;
/** Halvings of the projected search t = 1, 1/2, ... before the step is truncated at the first bound. */
const ARC_TRIALS: i32 = 8;
/** Face phases in a row on an unchanged face that must each halve the projected gradient. */
const MAX_REFINEMENTS: i32 = 8;
/**
 * A face phase on an unchanged face that does not halve the projected gradient leaves x stationary to
 * rounding: converged when the norm is within this factor of the tolerance (else projected-gradient
 * steps continue).
 */
const STALL_FACTOR: f64 = 1e3;
/** A face candidate may be worse than the current point by this much (relative) and still be taken. */
const FACE_SLACK: f64 = 1e-14;
/** Conjugate gradients stop at this relative projected residual (or stagnate; >= CG_ACCEPT is a failure). */
const CG_TOLERANCE: f64 = 1e-14;
const CG_ACCEPT: f64 = 1e-10;
const CG_STAGNATION: i32 = 10;
/** A pivot below this fraction of its scale is skipped (a direction of zero curvature). */
const PIVOT_FLOOR: f64 = 1e-13;

const FACE_FAILED: i32 = 0;
const FACE_PARTIAL: i32 = 1;
const FACE_INTERIOR: i32 = 2;

@inline function at(ptr: usize, i: i32): f64 {
  return load<f64>(ptr + (<usize>i << 3));
}

@inline function put(ptr: usize, i: i32, v: f64): void {
  store<f64>(ptr + (<usize>i << 3), v);
}

@inline function atI(ptr: usize, i: i32): i32 {
  return load<i32>(ptr + (<usize>i << 2));
}

@inline function putI(ptr: usize, i: i32, v: i32): void {
  store<i32>(ptr + (<usize>i << 2), v);
}

@inline function flag(ptr: usize, i: i32): bool {
  return load<u8>(ptr + <usize>i) != 0;
}

@inline function setFlag(ptr: usize, i: i32, v: bool): void {
  store<u8>(ptr + <usize>i, v ? 1 : 0);
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

/** sum_j a_j b_j over len contiguous f64 (f64x2 lanes; any alignment). */
@inline function dotN(aPtr: usize, bPtr: usize, len: i32): f64 {
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
function matVec(covPtr: usize, n: i32, xPtr: usize, scale: f64, outPtr: usize): void {
  for (let i: i32 = 0; i < n; i++) put(outPtr, i, dotN(covPtr + ((<usize>i * <usize>n) << 3), xPtr, n) * scale);
}

/**
 * out = scale * C x with compensated sums (Knuth's TwoSum on each f64x2 lane): the error of a row
 * sum is about one rounding of its largest partial product instead of n roundings of the partial
 * sums. Used where the optimizer needs the gradient to the last digits (after a face phase).
 */
function matVecAccurate(covPtr: usize, n: i32, xPtr: usize, scale: f64, outPtr: usize): void {
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

/** Value to maximize: the Sharpe ratio m / sqrt(q), or minus the variance. */
@inline function score(sharpe: bool, q: f64, m: f64): f64 {
  return sharpe ? m / Math.sqrt(q) : -q;
}

/**
 * Exact line search on [0, 1] from x along d (sd = C'd, sx = C'x, q = x'C'x, m = mu'x). Returns the
 * step, or -1 when d is not an ascent direction at working precision.
 */
function exactStep(sharpe: bool, n: i32, sxPtr: usize, dPtr: usize, sdPtr: usize, muPtr: usize, q: f64, m: f64): f64 {
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

// ---- Face solver -------------------------------------------------------------------------------
// On a face (free set F, the other weights fixed at a bound) the optimum solves the equality-
// constrained problem in the free weights: for min-variance C_FF p = -(C'x)_F + nu 1, 1'p = 0 (the
// Newton step to the face minimum); for max-Sharpe the stationary points form the line
// w(gamma) = x + p0 + (gamma - gamma0) p1 with C_FF p0 = gamma0 mu_F - (C'x)_F + nu0 1 (gamma0 = q/m at
// x) and C_FF p1 = mu_F + nu1 1 (both with 1'p = 0), and the Sharpe ratio's maximum on that line is
// closed-form. The projected systems are solved by preconditioned projected conjugate gradients
// (Gould, Hribar & Nocedal 2001; Jacobi preconditioner) while they converge within about the work
// of a factorization, otherwise by a Cholesky factorization of the reduced matrix Z' C_FF Z of the
// null-space basis that eliminates the free weight r of smallest variance (p_r = -sum of the others),
// which also handles a singular C_FF (duplicated strategies: zero pivots are skipped).
// Module state, set by optimizePortfolio (instance-local globals; the memory is the caller's).

let fN: i32 = 0;
let fCov: usize = 0;
let fScale: f64 = 1.0;
let fMu: usize = 0;
let fSharpe: bool = false;
let fFree: usize = 0;        // u8[n]: 1 = free in the current face
let fIdx: usize = 0;         // i32[n]: the free indices
let fK: i32 = 0;
let fPrecondSum: f64 = 0.0;  // sum over F of 1 / diag
let fOther: usize = 0;       // i32[n]: free indices except the eliminated one (factor order)
let fSkip: usize = 0;        // u8[n]: skipped pivots
let fFactor: usize = 0;      // f64[cap * cap]
let fFactorCap: i32 = 0;
let fFactorOrder: i32 = 0;
let fEliminated: i32 = 0;
let fFactorFree: usize = 0;  // u8[n]: the face the factor belongs to
let fFactorValid: bool = false;
let fP1Free: usize = 0;      // u8[n]: the face p1 belongs to
let fP1Valid: bool = false;
let fUseFactor: bool = false;
let fCgR: usize = 0;
let fCgZ: usize = 0;
let fCgDir: usize = 0;
let fCgAd: usize = 0;
let fCompact: usize = 0;
let fRhs: usize = 0;
let fP0: usize = 0;
let fP1: usize = 0;
let fSolves: i32 = 0;
let fTolerance: f64 = 0.0;

@inline function covAt(i: i32, j: i32): f64 {
  return load<f64>(fCov + ((<usize>i * <usize>fN + <usize>j) << 3)) * fScale;
}

@inline function precondDiag(i: i32): f64 {
  const v = covAt(i, i);
  return v > 0.0 ? v : 1.0;
}

/** The free set F from the fFree flags. */
function loadFace(): void {
  fK = 0;
  fPrecondSum = 0.0;
  for (let i: i32 = 0; i < fN; i++) {
    if (flag(fFree, i)) {
      putI(fIdx, fK++, i);
      fPrecondSum += 1.0 / precondDiag(i);
    }
  }
}

function sameFace(flagsPtr: usize): bool {
  for (let i: i32 = 0; i < fN; i++) if (load<u8>(flagsPtr + <usize>i) != load<u8>(fFree + <usize>i)) return false;
  return true;
}

let fCgNorm: f64 = 0.0;
/**
 * Absolute projected residual at which conjugate gradients may stop early (set by faceDirection; the
 * residual is the face's stationarity defect in units of C'x; 0 for the solve of p1, whose error is
 * scaled by beta).
 */
let fCgTarget: f64 = 0.0;

/** r <- r - c 1 on F with c making z = M^-1 r orthogonal to 1; z <- M^-1 r. Returns r'z; fCgNorm = ||r||_inf. */
function cgPrecondition(): f64 {
  let s: f64 = 0.0;
  for (let a: i32 = 0; a < fK; a++) {
    const i = atI(fIdx, a);
    s += at(fCgR, i) / precondDiag(i);
  }
  const c = s / fPrecondSum;
  let rz: f64 = 0.0;
  let norm: f64 = 0.0;
  for (let a: i32 = 0; a < fK; a++) {
    const i = atI(fIdx, a);
    const r = at(fCgR, i) - c;
    put(fCgR, i, r);
    const z = r / precondDiag(i);
    put(fCgZ, i, z);
    rz += r * z;
    norm = max(norm, Math.abs(r));
  }
  fCgNorm = norm;
  return rz;
}

/** Projected PCG for C_FF p - b in span(1), 1'p = 0 (p zero off F). False when not converged in cap. */
function projectedCg(bPtr: usize, pPtr: usize, cap: i32): bool {
  for (let i: i32 = 0; i < fN; i++) {
    put(pPtr, i, 0.0);
    put(fCgDir, i, 0.0);
    put(fCgR, i, flag(fFree, i) ? at(bPtr, i) : 0.0);
  }
  let rz = cgPrecondition();
  const norm0 = fCgNorm;
  if (norm0 == 0.0) return true;
  for (let a: i32 = 0; a < fK; a++) {
    const i = atI(fIdx, a);
    put(fCgDir, i, at(fCgZ, i));
  }
  let best = norm0;
  let bestIteration: i32 = 0;
  for (let iteration: i32 = 1; iteration <= cap; iteration++) {
    let dad: f64 = 0.0;
    for (let a: i32 = 0; a < fK; a++) {
      const i = atI(fIdx, a);
      const v = dotN(fCov + ((<usize>i * <usize>fN) << 3), fCgDir, fN) * fScale;
      put(fCgAd, i, v);
      dad += at(fCgDir, i) * v;
    }
    if (!(dad > 0.0)) return false;
    const step = rz / dad;
    for (let a: i32 = 0; a < fK; a++) {
      const i = atI(fIdx, a);
      put(pPtr, i, at(pPtr, i) + step * at(fCgDir, i));
      put(fCgR, i, at(fCgR, i) - step * at(fCgAd, i));
    }
    const rzNext = cgPrecondition();
    if (fCgNorm <= max(CG_TOLERANCE * norm0, fCgTarget)) return true;
    if (fCgNorm < best) { best = fCgNorm; bestIteration = iteration; }
    else if (iteration - bestIteration >= CG_STAGNATION) return fCgNorm <= CG_ACCEPT * norm0;
    const beta = rzNext / rz;
    rz = rzNext;
    for (let a: i32 = 0; a < fK; a++) {
      const i = atI(fIdx, a);
      put(fCgDir, i, at(fCgZ, i) + beta * at(fCgDir, i));
    }
  }
  return false;
}

/**
 * Finishes row a of the factor with the Schur pivot, skipped when <= PIVOT_FLOOR x (C_aa + C_rr), the
 * scale of H_aa = C_aa - 2 C_ar + C_rr (which is ~0 for a duplicate of the eliminated weight r).
 */
@inline function pivotRow(rowA: usize, a: i32, pivot: f64): void {
  const i = atI(fOther, a);
  if (!(pivot > PIVOT_FLOOR * (covAt(i, i) + covAt(fEliminated, fEliminated)))) {
    setFlag(fSkip, a, true);
    for (let c: i32 = 0; c < a; c++) put(rowA, c, 0.0);
    put(rowA, a, 1.0);
  } else {
    setFlag(fSkip, a, false);
    put(rowA, a, Math.sqrt(pivot));
  }
}

/**
 * Cholesky factor of H = Z' C_FF Z (order m = k - 1, row-major lower triangle in fFactor) with Z the
 * null-space basis of 1' that eliminates the free weight of smallest variance:
 * H_ab = C_ab - C_ar - C_rb + C_rr. A pivot within rounding of 0 (pivotRow) is skipped: its row is
 * set to the unit row and its solution component to 0, which solves a consistent singular system
 * (duplicated strategies). False when m exceeds the factor capacity.
 */
function factorFace(): bool {
  const m = fK - 1;
  if (m > fFactorCap) return false;
  let r = atI(fIdx, 0);
  for (let a: i32 = 1; a < fK; a++) {
    const i = atI(fIdx, a);
    if (covAt(i, i) < covAt(r, r)) r = i;
  }
  fEliminated = r;
  fFactorOrder = m;
  let count: i32 = 0;
  for (let a: i32 = 0; a < fK; a++) {
    const i = atI(fIdx, a);
    if (i != r) putI(fOther, count++, i);
  }
  const crr = covAt(r, r);
  const stride = <usize>m << 3;
  for (let a: i32 = 0; a < m; a++) {
    const ia = atI(fOther, a);
    const car = covAt(ia, r);
    const rowA = fFactor + <usize>a * stride;
    for (let b: i32 = 0; b <= a; b++) {
      const ib = atI(fOther, b);
      put(rowA, b, covAt(ia, ib) - car - covAt(r, ib) + crr);
    }
  }
  // Row-oriented Cholesky (L_ab = (H_ab - L_a[0:b] . L_b[0:b]) / L_bb), two rows x two columns at a
  // time so that each loaded pair of row entries serves four dot products.
  let a: i32 = 0;
  for (; a + 1 < m; a += 2) {
    const rowA = fFactor + <usize>a * stride;
    const rowA1 = rowA + stride;
    for (let b: i32 = 0; b < a; b += 2) {
      const rowB = fFactor + <usize>b * stride;
      const rowB1 = rowB + stride;
      let s00 = f64x2.splat(0.0);
      let s01 = f64x2.splat(0.0);
      let s10 = f64x2.splat(0.0);
      let s11 = f64x2.splat(0.0);
      const pairs = b >> 1; // b is even
      for (let c: i32 = 0; c < pairs; c++) {
        const off = <usize>c << 4;
        const x0 = v128.load(rowA + off);
        const x1 = v128.load(rowA1 + off);
        const y0 = v128.load(rowB + off);
        const y1 = v128.load(rowB1 + off);
        s00 = f64x2.add(s00, f64x2.mul(x0, y0));
        s01 = f64x2.add(s01, f64x2.mul(x0, y1));
        s10 = f64x2.add(s10, f64x2.mul(x1, y0));
        s11 = f64x2.add(s11, f64x2.mul(x1, y1));
      }
      const d00 = f64x2.extract_lane(s00, 0) + f64x2.extract_lane(s00, 1);
      const d01 = f64x2.extract_lane(s01, 0) + f64x2.extract_lane(s01, 1);
      const d10 = f64x2.extract_lane(s10, 0) + f64x2.extract_lane(s10, 1);
      const d11 = f64x2.extract_lane(s11, 0) + f64x2.extract_lane(s11, 1);
      let l0b: f64 = 0.0;
      let l1b: f64 = 0.0;
      if (!flag(fSkip, b)) {
        const pivot = at(rowB, b);
        l0b = (at(rowA, b) - d00) / pivot;
        l1b = (at(rowA1, b) - d10) / pivot;
      }
      put(rowA, b, l0b);
      put(rowA1, b, l1b);
      let l0b1: f64 = 0.0;
      let l1b1: f64 = 0.0;
      if (!flag(fSkip, b + 1)) {
        const pivot = at(rowB1, b + 1);
        const link = at(rowB1, b);
        l0b1 = (at(rowA, b + 1) - d01 - l0b * link) / pivot;
        l1b1 = (at(rowA1, b + 1) - d11 - l1b * link) / pivot;
      }
      put(rowA, b + 1, l0b1);
      put(rowA1, b + 1, l1b1);
    }
    // The 2 x 2 diagonal block.
    let t00 = f64x2.splat(0.0);
    let t10 = f64x2.splat(0.0);
    let t11 = f64x2.splat(0.0);
    const pairs = a >> 1;
    for (let c: i32 = 0; c < pairs; c++) {
      const off = <usize>c << 4;
      const x0 = v128.load(rowA + off);
      const x1 = v128.load(rowA1 + off);
      t00 = f64x2.add(t00, f64x2.mul(x0, x0));
      t10 = f64x2.add(t10, f64x2.mul(x1, x0));
      t11 = f64x2.add(t11, f64x2.mul(x1, x1));
    }
    const e00 = f64x2.extract_lane(t00, 0) + f64x2.extract_lane(t00, 1);
    const e10 = f64x2.extract_lane(t10, 0) + f64x2.extract_lane(t10, 1);
    const e11 = f64x2.extract_lane(t11, 0) + f64x2.extract_lane(t11, 1);
    pivotRow(rowA, a, at(rowA, a) - e00);
    let link: f64 = 0.0;
    if (!flag(fSkip, a)) link = (at(rowA1, a) - e10) / at(rowA, a);
    put(rowA1, a, link);
    pivotRow(rowA1, a + 1, at(rowA1, a + 1) - e11 - link * link);
  }
  if (a < m) {
    // The last row when m is odd.
    const rowA = fFactor + <usize>a * stride;
    for (let b: i32 = 0; b < a; b++) {
      const rowB = fFactor + <usize>b * stride;
      put(rowA, b, flag(fSkip, b) ? 0.0 : (at(rowA, b) - dotN(rowA, rowB, b)) / at(rowB, b));
    }
    pivotRow(rowA, a, at(rowA, a) - dotN(rowA, rowA, a));
  }
  return true;
}

/** y <- H^-1 y for the factored H (compact vector of length fFactorOrder). */
function factorSolve(yPtr: usize): void {
  const m = fFactorOrder;
  const stride = <usize>m << 3;
  for (let a: i32 = 0; a < m; a++) {
    const rowA = fFactor + <usize>a * stride;
    if (flag(fSkip, a)) { put(yPtr, a, 0.0); continue; }
    put(yPtr, a, (at(yPtr, a) - dotN(rowA, yPtr, a)) / at(rowA, a));
  }
  for (let a: i32 = m - 1; a >= 0; a--) {
    if (flag(fSkip, a)) { put(yPtr, a, 0.0); continue; }
    const rowA = fFactor + <usize>a * stride;
    const ya = at(yPtr, a) / at(rowA, a);
    put(yPtr, a, ya);
    const lanes = f64x2.splat(ya);
    const pairs = a >> 1;
    for (let c: i32 = 0; c < pairs; c++) {
      const off = <usize>c << 4;
      v128.store(yPtr + off, f64x2.sub(v128.load(yPtr + off), f64x2.mul(v128.load(rowA + off), lanes)));
    }
    if (a & 1) put(yPtr, a - 1, at(yPtr, a - 1) - at(rowA, a - 1) * ya);
  }
}

/**
 * p (zero off F) with C_FF p_F - b_F in span(1) and 1'p = 0: conjugate gradients while they are
 * cheaper than a factorization, else the null-space Cholesky factor (kept while the face is unchanged).
 */
function projectedSolve(bPtr: usize, pPtr: usize): bool {
  fSolves++;
  const canFactor = fK - 1 <= fFactorCap;
  if (!fUseFactor) {
    let cap = max<i32>(8, <i32>Math.ceil(<f64>fK * <f64>fK / (12.0 * <f64>fN)));
    if (!canFactor) cap = 2 * fK + 50;
    if (projectedCg(bPtr, pPtr, cap)) return true;
    if (!canFactor) return false;
    fUseFactor = true; // conjugate gradients are slow on this problem: factor from now on
  }
  if (!(fFactorValid && sameFace(fFactorFree))) {
    if (!factorFace()) return false;
    memory.copy(fFactorFree, fFree, <usize>fN);
    fFactorValid = true;
  }
  const m = fFactorOrder;
  const br = at(bPtr, fEliminated);
  for (let a: i32 = 0; a < m; a++) put(fCompact, a, at(bPtr, atI(fOther, a)) - br);
  factorSolve(fCompact);
  for (let i: i32 = 0; i < fN; i++) put(pPtr, i, 0.0);
  let sum: f64 = 0.0;
  for (let a: i32 = 0; a < m; a++) {
    const v = at(fCompact, a);
    put(pPtr, atI(fOther, a), v);
    sum += v;
  }
  put(pPtr, fEliminated, -sum);
  return Math.abs(sum) < Infinity;
}

/** The step D from xb to the optimum of the current face (fFree); false when a solve failed. */
function faceDirection(xbPtr: usize, sxbPtr: usize, qb: f64, mb: f64, dPtr: usize): bool {
  const n = fN;
  // Early stop of conjugate gradients: where the residual moves g by a tenth of
  // tolerance x min(1, |g|), so that a small gradient (min-variance of many assets) keeps its digits.
  let scale: f64 = 0.0;
  if (!fSharpe) {
    // g = 2 C'x: a residual r moves g by 2 r.
    for (let i: i32 = 0; i < n; i++) scale = max(scale, Math.abs(at(sxbPtr, i)));
    fCgTarget = 0.05 * fTolerance * min(1.0, 2.0 * scale);
    for (let i: i32 = 0; i < n; i++) put(fRhs, i, -at(sxbPtr, i));
    return projectedSolve(fRhs, dPtr);
  }
  if (!(mb > 0.0)) return false;
  const gamma = qb / mb;
  // g = -(m / q^1.5) (gamma mu - C'x): a residual r moves g by (m / q^1.5) r; |g| ~ max |mu| / sqrt(q).
  for (let i: i32 = 0; i < n; i++) scale = max(scale, Math.abs(at(fMu, i)));
  fCgTarget = 0.05 * fTolerance * min(1.0, scale / Math.sqrt(qb)) * qb * Math.sqrt(qb) / mb;
  for (let i: i32 = 0; i < n; i++) put(fRhs, i, gamma * at(fMu, i) - at(sxbPtr, i));
  if (!projectedSolve(fRhs, fP0)) return false;
  fCgTarget = 0.0;
  if (!(fP1Valid && sameFace(fP1Free))) {
    if (!projectedSolve(fMu, fP1)) return false;
    memory.copy(fP1Free, fFree, <usize>n);
    fP1Valid = true;
  }
  // Along x + p0 + beta p1 (exact solves): m(beta) = m0 + beta mp1, q(beta) = q0 + 2 beta d + beta^2 mp1.
  const mp0 = dot(fMu, fP0, n);
  const mp1 = dot(fMu, fP1, n);
  const sp0 = dot(sxbPtr, fP0, n);
  const sp1 = dot(sxbPtr, fP1, n);
  const m0 = mb + mp0;
  const q0 = qb + sp0 + gamma * mp0;
  const d = sp1 + mp0;
  let beta = (mp1 * q0 - m0 * d) / (m0 * mp1 - mp1 * d);
  if (!(Math.abs(beta) < Infinity)) beta = 0.0;
  for (let i: i32 = 0; i < n; i++) put(dPtr, i, at(fP0, i) + beta * at(fP1, i));
  return true;
}

/**
 * One face phase from x (sx = C'x, q, m). Rounds: solve for the step D to the optimum of the current
 * face; if x_b + D is feasible take it and release the bound weights whose multipliers have the wrong
 * sign (next round on the larger face), else search along the projection arc P(x_b + t D),
 * t = 1, 1/2, ... for an improvement, ending with the step truncated at the first bound (an
 * improvement for both objectives), and continue on the new face. The candidate x_b is evaluated with
 * compensated sums and taken when not worse than x (by FACE_SLACK), else the best point on the segment
 * from x is. x and sx are updated in place. Returns FACE_INTERIOR (a face optimum with no release
 * left), FACE_PARTIAL or FACE_FAILED (x unchanged).
 */
function facePhase(
  n: i32, loPtr: usize, hiPtr: usize, tolerance: f64, xPtr: usize, sxPtr: usize, q: f64, m: f64,
  xbPtr: usize, sxbPtr: usize, dirPtr: usize, ybPtr: usize, deltaPtr: usize, gbPtr: usize, tmpPtr: usize,
): i32 {
  const sharpe = fSharpe;
  memory.copy(xbPtr, xPtr, <usize>n << 3);
  memory.copy(sxbPtr, sxPtr, <usize>n << 3);
  let qb = q;
  let mb = m;
  let interior = false;
  let moved = false;
  for (let i: i32 = 0; i < n; i++) {
    const v = at(xbPtr, i);
    setFlag(fFree, i, v > at(loPtr, i) && v < at(hiPtr, i));
  }
  for (let round: i32 = 0; round < FACE_ROUNDS; round++) {
    loadFace();
    const k = fK;
    let feasible = true;
    if (k >= 2) {
      if (!faceDirection(xbPtr, sxbPtr, qb, mb, dirPtr)) break;
      for (let a: i32 = 0; a < k; a++) {
        const i = atI(fIdx, a);
        const y = at(xbPtr, i) + at(dirPtr, i);
        if (!(y >= at(loPtr, i) && y <= at(hiPtr, i))) { feasible = false; break; }
      }
    }
    if (feasible) {
      interior = true;
      if (k >= 2) {
        for (let i: i32 = 0; i < n; i++) put(xbPtr, i, at(xbPtr, i) + at(dirPtr, i));
        matVec(fCov, n, dirPtr, fScale, deltaPtr);
        for (let i: i32 = 0; i < n; i++) put(sxbPtr, i, at(sxbPtr, i) + at(deltaPtr, i));
        qb = dot(xbPtr, sxbPtr, n);
        mb = dot(fMu, xbPtr, n);
        moved = true;
        if (sharpe && !(mb > 0.0 && qb > 0.0)) break;
      }
      // Release the bound weights whose multiplier z_i = g_i - nu has the wrong sign.
      gradient(sharpe ? OBJECTIVE_MAX_SHARPE : OBJECTIVE_MIN_VARIANCE, n, xbPtr, sxbPtr, fMu, gbPtr);
      let nu: f64 = 0.0;
      let gScale: f64 = 0.0;
      for (let a: i32 = 0; a < k; a++) {
        const v = at(gbPtr, atI(fIdx, a));
        nu += v;
        gScale = max(gScale, Math.abs(v));
      }
      nu = k > 0 ? nu / <f64>k : 0.0;
      // Multipliers within rounding of 0 (64 ulps of the gradient) are not released.
      const threshold = max(tolerance, 64.0 * f64.EPSILON * gScale);
      let released: i32 = 0;
      for (let i: i32 = 0; i < n; i++) {
        if (flag(fFree, i)) continue;
        const z = at(gbPtr, i) - nu;
        const v = at(xbPtr, i);
        if ((v <= at(loPtr, i) && z < -threshold && at(hiPtr, i) > at(loPtr, i)) || (v >= at(hiPtr, i) && z > threshold && at(loPtr, i) < at(hiPtr, i))) {
          setFlag(fFree, i, true);
          released++;
        }
      }
      if (released == 0) break;
      interior = false;
      continue;
    }
    // Projected search along P(xb + t D); the truncated step t = tmax needs no projection.
    let tmax: f64 = 1.0;
    for (let a: i32 = 0; a < k; a++) {
      const i = atI(fIdx, a);
      const di = at(dirPtr, i);
      if (di < 0.0) tmax = min(tmax, (at(loPtr, i) - at(xbPtr, i)) / di);
      else if (di > 0.0) tmax = min(tmax, (at(hiPtr, i) - at(xbPtr, i)) / di);
    }
    const base = score(sharpe, qb, mb);
    let t: f64 = 1.0;
    let qy: f64 = 0.0;
    let my: f64 = 0.0;
    let improved = false;
    for (let trial: i32 = 1; ; trial++) {
      const truncated = t <= tmax || trial > ARC_TRIALS;
      if (truncated) {
        t = tmax;
        for (let i: i32 = 0; i < n; i++) put(ybPtr, i, at(xbPtr, i));
        for (let a: i32 = 0; a < k; a++) {
          const i = atI(fIdx, a);
          const di = at(dirPtr, i);
          const lo = at(loPtr, i);
          const hi = at(hiPtr, i);
          const xi = at(xbPtr, i);
          let y = clip(xi + t * di, lo, hi);
          if (di < 0.0 && (lo - xi) / di <= tmax) y = lo;        // the blocking weights land exactly on their bound
          else if (di > 0.0 && (hi - xi) / di <= tmax) y = hi;
          put(ybPtr, i, y);
        }
      } else {
        for (let i: i32 = 0; i < n; i++) put(tmpPtr, i, at(xbPtr, i) + t * at(dirPtr, i));
        projectCappedSimplex(tmpPtr, loPtr, hiPtr, n, 1.0, ybPtr);
      }
      for (let i: i32 = 0; i < n; i++) put(tmpPtr, i, at(ybPtr, i) - at(xbPtr, i));
      matVec(fCov, n, tmpPtr, fScale, deltaPtr);
      qy = 0.0;
      my = 0.0;
      for (let i: i32 = 0; i < n; i++) {
        const y = at(ybPtr, i);
        qy += y * (at(sxbPtr, i) + at(deltaPtr, i));
        my += at(fMu, i) * y;
      }
      const value = score(sharpe, qy, my);
      if (value > base) { improved = true; break; }
      if (truncated) {
        // The truncated step improves in exact arithmetic; when it is too short to show (a weight
        // within rounding of its bound) it still moves that weight onto the bound: take it.
        improved = value >= base - FACE_SLACK * Math.abs(base);
        break;
      }
      t *= 0.5;
    }
    if (!improved) break;
    memory.copy(xbPtr, ybPtr, <usize>n << 3);
    for (let i: i32 = 0; i < n; i++) put(sxbPtr, i, at(sxbPtr, i) + at(deltaPtr, i));
    qb = qy;
    mb = my;
    moved = true;
    if (t == tmax) {
      // Truncated: the blocking weights join the bound set; released weights still on a bound stay free.
      for (let a: i32 = 0; a < k; a++) {
        const i = atI(fIdx, a);
        const v = at(xbPtr, i);
        if (v <= at(loPtr, i) && at(dirPtr, i) < 0.0 || v >= at(hiPtr, i) && at(dirPtr, i) > 0.0) setFlag(fFree, i, false);
      }
    } else {
      for (let i: i32 = 0; i < n; i++) {
        const v = at(xbPtr, i);
        setFlag(fFree, i, v > at(loPtr, i) && v < at(hiPtr, i));
      }
    }
    if (sharpe && !(mb > 0.0 && qb > 0.0)) break;
  }
  if (!moved) return FACE_FAILED;
  // The candidate with compensated sums.
  matVecAccurate(fCov, n, xbPtr, fScale, sxbPtr);
  const qc = dot(xbPtr, sxbPtr, n);
  const mc = dot(fMu, xbPtr, n);
  const before = score(sharpe, q, m);
  const after = score(sharpe, qc, mc);
  if (after >= before - FACE_SLACK * Math.abs(before)) {
    memory.copy(xPtr, xbPtr, <usize>n << 3);
    memory.copy(sxPtr, sxbPtr, <usize>n << 3);
    return interior ? FACE_INTERIOR : FACE_PARTIAL;
  }
  // Worse (an inexact solve): the best point on the segment from x toward the candidate.
  for (let i: i32 = 0; i < n; i++) {
    put(dirPtr, i, at(xbPtr, i) - at(xPtr, i));
    put(deltaPtr, i, at(sxbPtr, i) - at(sxPtr, i));
  }
  const step = exactStep(sharpe, n, sxPtr, dirPtr, deltaPtr, fMu, q, m);
  if (!(step > 0.0)) return FACE_FAILED;
  for (let i: i32 = 0; i < n; i++) put(xPtr, i, at(xPtr, i) + step * at(dirPtr, i));
  matVecAccurate(fCov, n, xPtr, fScale, sxPtr);
  return FACE_PARTIAL;
}

/** Bound-set codes of x into statePtr (u8: 0 free, 1 at lo, 2 at hi); returns how many changed. */
function classify(n: i32, xPtr: usize, loPtr: usize, hiPtr: usize, statePtr: usize): i32 {
  let changes: i32 = 0;
  for (let i: i32 = 0; i < n; i++) {
    const v = at(xPtr, i);
    const code: u8 = v <= at(loPtr, i) ? 1 : v >= at(hiPtr, i) ? 2 : 0;
    if (load<u8>(statePtr + <usize>i) != code) changes++;
    store<u8>(statePtr + <usize>i, code);
  }
  return changes;
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
 * monotonically. Projected gradient alone needs thousands of steps on large or ill-conditioned
 * problems (12,633 at N = 2,000), so once the set of weights at a bound has not changed for
 * SETTLE_STEPS steps (or every FACE_PERIOD steps while it keeps changing) a face phase (facePhase)
 * solves for the optimum of that face exactly, moves there or along the projection of that step,
 * and releases bound weights with wrong-sign multipliers; the phase after one that reached a face
 * optimum refines it (the solves use the current gradient, so each one is an iterative refinement
 * step and the gradient is recomputed with compensated sums). A phase that does not reach a face
 * optimum doubles SETTLE_STEPS and FACE_PERIOD for the next one. Stopping: ||P(x - g) - x||_inf <=
 * tolerance; or, as x is then stationary to rounding, a refinement that does not halve the norm
 * (converged when it is <= STALL_FACTOR x tolerance, else projected-gradient steps continue) or a
 * projected-gradient step without ascent right after a face phase that followed another one
 * (converged when the norm is <= sqrt(tolerance), else STATUS_MAX_ITERATIONS). The problem is scaled first (C by 1 / max diag, mu - rf by
 * 1 / max |mu - rf|), which changes neither argmin; tolerance applies to ||P(x - g) - x||_inf of the
 * scaled problem. The iteration count is projected-gradient steps plus face phases.
 *
 * mu: f64[n] expected returns; cov: f64[n*n] row-major, symmetric PSD; lo, hi: f64[n] bounds.
 * weights: f64[n], in: the start (projected onto W first; for max-Sharpe its excess return must be
 * > 0), out: the solution. scratch: f64[SCRATCH_VECTORS * n + min(n, FACTOR_MAX_ORDER)^2].
 * stats: f64[STAT_SLOTS]. Returns a STATUS_* code.
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
  const xb = mu + bytes;
  const sxb = xb + bytes;
  const dir = sxb + bytes;
  const yb = dir + bytes;
  const delta = yb + bytes;
  const gb = delta + bytes;
  const state = gb + bytes;                    // u8[n]
  put(statsPtr, STAT_ITERATIONS, 0.0);
  put(statsPtr, STAT_PROJECTED_GRADIENT, NaN);
  put(statsPtr, STAT_FACE_PHASES, 0.0);
  put(statsPtr, STAT_LINEAR_SOLVES, 0.0);
  if (n <= 0) return STATUS_INFEASIBLE;
  fN = n;
  fCov = covPtr;
  fMu = mu;
  fSharpe = objective == OBJECTIVE_MAX_SHARPE;
  fFree = state + bytes;                       // u8[n]
  fFactorFree = fFree + bytes;                 // u8[n]
  fP1Free = fFactorFree + bytes;               // u8[n]
  fSkip = fP1Free + bytes;                     // u8[n]
  fIdx = fSkip + bytes;                        // i32[n]
  fOther = fIdx + bytes;                       // i32[n]
  fCgR = fOther + bytes;
  fCgZ = fCgR + bytes;
  fCgDir = fCgZ + bytes;
  fCgAd = fCgDir + bytes;
  fCompact = fCgAd + bytes;
  fRhs = fCompact + bytes;
  fP0 = fRhs + bytes;
  fP1 = fP0 + bytes;
  fFactor = fP1 + bytes;                       // scratch + SCRATCH_VECTORS * bytes
  fFactorCap = min(n, FACTOR_MAX_ORDER);
  fFactorValid = false;
  fP1Valid = false;
  fUseFactor = false;
  fSolves = 0;
  fTolerance = tolerance;

  let maxDiag: f64 = 0.0;
  let maxExcess: f64 = 0.0;
  for (let i: i32 = 0; i < n; i++) {
    maxDiag = max(maxDiag, at(covPtr + ((<usize>i * <usize>n + <usize>i) << 3), 0));
    maxExcess = max(maxExcess, Math.abs(at(muPtr, i) - riskFree));
  }
  const covScale = maxDiag > 0.0 ? 1.0 / maxDiag : 1.0;
  fScale = covScale;
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
  let facePhases: i32 = 0;
  classify(n, x, loPtr, hiPtr, state);
  let stable: i32 = 0;          // projected-gradient steps since the bound set last changed
  let settle: i32 = SETTLE_STEPS;
  let sinceFace: i32 = 0;       // projected-gradient steps since the last face phase
  let period: i32 = FACE_PERIOD;
  let faceDue = false;
  let refinements: i32 = 0;
  let lastPg: f64 = Infinity;
  let stallRetried = false;     // a face phase was run after a projected-gradient step without ascent
  while (true) {
    if (pg <= tolerance) { status = STATUS_CONVERGED; break; }
    if (iteration >= maxIterations) break;
    iteration++;
    if (faceDue || stable >= settle || sinceFace >= period) {
      faceDue = false;
      sinceFace = 0;
      facePhases++;
      const outcome = facePhase(n, loPtr, hiPtr, tolerance, x, sx, q, m, xb, sxb, dir, yb, delta, gb, tmp);
      q = gradient(objective, n, x, sx, mu, g);
      m = dot(mu, x, n);
      if (sharpe && q <= zeroVariance) { status = STATUS_ZERO_VARIANCE; break; }
      const changes = classify(n, x, loPtr, hiPtr, state);
      pg = projectedGradientNorm(x, g, loPtr, hiPtr, n, tmp);
      stable = 0;
      if (outcome == FACE_INTERIOR) {
        settle = SETTLE_STEPS;
        period = FACE_PERIOD;
        if (changes > 0 || refinements == 0) { faceDue = true; refinements = 1; lastPg = pg; }
        else if (pg < 0.5 * lastPg && refinements < MAX_REFINEMENTS) { faceDue = true; refinements++; lastPg = pg; }
        else if (pg <= STALL_FACTOR * tolerance) { status = STATUS_CONVERGED; break; } // stationary to rounding
        else { refinements = 0; settle = SETTLE_STEPS * 8; period = FACE_PERIOD * 8; }
      } else {
        refinements = 0;
        settle = min(settle * 2, 1 << 20);
        period = min(period * 2, 1 << 20);
      }
      continue;
    }
    sinceFace++;
    for (let i: i32 = 0; i < n; i++) put(tmp, i, at(x, i) - alpha * at(g, i));
    projectCappedSimplex(tmp, loPtr, hiPtr, n, 1.0, yb);
    // With a huge step (alpha up to STEP_MAX) the projection of x - alpha g keeps the free weights only
    // to ulp(alpha |g|): project the result once more to restore sum = 1 (a feasible point, so d stays
    // a feasible direction).
    let total: f64 = 0.0;
    for (let i: i32 = 0; i < n; i++) total += at(yb, i);
    if (Math.abs(total - 1.0) > 1e-14) projectCappedSimplex(yb, loPtr, hiPtr, n, 1.0, yb);
    for (let i: i32 = 0; i < n; i++) put(d, i, at(yb, i) - at(x, i));
    matVec(covPtr, n, d, covScale, sd);
    const step = exactStep(sharpe, n, sx, d, sd, mu, q, m);
    if (step < 0.0) {
      // No ascent along d at working precision: x is stationary to rounding, or the step alpha is
      // unusable (a huge Barzilai-Borwein step after negative curvature). A face phase first.
      if (!stallRetried) { stallRetried = true; faceDue = true; continue; }
      status = pg <= Math.sqrt(tolerance) ? STATUS_CONVERGED : STATUS_MAX_ITERATIONS;
      break;
    }
    stallRetried = false;
    // A full step lands exactly on the projected point (bounds hit exactly).
    if (step == 1.0) memory.copy(x, yb, bytes);
    else for (let i: i32 = 0; i < n; i++) put(x, i, at(x, i) + step * at(d, i));
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
    stable = classify(n, x, loPtr, hiPtr, state) == 0 ? stable + 1 : 0;
  }
  // A final projection removes the rounding drift of the convex-combination updates.
  projectCappedSimplex(x, loPtr, hiPtr, n, 1.0, weightsPtr);
  put(statsPtr, STAT_ITERATIONS, <f64>iteration);
  put(statsPtr, STAT_PROJECTED_GRADIENT, pg);
  put(statsPtr, STAT_FACE_PHASES, <f64>facePhases);
  put(statsPtr, STAT_LINEAR_SOLVES, <f64>fSolves);
  return status;
}
