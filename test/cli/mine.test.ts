// `sweeplens mine <run>` and mineRun on a small generated run: analytics/patterns.json is written,
// valid and consistent with the thresholds; flags reach the options; bad flags name themselves.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRun } from '../../src/coordinator/generate.ts';
import { mineRun, PATTERNS_FILE, type PatternsFile } from '../../src/coordinator/mine.ts';
import { mineOptionsFromFlags } from '../../src/cli/commands/mine.ts';
import { sweeplens, temporaryFolder } from './runCli.ts';

let folder: string;
let run: string;

beforeAll(() => {
  folder = temporaryFolder('sweeplens-mine-');
  run = join(folder, 'run');
  generateRun(run, { strategies: 24, classifiers: 2, bars: 3_000, seed: 17, metrics: false });
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

function checkFile(file: PatternsFile, strategies: number): void {
  expect(file.format).toBe('sweeplens-patterns-1');
  expect(file.families.reduce((a, f) => a + f.strategies, 0)).toBe(strategies);
  expect(file.failures).toEqual([]);
  expect(file.events).not.toBeNull();
  expect(file.regimeTransitions.length).toBe(2);
  for (const p of file.patterns) {
    expect(p.support).toBeGreaterThanOrEqual(file.options.minSupport);
    expect(p.confidence).toBeGreaterThanOrEqual(file.options.minConfidence);
    expect(p.length).toBeGreaterThanOrEqual(2);
    expect(p.length).toBeLessThanOrEqual(file.options.maxLength);
    expect(p.states.length).toBe(p.length + 1);
    expect(['momentum', 'mean_reversion', 'breakout']).toContain(p.patternType);
    expect(['high', 'normal', 'low']).toContain(p.volumeProfile);
    expect(p.occurrences).toBeGreaterThan(0);
    expect(p.bestStrategies.length).toBeGreaterThan(0);
    expect(Object.values(p.regimeShares).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  }
  for (const c of file.regimeTransitions) {
    for (const t of c.transitions) if (t.pValue !== null) expect(t.pValue).toBeGreaterThanOrEqual(0);
  }
}

describe('mineRun', () => {
  it('writes a valid analytics/patterns.json', async () => {
    const result = await mineRun(run, { workers: 0 });
    expect(result.path).toBe(join(run, PATTERNS_FILE));
    const file = JSON.parse(readFileSync(result.path, 'utf8')) as PatternsFile;
    checkFile(file, 24);
    expect(file.patterns.length).toBeGreaterThan(0);
    expect(Object.values(file.options.classifier)[0]).not.toBeNull();
    // no NaN / Infinity leaked into JSON as null where a number is promised
    for (const p of file.patterns) expect(Number.isFinite(p.support) && Number.isFinite(p.frequency)).toBe(true);
  });

  it('--classifier none drops regimes; an unknown classifier is an input error', async () => {
    const result = await mineRun(run, { classifier: 'none', outDir: join(folder, 'out') });
    expect(existsSync(join(folder, 'out', PATTERNS_FILE))).toBe(true);
    expect(result.file.patterns.every((p) => p.dominantRegimes.length === 0)).toBe(true);
    await expect(mineRun(run, { classifier: 'nope' })).rejects.toThrow(/classifier 'nope'/);
  });
});

describe('sweeplens mine', () => {
  it('prints a table and writes the file; --json prints the summary and top patterns', async () => {
    const text = await sweeplens('mine', run, '--min-support', '0.02', '--max-length', '4', '--horizon', '10', '--top', '5');
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/frequent patterns in \d+ families \(24 strategies\)/);
    expect(text.stdout).toContain('wrote ');
    const json = await sweeplens('mine', run, '--json', '--top', '3', '--min-confidence', '0.5');
    expect(json.exitCode).toBe(0);
    const parsed = JSON.parse(json.stdout) as { summary: PatternsFile; top: PatternsFile['patterns'] };
    expect(parsed.summary.options.minConfidence).toBe(0.5);
    expect(parsed.top.length).toBeLessThanOrEqual(3);
  });

  it('bad flags name themselves', async () => {
    expect(() => mineOptionsFromFlags({ minSupport: '2' })).toThrow(/--min-support/);
    expect(() => mineOptionsFromFlags({ maxLength: '1' })).toThrow(/--max-length/);
    const bad = await sweeplens('mine', run, '--horizon', '0');
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('--horizon');
  });
});
