// `metrics --prices` on the shared stock_prices fixture (PyPortfolioOpt's tests/resources/stock_prices.csv).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { close } from '../helpers/tolerance.ts';
import { sweeplens } from './runCli.ts';
import { fixtureFolder } from '../helpers/fixturePaths.ts';

const FIXTURE_FOLDER = fixtureFolder('stock_prices');
const FIXTURE = `${FIXTURE_FOLDER}/stock_prices.csv`;
const missing = !existsSync(FIXTURE_FOLDER);
const inCi = process.env.CI === 'true';

if (missing && !inCi) console.warn(`skipping stock_prices tests: ${FIXTURE_FOLDER} is not present (set CI=true to make this a failure)`);

describe('fixture folder', () => {
  test.runIf(missing && inCi)('is present in CI', () => {
    throw new Error(`${FIXTURE_FOLDER} is missing; CI must provide the shared fixtures`);
  });
});

/** Reads one column of the fixture independently of sweeplens (no quoting in this file). */
function fixtureColumn(name: string): number[] {
  const lines = readFileSync(FIXTURE, 'utf8').trim().split('\n');
  const c = lines[0]!.split(',').indexOf(name);
  return lines.slice(1).map((line) => line.split(',')[c]!).filter((cell) => cell !== '').map(Number);
}

describe.skipIf(missing)('sweeplens metrics --prices on stock_prices.csv', () => {
  test('AAPL (no gaps) and GOOG (3,691 leading gaps): bars, total return, Sharpe, max drawdown', async () => {
    const run = await sweeplens('metrics', FIXTURE, '--prices', '--columns', 'AAPL,GOOG', '--json');
    expect(run.exitCode, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as Record<string, number | string | null>[];
    expect(rows.map((row) => row.column)).toEqual(['AAPL', 'GOOG']);
    for (const row of rows) {
      const prices = fixtureColumn(String(row.column));
      const returns = prices.slice(1).map((p, i) => p / prices[i]! - 1);
      const n = returns.length;
      const mean = returns.reduce((a, b) => a + b, 0) / n;
      const std = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1));
      let peak = prices[0]!;
      let maxDrawdown = 0;
      for (const p of prices) {
        peak = Math.max(peak, p);
        maxDrawdown = Math.max(maxDrawdown, 1 - p / peak);
      }
      expect(row.bars).toBe(n);
      expect(close(row.totalReturn as number, prices[n]! / prices[0]! - 1, 1e-9)).toBe(true);
      expect(close(row.sharpeRatio as number, (mean / std) * Math.sqrt(252))).toBe(true);
      expect(close(row.maxDrawdown as number, maxDrawdown)).toBe(true);
    }
    expect(rows[0]!.bars).toBe(7125);
    expect(rows[1]!.bars).toBe(7126 - 3691 - 1);
  });

  test('the table covers all 20 stocks', async () => {
    const run = await sweeplens('metrics', FIXTURE, '--prices');
    expect(run.exitCode, run.stderr).toBe(0);
    const header = run.stdout.split('\n').find((line) => line.startsWith('metric'))!;
    expect(header.trim().split(/\s+/).slice(4)).toHaveLength(20);
  });
});
