import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { scanRun } from '../../src/io/workspace.ts';
import { admfFixturesAvailable, GRID_3790FBC3, SPY_1M, tempDir } from './fixtures.ts';

const temp = tempDir();
afterAll(() => temp.cleanup());

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  process.exitCode = 0;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = 0;
});

const cli = (...args: string[]) => runCli(['node', 'sweeplens', ...args], new Command());

describe('generate and scan commands', () => {
  it('generates a run with plain progress lines off a TTY, then scans it (text and --json)', async () => {
    const ws = join(temp.dir, 'ws');
    await cli('generate', join(ws, 'r1'), '--strategies', '12', '--classifiers', '2', '--bars', '2000', '--seed', '3');
    expect(process.exitCode).toBe(0);
    expect(out).toMatch(/r1: 12 strategies, 2 classifiers, 2000 bars, \d+ signal changes/);
    expect(err).toMatch(/strategies: 12\/12/);
    out = '';
    await cli('scan', ws);
    expect(out).toMatch(/r1 \(sweeplens\): 12 strategies, 2 classifiers, bars SYN=2000/);
    expect(out).toMatch(/best by cached sharpeRatio:/);
    out = '';
    await cli('scan', ws, '--json', '--top', '3');
    const json = JSON.parse(out);
    expect(json.runs).toHaveLength(1);
    expect(json.runs[0].best).toHaveLength(3);
    expect(json.runs[0].strategies).toBe(12);
    const sharpes = scanRun(join(ws, 'r1')).strategies.map((s) => s.metrics!.values.sharpeRatio).filter((v): v is number => typeof v === 'number');
    const best = Math.max(...sharpes);
    expect(json.runs[0].best[0].value).toBe(best);
  });

  it('fails with one line and exit code 1 on a bad option or a missing workspace', async () => {
    await cli('generate', join(temp.dir, 'x'), '--bars', '1');
    expect(process.exitCode).toBe(1);
    expect(err).toBe("sweeplens: --bars must be an integer >= 2, got '1'\n");
    expect(existsSync(join(temp.dir, 'x'))).toBe(false);
    err = '';
    await cli('scan', join(temp.dir, 'nowhere'));
    expect(process.exitCode).toBe(1);
    expect(err).toMatch(/^sweeplens: .*nowhere: no such workspace directory\n$/);
  });
});

describe.skipIf(!admfFixturesAvailable())('import admf command', () => {
  it('imports 3790fbc3 and prints the ts warning', async () => {
    const outDir = join(temp.dir, 'imported');
    await cli('import', 'admf', GRID_3790FBC3, '--market', SPY_1M, '--idx-base', '1', '--out', outDir, '--quiet');
    expect(process.exitCode).toBe(0);
    expect(out).toMatch(/imported: 4 strategies, 36 classifiers, bars SPY=102236/);
    expect(err).toMatch(/warning: .*match no bar time/);
    expect(scanRun(outDir).strategies).toHaveLength(4);
    err = '';
    await cli('import', 'admf', GRID_3790FBC3, '--market', SPY_1M, '--idx-base', '2', '--out', join(temp.dir, 'bad'));
    expect(process.exitCode).toBe(1);
    expect(err).toBe("sweeplens: --idx-base must be 0 or 1, got '2'\n");
  });
});
