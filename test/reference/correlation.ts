// Reference (plain TS) of assembly/correlation.ts: scalar, pair by pair, unblocked; same signatures as
// src/kernels/correlation.ts. sparseCovariance expands the change lists to dense returns.
import type { SignalTrace } from '../../src/types.ts';

export interface CovarianceResult {
  covariance: Float64Array;
  means: Float64Array;
}

export interface PairwiseCovarianceResult {
  covariance: Float64Array;
  correlation: Float64Array;
  counts: Float64Array;
}

/** numpy.cov(X, rowvar=False): two-pass, per pair; NaN propagates; T < 2 gives NaN. */
export function covarianceMatrix(values: Float64Array, bars: number, columns: number): CovarianceResult {
  const means = new Float64Array(columns);
  for (let j = 0; j < columns; j++) {
    let s = 0;
    for (let t = 0; t < bars; t++) s += values[j * bars + t]!;
    means[j] = bars > 0 ? s / bars : NaN;
  }
  const covariance = new Float64Array(columns * columns);
  for (let i = 0; i < columns; i++) {
    for (let j = 0; j < columns; j++) {
      let s = 0;
      for (let t = 0; t < bars; t++) s += (values[i * bars + t]! - means[i]!) * (values[j * bars + t]! - means[j]!);
      covariance[i * columns + j] = bars >= 2 ? s / (bars - 1) : NaN;
    }
  }
  return { covariance, means };
}

/** numpy.corrcoef from a covariance: clipped to [-1, 1]; zero/NaN variance gives NaN (diagonal too). */
export function correlationFromCovariance(covariance: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const vi = covariance[i * n + i]!;
      const vj = covariance[j * n + j]!;
      out[i * n + j] = vi > 0 && vj > 0 ? (i === j ? 1 : Math.max(-1, Math.min(1, covariance[i * n + j]! / Math.sqrt(vi * vj)))) : NaN;
    }
  }
  return out;
}

/** pandas DataFrame.cov() / .corr(): per pair, only rows where both values are finite. */
export function covariancePairwise(values: Float64Array, bars: number, columns: number): PairwiseCovarianceResult {
  const covariance = new Float64Array(columns * columns);
  const correlation = new Float64Array(columns * columns);
  const counts = new Float64Array(columns * columns);
  for (let i = 0; i < columns; i++) {
    for (let j = 0; j < columns; j++) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let t = 0; t < bars; t++) {
        const x = values[i * bars + t]!;
        const y = values[j * bars + t]!;
        if (Number.isFinite(x) && Number.isFinite(y)) { xs.push(x); ys.push(y); }
      }
      const m = xs.length;
      counts[i * columns + j] = m;
      if (m < 2) { covariance[i * columns + j] = NaN; correlation[i * columns + j] = NaN; continue; }
      const mx = xs.reduce((a, b) => a + b, 0) / m;
      const my = ys.reduce((a, b) => a + b, 0) / m;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      for (let k = 0; k < m; k++) {
        sxy += (xs[k]! - mx) * (ys[k]! - my);
        sxx += (xs[k]! - mx) ** 2;
        syy += (ys[k]! - my) ** 2;
      }
      covariance[i * columns + j] = sxy / (m - 1);
      correlation[i * columns + j] = sxx > 0 && syy > 0 ? (i === j ? 1 : Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)))) : NaN;
    }
  }
  return { covariance, correlation, counts };
}

/** Dense positions of a change list over `bars` bars (0 before the first change). */
export function expandPositions(trace: SignalTrace, bars: number): Float64Array {
  const out = new Float64Array(bars);
  let c = 0;
  let p = 0;
  for (let t = 0; t < bars; t++) {
    while (c < trace.idx.length && trace.idx[c]! === t) { p = trace.signal[c]!; c++; }
    out[t] = p;
  }
  return out;
}

/** Dense gross strategy returns R_t = pos_{t-1} r_t (R_0 = 0) with r_t = prefix[t+1] - prefix[t]. */
export function denseStrategyReturns(trace: SignalTrace, prefix: Float64Array): Float64Array {
  const bars = prefix.length - 1;
  const pos = expandPositions(trace, bars);
  const out = new Float64Array(bars);
  for (let t = 1; t < bars; t++) out[t] = pos[t - 1]! * (prefix[t + 1]! - prefix[t]!);
  return out;
}

/** Covariance of the dense gross strategy returns (expands every trace: O(S T + S^2 T)). */
export function sparseCovariance(traces: readonly SignalTrace[], prefix: Float64Array, _prefixSquares: Float64Array): Float64Array {
  const bars = prefix.length - 1;
  const values = new Float64Array(bars * traces.length);
  traces.forEach((trace, s) => values.set(denseStrategyReturns(trace, prefix), s * bars));
  return covarianceMatrix(values, bars, traces.length).covariance;
}
