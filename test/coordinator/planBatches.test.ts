// How analyze splits pending strategies into worker tasks.
import { describe, expect, it } from 'vitest';
import { planBatches } from '../../src/coordinator/analyze.ts';

describe('planBatches', () => {
  it('keeps every job once, in order, no batch over the limit, sizes within one of each other', () => {
    for (const n of [0, 1, 2, 3, 63, 64, 65, 127, 128, 129, 1000, 2000, 2001]) {
      for (const size of [1, 7, 64]) {
        for (const workers of [1, 2, 3, 8]) {
          const jobs = Array.from({ length: n }, (_, i) => i);
          const batches = planBatches(jobs, size, workers);
          const label = `n ${n}, size ${size}, workers ${workers}`;
          expect(batches.flat(), label).toEqual(jobs);
          const sizes = batches.map((b) => b.length);
          if (n > 0) {
            expect(Math.max(...sizes), label).toBeLessThanOrEqual(size);
            expect(Math.max(...sizes) - Math.min(...sizes), label).toBeLessThanOrEqual(1);
            expect(Math.min(...sizes), label).toBeGreaterThan(0);
          }
          // a multiple of the workers whenever there are enough jobs for that, and no more batches
          const balanced = Math.ceil(Math.ceil(n / size) / workers) * workers;
          expect(batches.length, label).toBe(Math.min(n, balanced));
        }
      }
    }
  });

  it('2,000 strategies, 64 per task, 2 workers: 32 tasks of 62-63 (not 31 of 64 and one of 16)', () => {
    const batches = planBatches(Array.from({ length: 2000 }, (_, i) => i), 64, 2);
    expect(batches.length).toBe(32);
    expect(new Set(batches.map((b) => b.length))).toEqual(new Set([62, 63]));
  });
});
