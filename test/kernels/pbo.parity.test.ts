// assembly/pbo.ts (via src/kernels/pbo.ts) vs the plain-TS reference test/reference/pbo.ts on seeded
// random matrices: block sums to 1e-12 relative (SIMD vs scalar summation order), split selections
// and ranks exactly, sharded ranges equal to one full range, in-place and chunked copies equal.
import { describe, expect, it } from 'vitest';
import { blockBounds, pboBlockSums, pboSplits } from '../../src/kernels/pbo.ts';
import { kernels } from '../../src/kernels/runtime.ts';
import { halfSplitMasks, summarizePbo } from '../../src/analytics/overfitting/pbo.ts';
import { pboBlockSums as refBlockSums, pboSplits as refSplits } from '../reference/pbo.ts';
import { Rng } from '../helpers/rng.ts';
import { closeRelative, findMismatch } from '../helpers/tolerance.ts';

const SEED = 31337;
const SUM_TOLERANCE = 1e-12;

function randomMatrix(seed: number, nBars: number, nStrategies: number): Float64Array {
  const rng = new Rng(seed);
  const values = new Float64Array(nBars * nStrategies);
  for (let j = 0; j < nStrategies; j++) {
    const drift = rng.between(-0.001, 0.001);
    const scale = rng.between(0.005, 0.03);
    for (let t = 0; t < nBars; t++) values[j * nBars + t] = rng.normal(drift, scale);
  }
  return values;
}

const close = (a: number, b: number) => closeRelative(a, b, SUM_TOLERANCE);

describe('pbo kernels vs reference', () => {
  const cases: [number, number, number][] = [
    // [nBars, nStrategies, blocks]: odd lengths and blocks not dividing T exercise the SIMD tails.
    [8, 2, 4], [9, 3, 4], [37, 5, 6], [101, 7, 8], [200, 10, 8], [1001, 13, 16], [4096, 4, 16],
  ];

  it('block sums agree to 1e-12 relative', () => {
    for (const [nBars, nStrategies, blocks] of cases) {
      const values = randomMatrix(SEED + nBars, nBars, nStrategies);
      const got = pboBlockSums(values, nBars, nStrategies, blocks);
      const want = refBlockSums(values, nBars, nStrategies, blocks);
      expect(findMismatch(got, want, close), `T=${nBars} N=${nStrategies} S=${blocks}`).toBeUndefined();
      expect([...got.bounds]).toEqual([...blockBounds(nBars, blocks)]);
    }
  });

  it('splits agree: same selections and ranks, performances to 1e-12', () => {
    for (const [nBars, nStrategies, blocks] of cases) {
      for (const metric of ['sharpe', 'mean'] as const) {
        const values = randomMatrix(SEED + 7 * nBars, nBars, nStrategies);
        const sums = refBlockSums(values, nBars, nStrategies, blocks);
        const masks = halfSplitMasks(blocks);
        const got = pboSplits(sums, masks, 0, masks.length, metric);
        const want = refSplits(sums, masks, 0, masks.length, metric);
        const label = `T=${nBars} N=${nStrategies} S=${blocks} ${metric}`;
        expect([...got.selected], label).toEqual([...want.selected]);
        expect([...got.rank], label).toEqual([...want.rank]);
        expect(findMismatch(got.inSample, want.inSample, close), label).toBeUndefined();
        expect(findMismatch(got.outOfSample, want.outOfSample, close), label).toBeUndefined();
      }
    }
  });

  it('sharded split ranges reassemble to the single-range result', () => {
    const nBars = 640;
    const nStrategies = 12;
    const values = randomMatrix(SEED, nBars, nStrategies);
    const sums = pboBlockSums(values, nBars, nStrategies, 10);
    const masks = halfSplitMasks(10);
    const whole = pboSplits(sums, masks, 0, masks.length);
    const cuts = [0, 1, 97, 128, 200, masks.length];
    const parts = cuts.slice(1).map((end, i) => pboSplits(sums, masks, cuts[i]!, end));
    const context = { nStrategies, nBars, blocks: 10, metric: 'sharpe' as const };
    expect(summarizePbo(parts.reverse(), context)).toEqual(summarizePbo([whole], context));
    expect(() => summarizePbo(parts.slice(1), context)).toThrow(/gap or overlap|cover/);
    expect(() => pboSplits(sums, masks, 5, masks.length + 1)).toThrow(/not inside/);
  });

  it('reads a matrix in kernel memory in place, and copies large ones in chunks, with equal results', () => {
    // 300,000 bars × 8 strategies = 19.2 MB: more than one 16 MB copy chunk.
    const nBars = 300_000;
    const nStrategies = 8;
    const values = randomMatrix(SEED + 1, nBars, nStrategies);
    const copied = pboBlockSums(values, nBars, nStrategies, 16);
    const want = refBlockSums(values, nBars, nStrategies, 16);
    expect(findMismatch(copied, want, close)).toBeUndefined();
    const instance = kernels();
    const mark = instance.arena.mark();
    try {
      const inKernel = instance.arena.f64(values.length);
      const view = new Float64Array(instance.memory.buffer, inKernel.byteOffset, values.length);
      view.set(values);
      const inPlace = pboBlockSums(view, nBars, nStrategies, 16, instance);
      expect(inPlace).toEqual(copied);
    } finally {
      instance.arena.release(mark);
    }
  });

  it('names the strategy and bar of a non-finite value, in both paths', () => {
    const values = randomMatrix(SEED, 50, 4);
    values[3 * 50 + 49] = Infinity;
    expect(() => pboBlockSums(values, 50, 4, 4)).toThrow(/strategy 3, bar 49: return Infinity is not finite/);
    values[3 * 50 + 49] = 0;
    values[1 * 50 + 0] = NaN;
    expect(() => pboBlockSums(values, 50, 4, 4)).toThrow(/strategy 1, bar 0/);
  });
});
