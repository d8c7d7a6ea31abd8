// correlationMatrix (dense / pairwise), sparseCorrelationMatrix (change-proportional) and the greedy
// correlationFilter.
import { describe, expect, it } from 'vitest';
import {
  correlationFilter, correlationMatrix, covarianceOfReturns, sparseCorrelationMatrix, type CorrelationMatrix,
} from '../../src/analytics/correlation.ts';
import { returnMatrixFromColumns } from '../../src/analytics/returnMatrix.ts';
import { InputError } from '../../src/errors.ts';
import * as ref from '../reference/correlation.ts';
import { Rng } from '../helpers/rng.ts';
import { randomChangeList, randomReturns } from '../helpers/edgeCases.ts';

function columns(rng: Rng, bars: number, count: number, nanShare = 0): Float64Array[] {
  return Array.from({ length: count }, () => randomReturns(rng, bars, nanShare, 0.01));
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let k = 0; k < a.length; k++) {
    if (Number.isNaN(a[k]!) || Number.isNaN(b[k]!)) { if (Number.isNaN(a[k]!) !== Number.isNaN(b[k]!)) return Infinity; continue; }
    d = Math.max(d, Math.abs(a[k]! - b[k]!));
  }
  return d;
}

describe('correlationMatrix', () => {
  it('complete data: equals the reference (numpy.corrcoef), symmetric, unit diagonal', () => {
    const cols = columns(new Rng(1), 300, 6);
    const matrix = returnMatrixFromColumns(cols.map((_, j) => `s${j}`), cols);
    const corr = correlationMatrix(matrix);
    const expected = ref.correlationFromCovariance(ref.covarianceMatrix(matrix.values, 300, 6).covariance, 6);
    expect(maxDiff(corr.values, expected)).toBeLessThanOrEqual(1e-12);
    for (let i = 0; i < 6; i++) {
      expect(corr.values[i * 6 + i]).toBe(1);
      for (let j = 0; j < 6; j++) expect(corr.values[i * 6 + j]).toBe(corr.values[j * 6 + i]);
    }
    expect(corr.ids).toEqual(matrix.names);
  });

  it("missing values: 'pairwise' (default) equals pandas-style pairwise; 'propagate' gives NaN for a column with a gap", () => {
    const cols = columns(new Rng(2), 200, 4, 0.05);
    const matrix = returnMatrixFromColumns(['a', 'b', 'c', 'd'], cols);
    expect(maxDiff(correlationMatrix(matrix).values, ref.covariancePairwise(matrix.values, 200, 4).correlation)).toBeLessThanOrEqual(1e-12);
    expect(maxDiff(covarianceOfReturns(matrix).values, ref.covariancePairwise(matrix.values, 200, 4).covariance)).toBeLessThanOrEqual(1e-15);
    expect(Number.isNaN(correlationMatrix(matrix, { missing: 'propagate' }).values[1]!)).toBe(true);
    expect(() => correlationMatrix(matrix, { missing: 'drop' as never })).toThrow(/options\.missing/);
  });

  it('edge cases: no bars, one bar and a constant strategy give NaN', () => {
    expect(correlationMatrix(returnMatrixFromColumns([], [])).values.length).toBe(0);
    const oneBar = correlationMatrix(returnMatrixFromColumns(['a', 'b'], [Float64Array.of(0.01), Float64Array.of(0.02)]));
    expect(oneBar.values.every(Number.isNaN)).toBe(true);
    const flat = correlationMatrix(returnMatrixFromColumns(['a', 'flat'], [Float64Array.of(0.01, -0.02, 0.03), Float64Array.of(0.01, 0.01, 0.01)]));
    expect(flat.values[0]).toBe(1);
    expect(Number.isNaN(flat.values[1]!)).toBe(true);
    expect(Number.isNaN(flat.values[3]!)).toBe(true);
  });
});

describe('sparseCorrelationMatrix', () => {
  it('equals the dense correlation of the gross strategy returns pos[t-1] * r[t]', () => {
    const rng = new Rng(3);
    const bars = 5000;
    const r = randomReturns(rng, bars, 0, 0.01);
    const prefix = new Float64Array(bars + 1);
    const squares = new Float64Array(bars + 1);
    for (let t = 0; t < bars; t++) { prefix[t + 1] = prefix[t]! + r[t]!; squares[t + 1] = squares[t]! + r[t]! ** 2; }
    const traces = Array.from({ length: 8 }, () => randomChangeList(rng, bars, 0.02));
    const ids = traces.map((_, s) => `strategy-${s}`);
    const sparse = sparseCorrelationMatrix(ids, traces, prefix, squares);
    const dense = traces.map((trace) => ref.denseStrategyReturns(trace, prefix));
    const expected = correlationMatrix(returnMatrixFromColumns(ids, dense));
    expect(maxDiff(sparse.values, expected.values)).toBeLessThanOrEqual(1e-9);
    expect(() => sparseCorrelationMatrix(['x'], traces, prefix, squares)).toThrow(InputError);
  });
});

describe('correlationFilter', () => {
  // a~b 0.9, a~c 0.2, b~c 0.5, d anti-correlated with a (-0.95), e constant (NaN).
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const table: Record<string, number> = { ab: 0.9, ac: 0.2, bc: 0.5, ad: -0.95, bd: -0.8, cd: -0.1 };
  const values = new Float64Array(25);
  ids.forEach((x, i) => ids.forEach((y, j) => {
    values[i * 5 + j] = i === j ? (x === 'e' ? NaN : 1) : x === 'e' || y === 'e' ? NaN : table[`${x}${y}`] ?? table[`${y}${x}`]!;
  }));
  const corr: CorrelationMatrix = { ids, values };

  it('keeps the best-ranked, drops later ones correlated above the threshold with a kept one', () => {
    expect(correlationFilter(['a', 'b', 'c', 'd', 'e'], corr, 0.7)).toEqual(['a', 'c', 'd', 'e']);
    expect(correlationFilter(['b', 'a', 'c'], corr, 0.7)).toEqual(['b', 'c']);
    expect(correlationFilter(['b', 'a', 'c'], corr, 0.4)).toEqual(['b']);
    // Exactly at the threshold is kept (strictly greater drops).
    expect(correlationFilter(['a', 'b'], corr, 0.9)).toEqual(['a', 'b']);
    expect(correlationFilter([], corr, 0.5)).toEqual([]);
  });

  it('a NaN correlation never excludes; duplicates in the ranking are ignored', () => {
    expect(correlationFilter(['e', 'a', 'a'], corr, -1)).toEqual(['e', 'a']);
  });

  it('throws InputError for an unknown id or a threshold outside [-1, 1]', () => {
    expect(() => correlationFilter(['a', 'zz'], corr, 0.5)).toThrow(/id 'zz' is not in the correlation matrix/);
    expect(() => correlationFilter(['a'], corr, 1.5)).toThrow(/maxCorrelation must be a number in \[-1, 1\], got 1.5/);
    expect(() => correlationFilter(['a'], corr, NaN)).toThrow(InputError);
  });
});
