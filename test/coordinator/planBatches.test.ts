// How analyze splits pending strategies into worker tasks.
import { describe, expect, it } from 'vitest';
import { planBatches } from '../../src/coordinator/batches.ts';

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

  it('with weights: batches of about equal weight, in order, none over the limit, a multiple of the workers', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const n of [1, 5, 64, 200, 2000]) {
      for (const workers of [1, 2, 3]) {
        // change counts spread like a real sweep's: most small, a few 100x larger
        const rows = Array.from({ length: n }, () => Math.floor(2000 * Math.exp(5 * random() ** 3)));
        const jobs = Array.from({ length: n }, (_, i) => i);
        const batches = planBatches(jobs, 64, workers, (i) => rows[i]!);
        const label = `n ${n}, workers ${workers}`;
        expect(batches.flat(), label).toEqual(jobs);
        expect(Math.max(...batches.map((b) => b.length)), label).toBeLessThanOrEqual(64);
        expect(Math.min(...batches.map((b) => b.length)), label).toBeGreaterThan(0);
        const count = Math.min(n, Math.ceil(Math.ceil(n / 64) / workers) * workers);
        const total = rows.reduce((a, b) => a + b, 0);
        // each weight group is at most its share plus one job (a job goes where its midpoint falls)
        const weights = batches.map((b) => b.reduce((sum, i) => sum + rows[i]!, 0));
        expect(Math.max(...weights), label).toBeLessThanOrEqual(total / count + Math.max(...rows));
      }
    }
  });

  it('a run whose strategies differ 100-fold in changes gets batches of equal rows, not one holding a third of them', () => {
    // 2,000 strategies; 60 neighbours in the middle hold a third of all changes
    const rows = Array.from({ length: 2000 }, (_, i) => (i >= 700 && i < 760 ? 200_000 : 12_000));
    const total = rows.reduce((a, b) => a + b, 0);
    const jobs = Array.from({ length: 2000 }, (_, i) => i);
    const heaviest = (batches: number[][]) => Math.max(...batches.map((b) => b.reduce((sum, i) => sum + rows[i]!, 0)));
    expect(heaviest(planBatches(jobs, 64, 2)) / total).toBeGreaterThan(0.25);
    const weighted = planBatches(jobs, 64, 2, (i) => rows[i]!);
    expect(heaviest(weighted)).toBeLessThanOrEqual(total / 32 + 200_000);
  });
});
