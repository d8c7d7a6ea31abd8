// Long-only portfolio (ensemble weight) optimization over the capped simplex
//   W = { w : sum_i w_i = 1, lo_i <= w_i <= hi_i }
// by the spectral projected gradient method with an exact line search along each projected
// direction, accelerated by exact solves on the face of W that the iterates settle on (a projected
// search along the face's Newton path, as in gradient-projection / subspace methods for bound-
// constrained QPs). Objectives: max-Sharpe (pseudo-concave where the excess return is positive, so
// every stationary point is the global maximum) and min-variance (convex).
// This module is the driver; the face phases are in assembly/optimizeFace.ts, the shared helpers in
// assembly/optimizeMath.ts.

import {
  OBJECTIVE_MAX_SHARPE, at, put, clip, projectCappedSimplex, matVec, dot, gradient, exactStep,
} from './optimizeMath';
import { FACE_INTERIOR, setupFace, faceSolves, facePhase } from './optimizeFace';

export { OBJECTIVE_MAX_SHARPE, OBJECTIVE_MIN_VARIANCE, projectCappedSimplex } from './optimizeMath';

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
/** Face phases in a row on an unchanged face that must each halve the projected gradient. */
const MAX_REFINEMENTS: i32 = 8;
/**
 * A face phase on an unchanged face that does not halve the projected gradient leaves x stationary to
 * rounding: converged when the norm is within this factor of the tolerance (else projected-gradient
 * steps continue).
 */
const STALL_FACTOR: f64 = 1e3;

/** ||P(x - g) - x||_inf, the stationarity measure (tmp receives P(x - g)). */
function projectedGradientNorm(xPtr: usize, gPtr: usize, loPtr: usize, hiPtr: usize, n: i32, tmpPtr: usize): f64 {
  for (let i: i32 = 0; i < n; i++) put(tmpPtr, i, at(xPtr, i) - at(gPtr, i));
  projectCappedSimplex(tmpPtr, loPtr, hiPtr, n, 1.0, tmpPtr);
  let norm: f64 = 0.0;
  for (let i: i32 = 0; i < n; i++) norm = max(norm, Math.abs(at(tmpPtr, i) - at(xPtr, i)));
  return norm;
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
  let maxDiag: f64 = 0.0;
  let maxExcess: f64 = 0.0;
  for (let i: i32 = 0; i < n; i++) {
    maxDiag = max(maxDiag, at(covPtr + ((<usize>i * <usize>n + <usize>i) << 3), 0));
    maxExcess = max(maxExcess, Math.abs(at(muPtr, i) - riskFree));
  }
  const covScale = maxDiag > 0.0 ? 1.0 / maxDiag : 1.0;
  setupFace(n, covPtr, covScale, mu, objective == OBJECTIVE_MAX_SHARPE, state + bytes, min(n, FACTOR_MAX_ORDER), tolerance);
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
  put(statsPtr, STAT_LINEAR_SOLVES, <f64>faceSolves());
  return status;
}
