import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runEngineBench } from '../../bench/engine.bench.ts';

// the built CLI (npm ci builds it); the whole-process rounds spawn it
const cliEntry = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

describe('runEngineBench (tiny)', () => {
  it('times interleaved rounds of 1 and 2 workers and reports median ratios of the whole run and of its strategies phase', async () => {
    const lines: string[] = [];
    const report = await runEngineBench({ strategies: 24, bars: 3_000, rounds: 2, processRounds: 0, log: (line) => lines.push(line) });
    expect(report.rounds).toHaveLength(2);
    for (const round of report.rounds) {
      for (const ms of Object.values(round)) expect(ms).toBeGreaterThan(0);
      expect(round.oneComputeMs).toBeLessThan(round.oneMs);
      expect(round.twoComputeMs).toBeLessThan(round.twoMs);
    }
    const ratios = report.rounds.map((round) => round.oneMs / round.twoMs);
    expect(report.ratios.twoWorkersOverOne).toBeCloseTo((ratios[0]! + ratios[1]!) / 2, 12);
    const computeRatios = report.rounds.map((round) => round.oneComputeMs / round.twoComputeMs);
    expect(report.ratios.computeTwoWorkersOverOne).toBeCloseTo((computeRatios[0]! + computeRatios[1]!) / 2, 12);
    expect(report.cases.map((c) => c.name)).toEqual(['analyze/1-worker', 'analyze/2-workers', 'analyze/2-workers-cached', 'analyze/2-workers-per-strategy-caches']);
    // 1 then 2 workers in the first round, 2 then 1 in the second
    expect(lines.filter((line) => line.startsWith('analyze, ') && line.includes('round'))).toEqual([
      'analyze, 1 worker (round 1 of 2) ...', 'analyze, 2 workers (round 1 of 2) ...', 'analyze, 2 workers (round 2 of 2) ...', 'analyze, 1 worker (round 2 of 2) ...',
    ]);
    expect(report.processRounds).toEqual([]);
    expect(report.processSkipped).toBe('processRounds is 0');
    expect(report.ratios.processTwoWorkersOverOne).toBeNaN();
  });

  it.skipIf(!existsSync(cliEntry) && process.env.CI !== 'true')('times whole `sweeplens analyze` processes with 1 and 2 workers, alternating (needs the built CLI)', async () => {
    const lines: string[] = [];
    const report = await runEngineBench({ strategies: 24, bars: 3_000, rounds: 1, processRounds: 2, cliEntry, log: (line) => lines.push(line) });
    expect(report.processRounds).toHaveLength(2);
    for (const round of report.processRounds) {
      expect(round.oneMs).toBeGreaterThan(0);
      expect(round.twoMs).toBeGreaterThan(0);
    }
    const ratios = report.processRounds.map((round) => round.oneMs / round.twoMs);
    expect(report.ratios.processTwoWorkersOverOne).toBeCloseTo((ratios[0]! + ratios[1]!) / 2, 12);
    expect(report.processSkipped).toBeUndefined();
    expect(lines.filter((line) => line.startsWith('sweeplens analyze as a process'))).toEqual([
      'sweeplens analyze as a process, 1 worker (round 1 of 2) ...', 'sweeplens analyze as a process, 2 workers (round 1 of 2) ...',
      'sweeplens analyze as a process, 2 workers (round 2 of 2) ...', 'sweeplens analyze as a process, 1 worker (round 2 of 2) ...',
    ]);
  });

  it('skips the whole-process rounds, saying why, without a built CLI', async () => {
    const report = await runEngineBench({ strategies: 8, bars: 1_000, rounds: 1, processRounds: 1 });
    // (from the TS sources there is no CLI next to the bench module)
    expect(report.processRounds).toEqual([]);
    expect(report.processSkipped).toMatch(/no built CLI next to the bench/);
  });
});
