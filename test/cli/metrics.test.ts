import { writeFileSync } from 'node:fs';
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { tableToParquetBytes } from '../../src/io/parquet.ts';
import { denseSignalToTrace } from '../../src/cli/commands/metrics.ts';
import { inferPeriodsPerYear } from '../../src/analytics/periods.ts';
import { Rng } from '../helpers/rng.ts';
import { close } from '../helpers/tolerance.ts';
import { expectOneLineError, sweeplens, temporaryFolder, weekdays, writeCsv } from './runCli.ts';

const folder = temporaryFolder('metrics');

/** Metrics of a return series by the textbook formulas (ARCHITECTURE.md), written out independently. */
function directMetrics(returns: number[], periodsPerYear: number, riskFreePerBar = 0) {
  const n = returns.length;
  const excess = returns.map((r) => r - riskFreePerBar);
  const mean = excess.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(excess.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const downside = Math.sqrt(excess.reduce((a, x) => a + Math.min(x, 0) ** 2, 0) / n);
  const total = returns.reduce((g, r) => g * (1 + r), 1) - 1;
  const cagr = (1 + total) ** (periodsPerYear / n) - 1;
  let equity = 1;
  let peak = 1;
  let maxDrawdown = 0;
  for (const r of returns) {
    equity *= 1 + r;
    peak = Math.max(peak, equity);
    maxDrawdown = Math.max(maxDrawdown, 1 - equity / peak);
  }
  return {
    totalReturn: total,
    annualizedReturn: cagr,
    volatility: std * Math.sqrt(periodsPerYear),
    sharpeRatio: (mean / std) * Math.sqrt(periodsPerYear),
    sortinoRatio: (mean / downside) * Math.sqrt(periodsPerYear),
    maxDrawdown,
    calmarRatio: cagr / maxDrawdown,
  };
}

type Json = Record<string, unknown>;

function expectClose(actual: unknown, expected: number, label: string): void {
  expect(typeof actual, label).toBe('number');
  expect(close(actual as number, expected), `${label}: ${String(actual)} vs ${expected}`).toBe(true);
}

const rng = new Rng(11);
const days = weekdays(300);
const alpha = days.map(() => rng.normal(0.0005, 0.01));
const beta = days.map(() => rng.normal(0.0002, 0.02));
const returnsCsv = writeCsv(folder, 'returns.csv', ['date,alpha,beta', ...days.map((d, i) => `${d},${alpha[i]},${beta[i]}`)]);

describe('sweeplens metrics on a returns CSV', () => {
  test('--json gives each column the textbook Sharpe, Sortino, CAGR, volatility, drawdown, Calmar (P inferred 252)', async () => {
    const run = await sweeplens('metrics', returnsCsv, '--json');
    expect(run.exitCode).toBe(0);
    const rows = JSON.parse(run.stdout) as Json[];
    expect(rows.map((row) => row.column)).toEqual(['alpha', 'beta']);
    for (const [row, series] of [[rows[0]!, alpha], [rows[1]!, beta]] as const) {
      const expected = directMetrics(series, 252);
      expect(row.bars).toBe(300);
      for (const [key, value] of Object.entries(expected)) expectClose(row[key], value, `${String(row.column)}.${key}`);
      const wins = series.filter((r) => r > 0);
      expectClose(row.winRate, wins.length / series.filter((r) => r !== 0).length, 'winRate');
      expectClose(row.largestLoss, Math.min(...series), 'largestLoss');
    }
  });

  test('--periods-per-year and --risk-free-rate (annual, compounded per bar) change the annualization', async () => {
    const run = await sweeplens('metrics', returnsCsv, '--json', '--periods-per-year', '52', '--risk-free-rate', '0.02', '--columns', 'beta');
    expect(run.exitCode).toBe(0);
    const rows = JSON.parse(run.stdout) as Json[];
    expect(rows).toHaveLength(1);
    const rfBar = 1.02 ** (1 / 52) - 1;
    const expected = directMetrics(beta, 52, rfBar);
    expectClose(rows[0]!.sharpeRatio, expected.sharpeRatio, 'sharpe with rf');
    expectClose(rows[0]!.annualizedReturn, directMetrics(beta, 52).annualizedReturn, 'cagr ignores rf');
  });

  test('the default table has one row per metric and a column per series, with percentages', async () => {
    const run = await sweeplens('metrics', returnsCsv);
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[1]).toContain('periods per year: 252 (inferred: daily bars');
    const header = lines.find((line) => line.startsWith('metric'))!;
    expect(header).toMatch(/alpha\s+beta$/);
    const expected = directMetrics(alpha, 252);
    const sharpeLine = lines.find((line) => line.startsWith('Sharpe ratio'))!;
    expect(sharpeLine.split(/\s{2,}/)[1]).toBe(expected.sharpeRatio.toFixed(3));
    const ddLine = lines.find((line) => line.startsWith('max drawdown'))!;
    expect(ddLine.split(/\s{2,}/)[1]).toBe(`${(expected.maxDrawdown * 100).toFixed(2)}%`);
    // Aligned: every table line has the same width up to trailing spaces of the header rule.
    const table = lines.slice(lines.indexOf(header), lines.indexOf(header) + 16).filter((line) => line !== '');
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
  });

  test('--json writes null (not NaN, not missing) for undefined metrics', async () => {
    const flat = writeCsv(folder, 'flat.csv', ['ts,up', ...days.slice(0, 10).map((d) => `${d},0.01`)]);
    const run = await sweeplens('metrics', flat, '--json');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).not.toContain('NaN');
    const [row] = JSON.parse(run.stdout) as Json[];
    expect(Object.keys(row!).sort()).toEqual([
      'annualizedReturn', 'avgLoss', 'avgTradeDurationBars', 'avgWin', 'bars', 'calmarRatio', 'column', 'costPerTrade', 'exposure',
      'grossReturn', 'grossSharpe', 'largestLoss', 'largestWin', 'maxDrawdown', 'netReturn', 'netSharpe', 'profitFactor', 'sharpeRatio',
      'sortinoRatio', 'totalCosts', 'totalReturn', 'tradeCount', 'volatility', 'winRate',
    ]);
    expect(row!.sharpeRatio).toBeNull(); // zero variance
    expect(row!.sortinoRatio).toBeNull(); // no bar below 0
    expect(row!.calmarRatio).toBeNull(); // no drawdown
    expect(row!.avgLoss).toBeNull();
    expect(row!.maxDrawdown).toBe(0);
    expectClose(row!.totalReturn, 1.01 ** 10 - 1, 'totalReturn');
  });

  test('a Parquet file gives the same numbers as the CSV', async () => {
    const tsMs = Float64Array.from(days.map((d) => Date.parse(`${d}T00:00:00Z`)));
    const table = tableFromArrays({ ts: tsMs, alpha: Float64Array.from(alpha), beta: Float64Array.from(beta) });
    const file = `${folder}/returns.parquet`;
    writeFileSync(file, tableToParquetBytes(table));
    const fromParquet = await sweeplens('metrics', file, '--json');
    expect(fromParquet.exitCode, fromParquet.stderr).toBe(0);
    const fromCsv = await sweeplens('metrics', returnsCsv, '--json');
    const parquetRows = JSON.parse(fromParquet.stdout) as Json[];
    const csvRows = JSON.parse(fromCsv.stdout) as Json[];
    expect(parquetRows.map((row) => row.column)).toEqual(['alpha', 'beta']);
    for (let i = 0; i < 2; i++) expectClose(parquetRows[i]!.sharpeRatio, csvRows[i]!.sharpeRatio as number, 'parquet sharpe');
  });

  test('a file without a timestamp column uses P = 252', async () => {
    const noTs = writeCsv(folder, 'no-ts.csv', ['alpha', ...alpha.map(String)]);
    const run = await sweeplens('metrics', noTs, '--json');
    expect(run.exitCode).toBe(0);
    expectClose((JSON.parse(run.stdout) as Json[])[0]!.sharpeRatio, directMetrics(alpha, 252).sharpeRatio, 'sharpe');
  });
});

describe('periods per year inference', () => {
  const spaced = (count: number, stepMs: number) => Float64Array.from({ length: count }, (_, i) => Date.UTC(2024, 0, 1) + i * stepMs);
  test.each([
    ['daily (with weekends)', Float64Array.from(weekdays(50).map((d) => Date.parse(`${d}T00:00:00Z`))), 252],
    ['hourly', spaced(50, 3_600_000), 252 * 6.5],
    ['5-minute', spaced(50, 300_000), 252 * 6.5 * 12],
    ['weekly', spaced(50, 7 * 86_400_000), 52],
    ['monthly-ish (30 days)', spaced(50, 30 * 86_400_000), 12],
    ['a single row', spaced(1, 1), 252],
  ])('%s', (_label, tsMs, expected) => {
    expect(inferPeriodsPerYear(tsMs).periodsPerYear).toBeCloseTo(expected, 9);
  });
});

describe('sweeplens metrics --prices', () => {
  test('simple returns per column, leading gaps dropped per column (pandas pct_change().dropna())', async () => {
    const prices = writeCsv(folder, 'prices.csv', [
      'date,A,B',
      `${days[0]},100,`,
      `${days[1]},101,`,
      `${days[2]},99.5,50`,
      `${days[3]},102,51`,
      `${days[4]},103.5,49`,
      `${days[5]},101,52.5`,
    ]);
    const run = await sweeplens('metrics', prices, '--prices', '--json');
    expect(run.exitCode).toBe(0);
    const [a, b] = JSON.parse(run.stdout) as Json[];
    const returnsA = [101 / 100 - 1, 99.5 / 101 - 1, 102 / 99.5 - 1, 103.5 / 102 - 1, 101 / 103.5 - 1];
    const returnsB = [51 / 50 - 1, 49 / 51 - 1, 52.5 / 49 - 1];
    expect(a!.bars).toBe(5);
    expect(b!.bars).toBe(3);
    expectClose(a!.sharpeRatio, directMetrics(returnsA, 252).sharpeRatio, 'A sharpe');
    expectClose(b!.sharpeRatio, directMetrics(returnsB, 252).sharpeRatio, 'B sharpe');
    expectClose(b!.totalReturn, 52.5 / 50 - 1, 'B total');
    expectClose(b!.maxDrawdown, 1 - 49 / 51, 'B drawdown');
  });
});

describe('sweeplens metrics --prices --signal-column', () => {
  // Positions (forward-filled): 0 0 1 1 1 0 -1 -1 1 1 0.5 0.5 0 ; trades [2,5] [6,8] [8,12].
  const closes = [100, 101, 100.5, 102, 103, 102.5, 101, 99, 100, 102, 101.5, 103, 104];
  const cells = ['0', '', '1', '', '', '0', '-1', '', '1', '', '0.5', '', '0'];
  const positions = [0, 0, 1, 1, 1, 0, -1, -1, 1, 1, 0.5, 0.5, 0];
  const file = writeCsv(folder, 'signal.csv', ['date,close,volume,signal', ...closes.map((c, i) => `${days[i]},${c},${1000 + i},${cells[i]}`)]);

  test('dense signal -> change list forward-fills empty cells', () => {
    const trace = denseSignalToTrace(Float64Array.from(cells.map((c) => (c === '' ? NaN : Number(c)))));
    expect(Array.from(trace.idx)).toEqual([2, 5, 6, 8, 10, 12]);
    expect(Array.from(trace.signal)).toEqual([1, 0, -1, 1, 0.5, 0]);
  });

  test('net returns R_t = pos_{t-1} r_t - |dpos_t| (commission + slippage), metrics and trades match a direct computation', async () => {
    const run = await sweeplens('metrics', file, '--prices', '--signal-column', 'signal', '--commission-rate', '0.002', '--slippage-rate', '0.001', '--json');
    expect(run.exitCode).toBe(0);
    const [row] = JSON.parse(run.stdout) as Json[];
    expect(row!.column).toBe('close');
    expect(row!.signalColumn).toBe('signal');
    const unit = 0.003;
    const net = closes.map((c, t) => {
      const previous = t > 0 ? positions[t - 1]! : 0;
      const r = t > 0 ? c / closes[t - 1]! - 1 : 0;
      return previous * r - Math.abs(positions[t]! - previous) * unit;
    });
    const expected = directMetrics(net, 252);
    expect(row!.bars).toBe(13);
    for (const key of ['totalReturn', 'sharpeRatio', 'sortinoRatio', 'maxDrawdown', 'volatility'] as const) expectClose(row![key], expected[key], key);
    expect(row!.tradeCount).toBe(3);
    expectClose(row!.exposure, (3 + 2 + 4) / 13, 'exposure');
    expectClose(row!.totalCosts, unit * (1 + 1 + 1 + 2 + 0.5 + 0.5), 'totalCosts');
    expectClose(row!.avgTradeDurationBars, 3, 'avg duration');
  });

  test('--slippage-model sqrt with --volume-column runs and costs more than zero', async () => {
    const run = await sweeplens('metrics', file, '--prices', '--signal-column', 'signal', '--volume-column', 'volume', '--slippage-model', 'sqrt', '--commission-rate', '0', '--json');
    expect(run.exitCode).toBe(0);
    const [row] = JSON.parse(run.stdout) as Json[];
    expect(row!.totalCosts as number).toBeGreaterThan(0);
  });

  test('the table lists strategy rows (trades, costs)', async () => {
    const run = await sweeplens('metrics', file, '--prices', '--signal-column', 'signal');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("signal 'signal' applied to 'close'");
    expect(run.stdout).toMatch(/^trades\s+3$/m);
    expect(run.stdout).toContain('costs: commission 10.0 bps + linear slippage 5.0 bps');
  });
});

describe('sweeplens metrics: bad input is one line naming file, column and row', () => {
  test('missing file', async () => {
    const missing = `${folder}/nope.csv`;
    const line = expectOneLineError(await sweeplens('metrics', missing));
    expect(line).toContain(missing);
  });

  test('missing column', async () => {
    const line = expectOneLineError(await sweeplens('metrics', returnsCsv, '--columns', 'alpha,gamma'));
    expect(line).toContain(returnsCsv);
    expect(line).toContain("column 'gamma'");
    expect(line).toContain('alpha, beta');
  });

  test('missing signal column', async () => {
    const line = expectOneLineError(await sweeplens('metrics', returnsCsv, '--prices', '--signal-column', 'sig'));
    expect(line).toContain(`${returnsCsv}: column 'sig'`);
  });

  test('non-numeric cell', async () => {
    const file = writeCsv(folder, 'text.csv', ['date,a', `${days[0]},0.01`, `${days[1]},abc`, `${days[2]},0.02`]);
    const line = expectOneLineError(await sweeplens('metrics', file));
    expect(line).toBe(`sweeplens: ${file}: column 'a', row 2: 'abc' is not a number`);
  });

  test('unsorted timestamps', async () => {
    const file = writeCsv(folder, 'unsorted.csv', ['date,a', `${days[1]},0.01`, `${days[0]},0.02`, `${days[2]},0.02`]);
    const line = expectOneLineError(await sweeplens('metrics', file));
    expect(line).toContain(`${file}: column 'date', row 2:`);
    expect(line).toContain('not strictly increasing');
  });

  test('price <= 0', async () => {
    const file = writeCsv(folder, 'negative.csv', ['date,a,b', `${days[0]},1,2`, `${days[1]},1.1,2`, `${days[2]},1.2,0`]);
    const line = expectOneLineError(await sweeplens('metrics', file, '--prices'));
    expect(line).toBe(`sweeplens: ${file}: column 'b', row 3: price 0 must be finite and > 0`);
  });

  test('interior missing price', async () => {
    const file = writeCsv(folder, 'gap.csv', ['date,a', `${days[0]},`, `${days[1]},1.1`, `${days[2]},`, `${days[3]},1.3`]);
    const line = expectOneLineError(await sweeplens('metrics', file, '--prices'));
    expect(line).toContain(`${file}: column 'a', row 3: missing price`);
  });

  test('price <= 0 in signal mode', async () => {
    const file = writeCsv(folder, 'neg-signal.csv', ['date,close,signal', `${days[0]},1,0`, `${days[1]},-1,1`]);
    const line = expectOneLineError(await sweeplens('metrics', file, '--prices', '--signal-column', 'signal'));
    expect(line).toContain(`${file}: column 'close', row 2: price -1`);
  });

  test('sqrt model with zero volume at a trade names the volume column and row', async () => {
    const file = writeCsv(folder, 'zero-volume.csv', ['date,close,volume,signal', `${days[0]},1,10,0`, `${days[1]},1.1,10,`, `${days[2]},1.2,0,1`, `${days[3]},1.3,10,`]);
    const line = expectOneLineError(await sweeplens('metrics', file, '--prices', '--signal-column', 'signal', '--volume-column', 'volume', '--slippage-model', 'sqrt'));
    expect(line).toContain(`${file}: column 'volume', row 3:`);
  });

  test.each([
    [['--periods-per-year', 'abc'], '--periods-per-year must be a number > 0'],
    [['--periods-per-year', '0'], '--periods-per-year must be a number > 0'],
    [['--risk-free-rate', 'x'], '--risk-free-rate must be'],
    [['--prices', '--signal-column', 'beta', '--commission-rate', '-1'], '--commission-rate must be a number >= 0'],
    [['--prices', '--signal-column', 'beta', '--slippage-model', 'cubic'], "--slippage-model must be 'linear' or 'sqrt'"],
    [['--prices', '--signal-column', 'beta', '--volatility-window', '1.5'], '--volatility-window must be an integer >= 2'],
    [['--prices', '--signal-column', 'beta', '--capital', '0'], '--capital must be a number > 0'],
    [['--prices', '--signal-column', 'beta', '--slippage-model', 'sqrt'], '--slippage-model sqrt needs --volume-column'],
    [['--signal-column', 'beta'], '--signal-column needs --prices'],
    [['--commission-rate', '0.001'], '--commission-rate only applies with --prices --signal-column'],
  ])('flag %j', async (flags, message) => {
    const line = expectOneLineError(await sweeplens('metrics', returnsCsv, ...flags));
    expect(line).toContain(message);
  });

  test('--debug prints the stack trace', async () => {
    const run = await sweeplens('--debug', 'metrics', `${folder}/nope.csv`);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/\n\s+at /);
  });
});

describe('sweeplens usage errors', () => {
  test('a missing argument exits with 2 (commander usage error), --help with 0', async () => {
    const usage = await sweeplens('metrics');
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toContain("missing required argument 'file'");
    const help = await sweeplens('metrics', '--help');
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('--periods-per-year <n>');
    expect(help.stdout).toContain('20 h to 4 days -> 252');
  });
});
