// `sweeplens stats psr|dsr|mintrl`: flag parsing, annualized inputs, errors, JSON and text output.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { InputError } from '../../src/errors.ts';
import { runCli } from '../../src/cli/program.ts';
import { computeStatsCommand, statsJson, statsText } from '../../src/cli/commands/stats.ts';
import {
  deflatedSharpeRatio, minimumTrackRecordLength, probabilisticSharpeRatio,
} from '../../src/analytics/overfitting/psr.ts';

async function run(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { stdout += String(chunk); return true; });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr += String(chunk); return true; });
  process.exitCode = 0;
  try {
    await runCli(['node', 'sweeplens', ...args], new Command());
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout, stderr, exitCode };
}

afterEach(() => { process.exitCode = 0; });

describe('stats command', () => {
  it('psr: per-bar inputs go straight to probabilisticSharpeRatio', () => {
    const result = computeStatsCommand('psr', { sharpe: '0.1', observations: '250', skew: '-0.5', kurtosis: '5', benchmarkSharpe: '0.02' });
    expect(result.value).toBe(probabilisticSharpeRatio({ sharpe: 0.1, benchmarkSharpe: 0.02, observations: 250, skewness: -0.5, kurtosis: 5 }));
  });

  it('dsr: --periods-per-year converts annualized Sharpe by √P and the variance by P (the DSR paper example)', () => {
    // Bailey & López de Prado (2014) numerical example: DSR ≈ 0.9004.
    const result = computeStatsCommand('dsr', {
      sharpe: '2.5', observations: '1250', trials: '100', sharpeVariance: '0.5', skew: '-3', kurtosis: '10', periodsPerYear: '250',
    });
    expect(result.inputs.sharpe).toBeCloseTo(2.5 / Math.sqrt(250), 15);
    expect(result.inputs.sharpeVariance).toBeCloseTo(0.5 / 250, 15);
    expect(result.value).toBe(deflatedSharpeRatio({ sharpe: 2.5 / Math.sqrt(250), observations: 1250, trials: 100, sharpeVariance: 0.5 / 250, skewness: -3, kurtosis: 10 }));
    expect(Math.abs(result.value - 0.9004)).toBeLessThan(0.5e-4);
    expect(Math.abs(result.expectedMaximumSharpe! - 0.1132)).toBeLessThan(0.5e-4);
  });

  it('mintrl: defaults (SR* 0, skew 0, kurtosis 3, 95 %), years with --periods-per-year, null when infinite', () => {
    const result = computeStatsCommand('mintrl', { sharpe: '1', periodsPerYear: '252' });
    const expected = minimumTrackRecordLength({ sharpe: 1 / Math.sqrt(252) });
    expect(result.value).toBe(expected);
    expect(result.years).toBe(expected / 252);
    expect(result.inputs.probability).toBe(0.95);
    expect(statsText(result)).toMatch(/^MinTRL = [\d.]+ bars \([\d.]+ years\)/);
    const never = computeStatsCommand('mintrl', { sharpe: '0.1', benchmarkSharpe: '0.2' });
    expect(never.value).toBe(Infinity);
    expect(statsJson(never).value).toBeNull();
    expect(statsText(never)).toMatch(/inf/);
  });

  it('names a missing required flag, a bad value, an unknown statistic and a flag that does not apply', () => {
    expect(() => computeStatsCommand('dsr', { sharpe: '0.1', observations: '100', trials: '10' })).toThrow(new InputError('stats dsr: --sharpe-variance is required'));
    expect(() => computeStatsCommand('psr', { observations: '100' })).toThrow(/stats psr: --sharpe is required/);
    expect(() => computeStatsCommand('psr', { sharpe: 'abc', observations: '100' })).toThrow(/--sharpe must be a number, got 'abc'/);
    expect(() => computeStatsCommand('psr', { sharpe: '0.1', observations: '1' })).toThrow(/--observations must be a number of returns > 1/);
    expect(() => computeStatsCommand('mintrl', { sharpe: '0.1', probability: '1.5' })).toThrow(/--probability must be a probability in \(0, 1\)/);
    expect(() => computeStatsCommand('sortino', { sharpe: '0.1' })).toThrow(/unknown statistic 'sortino' \(expected psr, dsr, mintrl\)/);
    expect(() => computeStatsCommand('psr', { sharpe: '0.1', observations: '100', trials: '5' })).toThrow(/stats psr: --trials does not apply \(used by dsr\)/);
  });

  it('runs through the CLI: text, --json, and a one-line error with exit code 1', async () => {
    const text = await run(['stats', 'psr', '--sharpe', '0.1', '--observations', '250']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^PSR = 0\.9\d{5}\n/);
    const json = await run(['stats', 'dsr', '--sharpe', '0.15', '--observations', '1000', '--trials', '50', '--sharpe-variance', '0.001', '--json']);
    expect(json.exitCode).toBe(0);
    const parsed = JSON.parse(json.stdout) as { statistic: string; value: number; expectedMaximumSharpe: number };
    expect(parsed.statistic).toBe('dsr');
    expect(parsed.value).toBe(deflatedSharpeRatio({ sharpe: 0.15, observations: 1000, trials: 50, sharpeVariance: 0.001 }));
    const failure = await run(['stats', 'mintrl']);
    expect(failure.exitCode).toBe(1);
    expect(failure.stderr).toBe('sweeplens: stats mintrl: --sharpe is required\n');
  });
});
