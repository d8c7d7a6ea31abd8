// `sweeplens optimize --returns|--prices <file>`: flags, JSON and table output, dropped-row warning,
// one-line errors, and agreement with the library call it wraps.
import { existsSync } from 'node:fs';
import { describe, expect, it, test } from 'vitest';
import { optimizeReturnMatrix } from '../../src/analytics/ensemble.ts';
import { returnMatrixFromColumns } from '../../src/analytics/returnMatrix.ts';
import { Rng } from '../helpers/rng.ts';
import { fixtureFolder } from '../helpers/fixturePaths.ts';
import { expectOneLineError, sweeplens, temporaryFolder, weekdays, writeCsv } from './runCli.ts';

const folder = temporaryFolder('optimize');
const rng = new Rng(77);
const BARS = 120;
const names = ['trend', 'meanrev', 'carry'];
const series = names.map((_, j) => Float64Array.from({ length: BARS }, () => rng.normal(0.0005 + 0.0003 * j, 0.01 + 0.004 * j)));
const dates = weekdays(BARS);
const returnsCsv = writeCsv(folder, 'returns.csv', ['date,trend,meanrev,carry', ...dates.map((d, t) => `${d},${series.map((s) => s[t]).join(',')}`)]);
const gappy = writeCsv(folder, 'gappy.csv', ['date,trend,meanrev,carry', ...dates.map((d, t) => `${d},${series.map((s, j) => (t % 10 === 3 && j === 1 ? '' : s[t])).join(',')}`)]);

describe('sweeplens optimize', () => {
  it('--json equals optimizeReturnMatrix on the same columns (mean x 252, cov x 252)', async () => {
    const run = await sweeplens('optimize', '--returns', returnsCsv, '--json', '--risk-free-rate', '0.01', '--max-weight', '0.8');
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    const expected = optimizeReturnMatrix(returnMatrixFromColumns(names, series), { riskFreeRate: 0.01, maxWeight: 0.8 });
    expect(Object.keys(doc.weights)).toEqual(names);
    names.forEach((name, i) => expect(doc.weights[name]).toBe(expected.weights[i]));
    expect(doc.sharpeRatio).toBe(expected.sharpeRatio);
    expect(doc.annualizedReturn).toBe(expected.annualizedReturn);
    expect(doc.volatility).toBe(expected.volatility);
    expect(doc.iterations).toBe(expected.iterations);
    expect(doc.converged).toBe(true);
    expect(doc.periodsPerYear).toBe(252);
    expect(doc.bars).toBe(BARS);
  });

  it('prints a weight table by default and states the estimators', async () => {
    const run = await sweeplens('optimize', '--returns', returnsCsv, '--objective', 'min-variance');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/objective: min-variance/);
    expect(run.stdout).toMatch(/arithmetic mean of per-bar returns x P/);
    expect(run.stdout).toMatch(/strategy\s+weight/);
    for (const name of names) expect(run.stdout).toContain(name);
    expect(run.stdout).toMatch(/Sharpe ratio/);
  });

  it('--help documents the estimators and the flags', async () => {
    const run = await sweeplens('optimize', '--help');
    expect(run.stdout.replace(/\s+/g, ' ')).toMatch(/sample covariance \(ddof = 1\) x P/);
    for (const flag of ['--objective', '--min-weight', '--max-weight', '--max-strategies', '--risk-free-rate', '--periods-per-year', '--prices', '--json']) expect(run.stdout).toContain(flag);
  });

  it('drops rows with a missing value and says how many on stderr', async () => {
    const run = await sweeplens('optimize', '--returns', gappy, '--json');
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toMatch(/dropped 12 of 120 rows with a missing value \(108 complete rows left\)/);
    expect(JSON.parse(run.stdout).droppedRows).toBe(12);
  });

  it('--max-strategies limits the holdings; --periods-per-year rescales', async () => {
    const run = await sweeplens('optimize', '--returns', returnsCsv, '--json', '--max-strategies', '1', '--periods-per-year', '12');
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(Object.values(doc.weights as Record<string, number>).filter((w) => w > 0)).toEqual([1]);
    expect(doc.periodsPerYear).toBe(12);
  });

  it('--prices turns price columns into simple returns', async () => {
    const prices = series.map((s) => { let p = 100; return [100, ...Array.from(s, (r) => (p *= 1 + r))]; });
    const file = writeCsv(folder, 'prices.csv', ['date,trend,meanrev,carry', ...weekdays(BARS + 1).map((d, t) => `${d},${prices.map((p) => p[t]).join(',')}`)]);
    const run = await sweeplens('optimize', '--prices', file, '--json');
    expect(run.exitCode, run.stderr).toBe(0);
    const fromReturns = JSON.parse((await sweeplens('optimize', '--returns', returnsCsv, '--json')).stdout);
    expect(Math.abs(JSON.parse(run.stdout).sharpeRatio - fromReturns.sharpeRatio)).toBeLessThanOrEqual(1e-8);
  });

  it('errors are one line naming the flag or option', async () => {
    expect(expectOneLineError(await sweeplens('optimize', '--returns', returnsCsv, '--objective', 'max-return'))).toMatch(/--objective must be 'max-sharpe' or 'min-variance'/);
    expect(expectOneLineError(await sweeplens('optimize', '--returns', returnsCsv, '--max-weight', '0.2'))).toMatch(/options\.maxWeight \(0\.2\) x 3 strategies = 0\.6.* < 1/);
    expect(expectOneLineError(await sweeplens('optimize', '--returns', returnsCsv, '--min-weight', '-1'))).toMatch(/--min-weight must be a fraction in \[0, 1\]/);
    expect(expectOneLineError(await sweeplens('optimize', '--returns', returnsCsv, '--max-strategies', '1.5'))).toMatch(/--max-strategies must be an integer >= 1/);
    expect(expectOneLineError(await sweeplens('optimize', '--returns', returnsCsv, '--risk-free-rate', '5'))).toMatch(/options\.riskFreeRate \(5\)/);
    expect(expectOneLineError(await sweeplens('optimize'))).toMatch(/exactly one of --returns <file> or --prices <file>/);
    expect(expectOneLineError(await sweeplens('optimize', '--returns', returnsCsv, '--columns', 'trend,nope'))).toMatch(/column 'nope' \(--columns\) not found/);
  });
});

const FIXTURE_FOLDER = fixtureFolder('stock_prices');
const fixtureMissing = !existsSync(FIXTURE_FOLDER);
if (fixtureMissing && process.env.CI !== 'true') console.warn(`skipping optimize --prices stock_prices test: ${FIXTURE_FOLDER} is not present (set CI=true to make this a failure)`);

describe('optimize on stock_prices.csv', () => {
  test.runIf(fixtureMissing && process.env.CI === 'true')('fixture is present in CI', () => {
    throw new Error(`${FIXTURE_FOLDER} is missing; CI must provide the shared fixtures`);
  });
  it.skipIf(fixtureMissing)('--prices: drops the rows before the last listing (BABA) with a warning and converges', async () => {
    const run = await sweeplens('optimize', '--prices', `${FIXTURE_FOLDER}/stock_prices.csv`, '--json', '--risk-free-rate', '0.02');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/dropped 6230 of 7125 rows with a missing value \(895 complete rows left\)/);
    const doc = JSON.parse(run.stdout);
    expect(doc.converged).toBe(true);
    expect(Math.abs(Object.values(doc.weights as Record<string, number>).reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-9);
  });
});
