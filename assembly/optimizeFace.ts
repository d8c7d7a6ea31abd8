// Face solver of the portfolio optimizer (assembly/optimize.ts): exact solves on the face of the
// bound set that the projected-gradient iterates settle on.
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
// Module state, set by setupFace from optimizePortfolio (instance-local globals; the memory is the caller's).

import { blockDots, dot00, dot01, dot10, dot11 } from './blockDot';
import {
  OBJECTIVE_MAX_SHARPE, OBJECTIVE_MIN_VARIANCE, at, put, atI, putI, flag, setFlag, clip, projectCappedSimplex,
  dotN, matVec, matVecAccurate, dot, gradient, score, exactStep,
} from './optimizeMath';

/** Solves per face phase (each one is a move to the face optimum, a projected search, or a release). */
const FACE_ROUNDS: i32 = 12;
/** Halvings of the projected search t = 1, 1/2, ... before the step is truncated at the first bound. */
const ARC_TRIALS: i32 = 8;
/** A face candidate may be worse than the current point by this much (relative) and still be taken. */
const FACE_SLACK: f64 = 1e-14;
/** Conjugate gradients stop at this relative projected residual (or stagnate; >= CG_ACCEPT is a failure). */
const CG_TOLERANCE: f64 = 1e-14;
const CG_ACCEPT: f64 = 1e-10;
const CG_STAGNATION: i32 = 10;
/** A pivot below this fraction of its scale is skipped (a direction of zero curvature). */
const PIVOT_FLOOR: f64 = 1e-13;

/** Outcomes of facePhase. */
export const FACE_FAILED: i32 = 0;
export const FACE_PARTIAL: i32 = 1;
export const FACE_INTERIOR: i32 = 2;

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

/**
 * Sets the face solver up for one optimizePortfolio call: n assets, the covariance cov (row-major
 * n x n, used times covScale), the scaled excess returns mu (f64[n]), the objective (sharpe: max-Sharpe,
 * else min-variance), the tolerance of optimizePortfolio, and the scratch from scratchPtr on: 4 u8[n]
 * flag vectors, 2 i32[n] index vectors and 8 f64[n] vectors (each of n * 8 bytes), then the factor,
 * f64[factorCap^2]. Resets the factor, p1 and the solve count.
 */
export function setupFace(
  n: i32, covPtr: usize, covScale: f64, muPtr: usize, sharpe: bool, scratchPtr: usize, factorCap: i32, tolerance: f64,
): void {
  const bytes = <usize>n << 3;
  fN = n;
  fCov = covPtr;
  fMu = muPtr;
  fSharpe = sharpe;
  fFree = scratchPtr;                          // u8[n]
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
  fFactor = fP1 + bytes;                       // f64[factorCap * factorCap]
  fFactorCap = factorCap;
  fFactorValid = false;
  fP1Valid = false;
  fUseFactor = false;
  fSolves = 0;
  fTolerance = tolerance;
  fScale = covScale;
}

/** Linear solves on a face since the last setupFace. */
export function faceSolves(): i32 {
  return fSolves;
}

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
      blockDots(rowA, rowA1, rowB, rowB1, b >> 1); // b is even
      const d00 = dot00;
      const d01 = dot01;
      const d10 = dot10;
      const d11 = dot11;
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
export function facePhase(
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
