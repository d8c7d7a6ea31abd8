// `sweeplens replay`: a configuration naming a missing strategy fails with one line, before any output.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateRun } from '../../src/coordinator/generate.ts';
import { expectOneLineError, sweeplens, temporaryFolder } from './runCli.ts';

const root = temporaryFolder('replay');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('sweeplens replay', () => {
  it('replays a configuration and rejects one naming a missing strategy before writing', async () => {
    const runDir = join(root, 'run');
    const [a, b] = generateRun(runDir, { strategies: 4, classifiers: 0, bars: 500, seed: 9 }).strategies as [string, string];
    const good = join(root, 'good.json');
    writeFileSync(good, JSON.stringify({ symbol: 'SYN', strategies: [a, b], weights: { global: { [a]: 0.6, [b]: 0.4 } }, costs: {}, fittedRange: { fromIdx: 0, toIdx: 250 } }));
    const ok = await sweeplens('replay', runDir, '--config', good, '--from', '250', '--out', join(root, 'ok'));
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/bars \[250, 500\) = 250 bars .*out-of-sample/);
    expect(existsSync(join(root, 'ok', 'signals', 'combined', 'ensemble_signals.parquet'))).toBe(true);

    const bad = join(root, 'bad.json');
    writeFileSync(bad, JSON.stringify({ symbol: 'SYN', strategies: [a, 'ghost'], weights: { global: { [a]: 0.5, ghost: 0.5 } }, costs: {} }));
    const run = await sweeplens('replay', runDir, '--config', bad, '--out', join(root, 'never'));
    expect(expectOneLineError(run)).toMatch(/config\.strategies: 'ghost' not in run/);
    expect(existsSync(join(root, 'never'))).toBe(false);
    expect(existsSync(join(runDir, 'signals', 'combined'))).toBe(false);

    const noConfig = await sweeplens('replay', runDir);
    expect(expectOneLineError(noConfig)).toMatch(/--config <file> is required/);
  });
});
