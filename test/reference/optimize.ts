// Exact (non-iterative) oracles of assembly/optimize.ts, by methods different from the WASM solver
// (projected gradient with exact face solves):
// - projectCappedSimplex: sort the breakpoints of g(tau) and solve on the bracketing linear piece;
// - enumerateMaxSharpe / enumerateMinVariance: every face (each weight at lo, free, or at hi) of the
//   capped simplex, the face's stationary point in closed form, best feasible one (small N);
// - activeSetQp: a primal active-set method (Nocedal & Wright, Numerical Optimization, 2nd ed.,
//   Algorithm 16.3) for min 1/2 y'Qy s.t. a'y = 1, y >= 0, which gives long-only max-Sharpe through the
//   Cornuejols-Tutuncu reformulation (a = mu - rf, w = y / sum y) and long-only min-variance (a = 1);
// - kktViolation: the first-order optimality certificate of a solution under any bounds (sufficient
//   for both objectives), for problems too large to enumerate and with caps the QP does not take.

/** Solves A x = b (n x n row-major) by Gaussian elimination with partial pivoting; null if singular. */
export function solveLinear(matrix: Float64Array, rhs: Float64Array, n: number): Float64Array | null {
  const a = Float64Array.from(matrix);
  const b = Float64Array.from(rhs);
  let scale = 0;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = r;
    if (Math.abs(a[pivot * n + col]!) <= 1e-13 * scale) return null;
    if (pivot !== col) {
      for (let c = 0; c < n; c++) { const t = a[col * n + c]!; a[col * n + c] = a[pivot * n + c]!; a[pivot * n + c] = t; }
      const t = b[col]!; b[col] = b[pivot]!; b[pivot] = t;
    }
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col]! / a[col * n + col]!;
      if (f === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c] = a[r * n + c]! - f * a[col * n + c]!;
      b[r] = b[r]! - f * b[col]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let c = r + 1; c < n; c++) s -= a[r * n + c]! * x[c]!;
    x[r] = s / a[r * n + r]!;
  }
  return x;
}

/** Projection onto { sum w = total, lo <= w <= hi } by sorting the breakpoints of g(tau). */
export function projectCappedSimplex(v: Float64Array, lo: Float64Array, hi: Float64Array, total = 1): Float64Array {
  const n = v.length;
  const g = (tau: number) => { let s = 0; for (let i = 0; i < n; i++) s += Math.min(hi[i]!, Math.max(lo[i]!, v[i]! - tau)); return s; };
  const points = [...Array.from(v, (x, i) => x - lo[i]!), ...Array.from(v, (x, i) => x - hi[i]!)].sort((a, b) => a - b);
  // g is non-increasing; find consecutive breakpoints with g(p_k) >= total >= g(p_{k+1}); g is linear between.
  let tau = points[0]!;
  for (let k = 0; k + 1 < points.length; k++) {
    const ga = g(points[k]!);
    const gb = g(points[k + 1]!);
    if (ga >= total && gb <= total) {
      tau = ga === gb ? points[k]! : points[k]! + (ga - total) * (points[k + 1]! - points[k]!) / (ga - gb);
      break;
    }
  }
  return Float64Array.from(v, (x, i) => Math.min(hi[i]!, Math.max(lo[i]!, x - tau)));
}

/** Exact solution of a small problem. */
export interface ExactSolution {
  weights: Float64Array;
  ret: number;
  variance: number;
  sharpe: number;
}

function stats(mu: Float64Array, cov: Float64Array, w: Float64Array, rf: number): ExactSolution {
  const n = w.length;
  let ret = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    ret += mu[i]! * w[i]!;
    for (let j = 0; j < n; j++) variance += w[i]! * cov[i * n + j]! * w[j]!;
  }
  return { weights: w, ret, variance, sharpe: (ret - rf) / Math.sqrt(variance) };
}

/**
 * Stationary points of one face: free set F, the others fixed at their bound. With the bordered
 * system [Sigma_FF 1; 1' 0] [w_F; -nu] = [gamma (mu - rf)_F - Sigma_FB w_B; 1 - sum w_B], w_F is
 * affine in gamma: w(gamma) = w0 + gamma w1. Returns w0 (min variance on the face) and w1.
 */
function faceLine(mu: Float64Array, cov: Float64Array, n: number, free: number[], fixed: Float64Array, rf: number): [Float64Array, Float64Array] | null {
  const k = free.length;
  const m = new Float64Array((k + 1) * (k + 1));
  const rhs0 = new Float64Array(k + 1);
  const rhs1 = new Float64Array(k + 1);
  let fixedSum = 0;
  for (let i = 0; i < n; i++) fixedSum += fixed[i]!;
  free.forEach((i, a) => {
    free.forEach((j, b) => { m[a * (k + 1) + b] = cov[i * n + j]!; });
    m[a * (k + 1) + k] = 1;
    m[k * (k + 1) + a] = 1;
    let s = 0;
    for (let j = 0; j < n; j++) s += cov[i * n + j]! * fixed[j]!;
    rhs0[a] = -s;
    rhs1[a] = mu[i]! - rf;
  });
  rhs0[k] = 1 - fixedSum;
  const x0 = solveLinear(m, rhs0, k + 1);
  const x1 = solveLinear(m, rhs1, k + 1);
  if (!x0 || !x1) return null;
  const w0 = Float64Array.from(fixed);
  const w1 = new Float64Array(n);
  free.forEach((i, a) => { w0[i] = x0[a]!; w1[i] = x1[a]!; });
  return [w0, w1];
}

function feasible(w: Float64Array, lo: number, hi: number): boolean {
  let s = 0;
  for (const x of w) { if (x < lo - 1e-12 || x > hi + 1e-12) return false; s += x; }
  return Math.abs(s - 1) <= 1e-10;
}

function enumerateFaces(n: number, visit: (free: number[], fixed: Float64Array) => void, lo: number, hi: number): void {
  const states = new Int8Array(n);
  const total = 3 ** n;
  for (let code = 0; code < total; code++) {
    let c = code;
    for (let i = 0; i < n; i++) { states[i] = c % 3; c = Math.floor(c / 3); }
    const free: number[] = [];
    const fixed = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (states[i] === 0) free.push(i);
      else fixed[i] = states[i] === 1 ? lo : hi;
    }
    if (lo === hi && free.length < n) continue;
    visit(free, fixed);
  }
}

/** Max-Sharpe over { sum w = 1, lo <= w <= hi } by enumerating all 3^n faces (n <= 8). */
export function enumerateMaxSharpe(mu: Float64Array, cov: Float64Array, lo: number, hi: number, rf: number): ExactSolution {
  const n = mu.length;
  let best: ExactSolution | undefined;
  const consider = (w: Float64Array) => {
    if (!feasible(w, lo, hi)) return;
    const s = stats(mu, cov, w, rf);
    if (s.variance > 0 && (!best || s.sharpe > best.sharpe)) best = s;
  };
  enumerateFaces(n, (free, fixed) => {
    if (free.length === 0) { consider(fixed); return; }
    const line = faceLine(mu, cov, n, free, fixed, rf);
    if (!line) return;
    const [w0, w1] = line;
    const s0 = stats(mu, cov, w0, rf);
    const a = s0.ret - rf; // m(gamma) = a + b gamma; q(gamma) = c + 2 d gamma + e gamma^2
    let b = 0;
    let d = 0;
    let e = 0;
    for (let i = 0; i < n; i++) {
      b += (mu[i]! - rf) * w1[i]!;
      for (let j = 0; j < n; j++) { d += w0[i]! * cov[i * n + j]! * w1[j]!; e += w1[i]! * cov[i * n + j]! * w1[j]!; }
    }
    const c = s0.variance;
    consider(w0);
    const slope = b * d - a * e;
    if (slope !== 0) {
      const gamma = -(b * c - a * d) / slope;
      consider(Float64Array.from(w0, (x, i) => x + gamma * w1[i]!));
    }
  }, lo, hi);
  if (!best) throw new Error('enumerateMaxSharpe: no feasible point');
  return best;
}

/** Min-variance over { sum w = 1, lo <= w <= hi } by enumerating all 3^n faces (n <= 8). */
export function enumerateMinVariance(mu: Float64Array, cov: Float64Array, lo: number, hi: number, rf: number): ExactSolution {
  const n = mu.length;
  let best: ExactSolution | undefined;
  enumerateFaces(n, (free, fixed) => {
    const w = free.length === 0 ? fixed : faceLine(mu, cov, n, free, fixed, rf)?.[0];
    if (!w || !feasible(w, lo, hi)) return;
    const s = stats(mu, cov, w, rf);
    if (!best || s.variance < best.variance) best = s;
  }, lo, hi);
  if (!best) throw new Error('enumerateMinVariance: no feasible point');
  return best;
}

/**
 * min 1/2 y'Qy s.t. a'y = 1, y >= 0 by the primal active-set method; Q positive definite and some
 * a_j > 0. Working set W = indices held at 0. Exact up to the linear solves.
 */
export function activeSetQp(q: Float64Array, a: Float64Array): Float64Array {
  const n = a.length;
  let start = -1;
  for (let j = 0; j < n; j++) if (a[j]! > 0 && (start < 0 || a[j]! / Math.sqrt(q[j * n + j]!) > a[start]! / Math.sqrt(q[start * n + start]!))) start = j;
  if (start < 0) throw new Error('activeSetQp: no a_j > 0');
  const y = new Float64Array(n);
  y[start] = 1 / a[start]!;
  const working = new Set<number>(Array.from({ length: n }, (_, i) => i).filter((i) => i !== start));
  for (let iteration = 0; iteration < 10_000; iteration++) {
    const free = Array.from({ length: n }, (_, i) => i).filter((i) => !working.has(i));
    const k = free.length;
    const m = new Float64Array((k + 1) * (k + 1));
    const rhs = new Float64Array(k + 1);
    free.forEach((i, r) => {
      free.forEach((j, c) => { m[r * (k + 1) + c] = q[i * n + j]!; });
      m[r * (k + 1) + k] = -a[i]!;
      m[k * (k + 1) + r] = a[i]!;
    });
    rhs[k] = 1;
    const x = solveLinear(m, rhs, k + 1);
    if (!x) throw new Error('activeSetQp: singular KKT system');
    const lambda = x[k]!;
    const target = new Float64Array(n);
    free.forEach((i, r) => { target[i] = x[r]!; });
    let stepNorm = 0;
    for (const i of free) stepNorm = Math.max(stepNorm, Math.abs(target[i]! - y[i]!));
    if (stepNorm <= 1e-15 * Math.max(1, ...Array.from(y, Math.abs))) {
      // Multipliers of y_i >= 0 for i in W: z = (Qy)_i - lambda a_i must be >= 0.
      let worst = -1;
      let worstValue = 0;
      for (const i of working) {
        let qy = 0;
        for (let j = 0; j < n; j++) qy += q[i * n + j]! * y[j]!;
        const z = qy - lambda * a[i]!;
        if (z < worstValue) { worstValue = z; worst = i; }
      }
      if (worst < 0) return y;
      working.delete(worst);
      continue;
    }
    let alpha = 1;
    let blocking = -1;
    for (const i of free) {
      const p = target[i]! - y[i]!;
      if (p < 0) {
        const limit = -y[i]! / p;
        if (limit < alpha) { alpha = limit; blocking = i; }
      }
    }
    for (const i of free) y[i] = y[i]! + alpha * (target[i]! - y[i]!);
    if (blocking >= 0) { y[blocking] = 0; working.add(blocking); }
  }
  throw new Error('activeSetQp: no convergence');
}

/** Long-only (bounds [0, 1]) max-Sharpe by Cornuejols-Tutuncu: min y'Sigma y s.t. (mu - rf)'y = 1, y >= 0. */
export function activeSetMaxSharpe(mu: Float64Array, cov: Float64Array, rf: number): ExactSolution {
  const y = activeSetQp(cov, Float64Array.from(mu, (m) => m - rf));
  const total = y.reduce((s, v) => s + v, 0);
  return stats(mu, cov, Float64Array.from(y, (v) => v / total), rf);
}

/** Long-only (bounds [0, 1]) min-variance: min w'Sigma w s.t. 1'w = 1, w >= 0. */
export function activeSetMinVariance(mu: Float64Array, cov: Float64Array, rf: number): ExactSolution {
  const w = activeSetQp(cov, new Float64Array(mu.length).fill(1));
  return stats(mu, cov, w, rf);
}

/**
 * Optimality certificate of weights w over { sum w = 1, lo <= w <= hi } (KKT conditions, necessary and,
 * as min-variance is convex and max-Sharpe pseudo-concave where the excess return is positive,
 * sufficient): with g the gradient of the objective to minimize (2 Sigma w, or minus the gradient of
 * (mu - rf)'w / sqrt(w' Sigma w)) and nu the median of g over the free weights, every free weight needs
 * g_i = nu, a weight at its lower bound g_i >= nu, at its upper bound g_i <= nu (fixed weights,
 * lo_i = hi_i, are exempt). Returns the largest violation relative to the largest gradient term
 * (max |g_i|; for max-Sharpe max |mu_i - rf| / sigma + |excess (Sigma w)_i| / sigma^3, as the two terms
 * cancel at the optimum); a weight within boundTol of a bound counts as at the bound. Without free
 * weights nu is the best value in between.
 */
export function kktViolation(
  objective: 'max-sharpe' | 'min-variance', mu: Float64Array, cov: Float64Array, lo: Float64Array, hi: Float64Array,
  rf: number, w: Float64Array, boundTol = 1e-12,
): number {
  const n = w.length;
  const sw = new Float64Array(n);
  let ret = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += cov[i * n + j]! * w[j]!;
    sw[i] = s;
    variance += w[i]! * s;
    ret += (mu[i]! - rf) * w[i]!;
  }
  const sigma = Math.sqrt(variance);
  const g = Float64Array.from(sw, (s, i) => (objective === 'min-variance' ? 2 * s : -((mu[i]! - rf) / sigma - (ret * s) / (sigma * variance))));
  // Scale: the largest gradient term (for max-Sharpe both terms of g_i, which cancel at the optimum).
  let scale = 0;
  for (let i = 0; i < n; i++) {
    scale = Math.max(scale, objective === 'min-variance' ? Math.abs(g[i]!) : Math.abs(mu[i]! - rf) / sigma + Math.abs(ret * sw[i]!) / (sigma * variance));
  }
  const atLo = (i: number) => w[i]! - lo[i]! <= boundTol;
  const atHi = (i: number) => hi[i]! - w[i]! <= boundTol;
  const free: number[] = [];
  let minLo = Infinity;
  let maxHi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (lo[i] === hi[i]) continue;
    if (atLo(i)) minLo = Math.min(minLo, g[i]!);
    else if (atHi(i)) maxHi = Math.max(maxHi, g[i]!);
    else free.push(g[i]!);
  }
  if (free.length === 0) return Math.max(0, maxHi - minLo) / scale;
  free.sort((a, b) => a - b);
  const nu = free[Math.floor(free.length / 2)]!;
  let worst = Math.max(nu - minLo, maxHi - nu, 0);
  for (const v of free) worst = Math.max(worst, Math.abs(v - nu));
  return worst / scale;
}
