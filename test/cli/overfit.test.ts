// `sweeplens overfit` and `sweeplens walkforward`: output shapes, auto-analysis notice, flag errors.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OverfittingReport, WalkForwardReport } from '../../src/coordinator/overfitOutputs.ts';
import { writeNoiseRun } from '../coordinator/overfitRuns.ts';
import { expectOneLineError, sweeplens, temporaryFolder } from './runCli.ts';

const dir = join(temporaryFolder('overfit-cli'), 'run');

beforeAll(() => {
  writeNoiseRun(dir, { seed: 3, bars: 1500, strategies: 10, plantedAccuracy: 0.6, holdingBars: 10, classifier: true });
});

describe('sweeplens overfit', () => {
  it('analyzes a fresh run first (notice on stderr), then prints the DSR table and PBO', async () => {
    const run = await sweeplens('overfit', dir, '--workers', '0', '--blocks', '8', '--top', '5');
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toMatch(/^sweeplens: .*run: not analyzed yet \(no .*performance_summary\.json\); analyzing it first\n$/);
    expect(run.stdout).toMatch(/top 5 by DSR:/);
    expect(run.stdout).toMatch(/DSR: N = 11 \(all strategies\)/);
    expect(run.stdout).toMatch(/PBO by CSCV: S = 8 blocks, 70 splits/);
    expect(run.stdout).toMatch(/all candidates/);
    expect(existsSync(join(dir, 'analytics/overfitting.json'))).toBe(true);
  });

  it('prints the report as JSON with --json (analysis reused, no notice)', async () => {
    const run = await sweeplens('overfit', dir, '--workers', '0', '--blocks', '4', '--candidates', '4', '--trials', 'clusters', '--json');
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as OverfittingReport;
    expect(report.format).toBe('sweeplens-overfitting-1');
    expect(report.candidates.count).toBe(4);
    expect(report.dsr.trialMethod).toBe('clusters');
    expect(report.pbo.run!.splits).toBe(6);
    expect(report.strategies).toHaveLength(4);
  });

  it('rejects bad flags with one line naming the flag', async () => {
    expect(expectOneLineError(await sweeplens('overfit', dir, '--blocks', '7'))).toMatch(/--blocks must be an even integer in \[2, 26\], got '7'/);
    expect(expectOneLineError(await sweeplens('overfit', dir, '--trials', 'many'))).toMatch(/--trials must be one of all, clusters, average-correlation, got 'many'/);
    expect(expectOneLineError(await sweeplens('overfit', join(dir, 'missing'), '--workers', '0'))).toMatch(/no such run directory/);
  });
});

describe('sweeplens walkforward', () => {
  it('prints the folds and the aggregate', async () => {
    const run = await sweeplens('walkforward', dir, '--windows', '3', '--workers', '0', '--candidates', '5');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/rolling walk-forward, 3 folds, max-sharpe, global weights, 5 candidates per fold \(chosen in-sample\)/);
    expect(run.stdout).toMatch(/walk-forward efficiency/);
    expect(existsSync(join(dir, 'analytics/walkforward.json'))).toBe(true);
  });

  it('--anchored --classifier --json --min-deflated-sharpe', async () => {
    const run = await sweeplens('walkforward', dir, '--windows', '2', '--anchored', '--classifier', 'vol', '--objective', 'min-variance', '--min-deflated-sharpe', '0', '--workers', '0', '--json');
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout) as WalkForwardReport;
    expect(report.mode).toBe('anchored');
    expect(report.classifier).toBe('vol');
    expect(report.objective).toBe('min-variance');
    expect(report.folds).toHaveLength(2);
    expect(report.folds[1]!.inSample.start).toBe(0);
    // Only the 4 candidates of the previous overfit call have a DSR.
    expect(report.candidates).toHaveLength(4);
  });

  it('requires --windows and checks the flags', async () => {
    expect(expectOneLineError(await sweeplens('walkforward', dir))).toMatch(/--windows is required/);
    expect(expectOneLineError(await sweeplens('walkforward', dir, '--windows', '2', '--objective', 'max-return'))).toMatch(/--objective must be 'max-sharpe' or 'min-variance', got 'max-return'/);
    expect(expectOneLineError(await sweeplens('walkforward', dir, '--windows', '2', '--classifier', 'nope', '--workers', '0'))).toMatch(/no classifier 'nope'/);
  });
});
