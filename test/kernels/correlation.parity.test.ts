// WASM correlation/covariance and capped-simplex projection kernels vs the plain-TS references
// (test/reference/correlation.ts, test/reference/optimize.ts) on seeded random inputs (shapes that
// cross the 256-row and 64-column tiles and the f64x2 tails) and on edge cases.
import { describe, expect, it } from 'vitest';
import {
  correlationFromCovariance, covarianceMatrix, covariancePairwise, sparseCovariance,
} from '../../src/kernels/correlation.ts';
import { projectCappedSimplex } from '../../src/kernels/optimize.ts';
import { InputError } from '../../src/errors.ts';
import * as ref from '../reference/correlation.ts';
import { projectCappedSimplex as refProject } from '../reference/optimize.ts';
import { Rng } from '../helpers/rng.ts';
import { randomChangeList, randomReturns } from '../helpers/edgeCases.ts';

const SEED = 20240611;
/** Covariances agree to this relative to sqrt(var_i var_j) (the natural scale of entry (i, j)). */
const COV_TOL = 1e-12;

function randomMatrix(rng: Rng, bars: number, columns: number, nanShare = 0): Float64Array {
  const values = new Float64Array(bars * columns);
  const common = randomReturns(rng, bars, 0, 0.01);
  for (let j = 0; j < columns; j++) {
    const beta = rng.between(-1, 1);
    for (let t = 0; t < bars; t++) values[j * bars + t] = rng.chance(nanShare) ? NaN : beta * common[t]! + rng.normal(0.0003, 0.01);
  }
  return values;
}

/** First (i, j) where the matrices differ beyond COV_TOL x sqrt(a_ii a_jj); NaN must match NaN. */
function covarianceMismatch(actual: Float64Array, expected: Float64Array, n: number): string | undefined {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = actual[i * n + j]!;
      const e = expected[i * n + j]!;
      if (Number.isNaN(e) || Number.isNaN(a)) {
        if (Number.isNaN(e) !== Number.isNaN(a)) return `(${i},${j}): ${a} vs ${e}`;
        continue;
      }
      const scale = Math.sqrt(Math.abs(expected[i * n + i]! * expected[j * n + j]!));
      if (Math.abs(a - e) > COV_TOL * Math.max(scale, Math.abs(e), 1e-300)) return `(${i},${j}): ${a} vs ${e}`;
    }
  }
  return undefined;
}

function correlationMismatch(actual: Float64Array, expected: Float64Array): string | undefined {
  for (let k = 0; k < expected.length; k++) {
    const a = actual[k]!;
    const e = expected[k]!;
    if (Number.isNaN(a) || Number.isNaN(e)) { if (Number.isNaN(a) !== Number.isNaN(e)) return `[${k}]: ${a} vs ${e}`; continue; }
    if (Math.abs(a - e) > 1e-12) return `[${k}]: ${a} vs ${e}`;
  }
  return undefined;
}

const SHAPES: [number, number][] = [[0, 0], [0, 3], [1, 3], [2, 1], [3, 2], [7, 5], [256, 3], [257, 64], [600, 65], [513, 130]];

describe('covarianceMatrix / correlationFromCovariance (dense, blocked SIMD)', () => {
  SHAPES.forEach(([bars, columns], s) => {
    it(`matches the reference on random ${bars} x ${columns}`, () => {
      const values = randomMatrix(new Rng(SEED + s), bars, columns);
      const wasm = covarianceMatrix(values, bars, columns);
      const expected = ref.covarianceMatrix(values, bars, columns);
      expect(covarianceMismatch(wasm.covariance, expected.covariance, columns)).toBeUndefined();
      for (let j = 0; j < columns; j++) expect(Math.abs(wasm.means[j]! - expected.means[j]!) <= 1e-15 || (Number.isNaN(wasm.means[j]!) && Number.isNaN(expected.means[j]!))).toBe(true);
      const corr = correlationFromCovariance(wasm.covariance, columns);
      expect(correlationMismatch(corr, ref.correlationFromCovariance(expected.covariance, columns))).toBeUndefined();
    });
  });

  it('does not modify its input', () => {
    const values = randomMatrix(new Rng(SEED), 50, 4);
    const copy = values.slice();
    covarianceMatrix(values, 50, 4);
    expect(values).toEqual(copy);
  });

  it('edge cases: one bar -> NaN; constant column -> covariance 0, correlation NaN (diagonal too); NaN column propagates', () => {
    expect(Number.isNaN(covarianceMatrix(Float64Array.of(0.01, 0.02), 1, 2).covariance[0]!)).toBe(true);
    const bars = 9;
    const values = randomMatrix(new Rng(SEED + 99), bars, 3);
    values.fill(0.01, bars, 2 * bars); // column 1 constant
    values[2 * bars + 4] = NaN; // column 2 has a NaN
    const { covariance } = covarianceMatrix(values, bars, 3);
    expect(covarianceMismatch(covariance, ref.covarianceMatrix(values, bars, 3).covariance, 3)).toBeUndefined();
    expect(covariance[1 * 3 + 1]).toBe(0);
    expect(Number.isNaN(covariance[2 * 3 + 0]!)).toBe(true);
    const corr = correlationFromCovariance(covariance, 3);
    expect(corr[0]).toBe(1);
    expect(Number.isNaN(corr[1 * 3 + 1]!)).toBe(true);
    expect(Number.isNaN(corr[0 * 3 + 1]!)).toBe(true);
  });

  it('rejects a shape that does not match the values', () => {
    expect(() => covarianceMatrix(new Float64Array(5), 2, 3)).toThrow(InputError);
    expect(() => covarianceMatrix(new Float64Array(5), 2, 3)).toThrow(/length 5 does not match 2 bars x 3 columns/);
  });
});

describe('covariancePairwise (pandas pairwise-complete)', () => {
  [[0, 2], [1, 2], [40, 4], [301, 9]].forEach(([bars, columns], s) => {
    it(`matches the reference on ${bars} x ${columns} with 10 % NaN`, () => {
      const values = randomMatrix(new Rng(SEED + 50 + s), bars!, columns!, 0.1);
      const wasm = covariancePairwise(values, bars!, columns!);
      const expected = ref.covariancePairwise(values, bars!, columns!);
      expect(covarianceMismatch(wasm.covariance, expected.covariance, columns!)).toBeUndefined();
      expect(correlationMismatch(wasm.correlation, expected.correlation)).toBeUndefined();
      expect(wasm.counts).toEqual(expected.counts);
    });
  });

  it('without NaN equals the dense kernel', () => {
    const values = randomMatrix(new Rng(SEED + 60), 120, 5);
    expect(covarianceMismatch(covariancePairwise(values, 120, 5).covariance, covarianceMatrix(values, 120, 5).covariance, 5)).toBeUndefined();
  });

  it('an all-NaN column and a constant column give NaN', () => {
    const values = Float64Array.of(NaN, NaN, NaN, 1, 1, 1, 0.1, 0.2, 0.4);
    const { covariance, correlation } = covariancePairwise(values, 3, 3);
    expect(Number.isNaN(covariance[0]!)).toBe(true);
    expect(covariance[4]).toBe(0);
    expect(Number.isNaN(correlation[4]!)).toBe(true);
    expect(correlation[8]).toBe(1);
  });
});

function prefixes(returns: Float64Array): [Float64Array, Float64Array] {
  const prefix = new Float64Array(returns.length + 1);
  const squares = new Float64Array(returns.length + 1);
  for (let t = 0; t < returns.length; t++) {
    const r = Number.isNaN(returns[t]!) ? 0 : returns[t]!;
    prefix[t + 1] = prefix[t]! + r;
    squares[t + 1] = squares[t]! + r * r;
  }
  return [prefix, squares];
}

describe('sparseCovariance (change-proportional, gross)', () => {
  [[0, 3], [1, 2], [2, 2], [3, 3], [50, 4], [1001, 7], [20_000, 12]].forEach(([bars, strategies], s) => {
    it(`equals the dense covariance of pos[t-1] * r[t] on ${bars} bars x ${strategies} strategies`, () => {
      const rng = new Rng(SEED + 200 + s);
      const [prefix, squares] = prefixes(randomReturns(rng, bars!, 0.02, 0.01));
      const values = s % 2 === 0 ? [-1, 0, 1] : [-1, -0.5, 0, 0.25, 1];
      const traces = Array.from({ length: strategies! }, () => randomChangeList(rng, bars!, rng.between(0.001, 0.2), values));
      const wasm = sparseCovariance(traces, prefix, squares);
      const expected = ref.sparseCovariance(traces, prefix, squares);
      expect(covarianceMismatch(wasm, expected, strategies!)).toBeUndefined();
    });
  });

  it('handles a change on the last bar, a strategy that never trades and identical strategies', () => {
    const [prefix, squares] = prefixes(Float64Array.of(0, 0.01, -0.02, 0.03, 0.01, -0.01));
    const traces = [
      { idx: Int32Array.of(0, 5), signal: Float64Array.of(1, -1) },
      { idx: new Int32Array(0), signal: new Float64Array(0) },
      { idx: Int32Array.of(0, 5), signal: Float64Array.of(1, -1) },
    ];
    const wasm = sparseCovariance(traces, prefix, squares);
    expect(covarianceMismatch(wasm, ref.sparseCovariance(traces, prefix, squares), 3)).toBeUndefined();
    expect(wasm[1 * 3 + 1]).toBe(0);
    expect(wasm[0 * 3 + 2]).toBe(wasm[0]);
  });

  it('rejects an unsorted or out-of-range change list, naming the strategy', () => {
    const [prefix, squares] = prefixes(new Float64Array(10));
    const good = { idx: Int32Array.of(1), signal: Float64Array.of(1) };
    expect(() => sparseCovariance([good, { idx: Int32Array.of(3, 3), signal: Float64Array.of(1, 0) }], prefix, squares)).toThrow(/traces\[1\]: change indices must be strictly increasing in \[0, 10\)/);
    expect(() => sparseCovariance([{ idx: Int32Array.of(10), signal: Float64Array.of(1) }], prefix, squares)).toThrow(InputError);
  });
});

describe('projectCappedSimplex', () => {
  const rng = new Rng(SEED + 300);
  const cases: { label: string; n: number; lo: number; hi: number; total?: number }[] = [
    { label: 'simplex', n: 1, lo: 0, hi: 1 },
    { label: 'simplex', n: 7, lo: 0, hi: 1 },
    { label: 'capped', n: 20, lo: 0, hi: 0.1 },
    { label: 'lower and upper', n: 33, lo: 0.01, hi: 0.05 },
    { label: 'tight (sum hi = 1)', n: 10, lo: 0, hi: 0.1 },
    { label: 'large', n: 2001, lo: 0, hi: 0.01 },
  ];
  for (const { label, n, lo, hi } of cases) {
    it(`matches the sorted-breakpoint reference (${label}, n=${n})`, () => {
      for (let trial = 0; trial < 5; trial++) {
        const v = Float64Array.from({ length: n }, () => rng.normal(0, trial === 0 ? 1e-3 : 3));
        const loV = new Float64Array(n).fill(lo);
        const hiV = new Float64Array(n).fill(hi);
        const w = projectCappedSimplex(v, loV, hiV);
        const expected = refProject(v, loV, hiV);
        let sum = 0;
        for (let i = 0; i < n; i++) {
          sum += w[i]!;
          expect(w[i]! >= lo && w[i]! <= hi).toBe(true);
          expect(Math.abs(w[i]! - expected[i]!)).toBeLessThanOrEqual(1e-12);
        }
        expect(Math.abs(sum - 1)).toBeLessThanOrEqual(1e-12);
      }
    });
  }

  it('throws InputError for infeasible bounds', () => {
    expect(() => projectCappedSimplex(new Float64Array(3), new Float64Array(3).fill(0.5), new Float64Array(3).fill(1))).toThrow(InputError);
    expect(() => projectCappedSimplex(new Float64Array(3), new Float64Array(3), new Float64Array(3).fill(0.2))).toThrow(/infeasible/);
  });
});
