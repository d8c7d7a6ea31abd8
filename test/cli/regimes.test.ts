// `sweeplens regimes | correlate | optimize <run>` end to end on a small generated run.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRun } from '../../src/coordinator/generate.ts';
import { expectOneLineError, sweeplens, temporaryFolder } from './runCli.ts';

const folder = temporaryFolder('regimes-cli');
const run = join(folder, 'run');
beforeAll(() => { generateRun(run, { strategies: 24, classifiers: 2, bars: 3_000, seed: 5, metrics: false }); });
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('sweeplens regimes / correlate / optimize <run>', () => {
  it('regimes: progress lines on stderr (analysis first, then the strategies), none with --quiet', async () => {
    const fresh = join(folder, 'progress-run');
    generateRun(fresh, { strategies: 40, classifiers: 2, bars: 2_000, seed: 9, metrics: false });
    const result = await sweeplens('regimes', fresh, '--workers', '1', '--top', '3');
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/not analyzed yet/);
    expect(lines).toContainEqual(expect.stringMatching(/^analyze: 40\/40 \(\d+\.\d s\)$/));
    expect(lines[lines.length - 1]).toMatch(/^regimes: 40\/40 \(\d+\.\d s\)$/);
  });

  it('correlate: the analysis it runs first shows its progress on stderr, and --quiet silences it', async () => {
    for (const quiet of [false, true]) {
      const fresh = join(folder, `correlate-progress-${quiet}`);
      generateRun(fresh, { strategies: 30, classifiers: 1, bars: 1_500, seed: 10, metrics: false });
      const result = await sweeplens('correlate', fresh, '--workers', '0', '--top', '5', ...(quiet ? ['--quiet'] : []));
      expect(result.exitCode, result.stderr).toBe(0);
      const lines = result.stderr.trim().split('\n');
      expect(lines[0]).toMatch(/not analyzed yet/);
      expect(lines.slice(1)).toEqual(quiet ? [] : expect.arrayContaining([expect.stringMatching(/^analyze: 30\/30 \(\d+\.\d s\)$/)]));
    }
  });

  it('regimes: analyzes the run first (said on stderr), prints the separation ranking and writes the files', async () => {
    const result = await sweeplens('regimes', run, '--workers', '0', '--top', '5', '--json', '--quiet');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^sweeplens: .*run: not analyzed yet \(no .*performance_summary\.json\); analyzing it first\n$/);
    const doc = JSON.parse(result.stdout) as { summary: { separation: { classifier: string }[]; classifiers: unknown[] } };
    expect(doc.summary.classifiers).toHaveLength(2);
    expect(doc.summary.separation).toHaveLength(2);
    for (const file of ['summary/regime_summary.json', 'analytics/regime_performance.json', 'analytics/regime_performance.parquet', 'classifiers/combined/consensus_regimes.parquet']) {
      expect(existsSync(join(run, file)), file).toBe(true);
    }
    const text = await sweeplens('regimes', run, '--workers', '0', '--consensus', 'joint', '--quiet');
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/separation/);
    expect(text.stdout).toMatch(/consensus \(joint of 2\)/);
  });

  it('correlate: the matrix of the top strategies and the filter', async () => {
    const result = await sweeplens('correlate', run, '--workers', '0', '--top', '8', '--max-correlation', '0.6', '--json');
    expect(result.exitCode, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as { ids: string[]; matrix: unknown[][]; filter: { kept: string[] } };
    expect(doc.ids).toHaveLength(8);
    expect(doc.matrix).toHaveLength(8);
    expect(doc.filter.kept.length).toBeGreaterThan(0);
    const text = await sweeplens('correlate', run, '--workers', '0', '--top', '8');
    expect(text.stdout).toMatch(/greedy filter at 0.7: kept \d+, removed \d+/);
  });

  it('optimize <run> --json prints global weights and per-regime weights under "regimes"', async () => {
    const result = await sweeplens('optimize', run, '--workers', '0', '--top', '10', '--max-correlation', '0.9', '--objective', 'min-variance', '--json');
    expect(result.exitCode, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as { weights: Record<string, number>; regimes: Record<string, { bars: number }>; classifier: string };
    expect(Object.values(doc.weights).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(Object.keys(doc.regimes).length).toBeGreaterThan(0);
    expect(typeof doc.classifier).toBe('string');
    expect(existsSync(join(run, 'analytics/optimal_weights.json'))).toBe(true);
    const text = await sweeplens('optimize', run, '--workers', '0', '--top', '10', '--objective', 'min-variance');
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/regime-switching ensemble/);
  });

  it('reports bad flags in one line', async () => {
    expect(expectOneLineError(await sweeplens('regimes', run, '--consensus', 'vote'))).toMatch(/--consensus must be/);
    expect(expectOneLineError(await sweeplens('correlate', run, '--max-correlation', '2'))).toMatch(/--max-correlation must be a correlation in \[-1, 1\]/);
    expect(expectOneLineError(await sweeplens('optimize', run, '--returns', 'x.csv'))).toMatch(/either a run or --returns/);
    expect(expectOneLineError(await sweeplens('optimize', run, '--classifier', 'nope', '--workers', '0'))).toMatch(/no classifier 'nope'/);
  });
});
