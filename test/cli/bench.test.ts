import { describe, expect, test } from 'vitest';
import { parseSizes } from '../../src/cli/commands/bench.ts';
import { expectOneLineError, sweeplens } from './runCli.ts';

interface BenchJson {
  cases: { name: string; bars: number; barsPerSecond: number; meanMs: number; samples: number }[];
  ratios: Record<string, number>;
  parity: { check: string; bars: number; maxRelativeDifference: number }[];
  quick: boolean;
  sizes: number[];
}

describe('sweeplens bench', () => {
  test('--quick --json (tiny sizes) prints exactly one JSON document with cases, ratios and parity; progress on stderr', async () => {
    const run = await sweeplens('bench', '--quick', '--json', '--sizes', '1500');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(run.stdout) as BenchJson;
    expect(report.quick).toBe(true);
    expect(report.sizes).toEqual([1500]);
    expect(report.cases.map((c) => c.name)).toEqual([
      'dense-metrics/wasm', 'dense-metrics/wasm+market', 'dense-metrics/ts', 'moments/wasm-simd', 'moments/ts',
      'max-drawdown/wasm', 'max-drawdown/ts', 'interop/copy-f64',
    ]);
    for (const c of report.cases) {
      expect(c.bars).toBe(1500);
      expect(c.meanMs).toBeGreaterThan(0);
      expect(c.barsPerSecond).toBeCloseTo(1500 / (c.meanMs / 1000), 6);
      expect(c.samples).toBeGreaterThanOrEqual(5);
    }
    expect(Object.keys(report.ratios).sort()).toEqual([
      'denseMetrics@1500', 'denseMetricsWithMarket@1500', 'interopShareOfDense@1500', 'maxDrawdown@1500', 'moments@1500',
    ]);
    const dense = report.cases.find((c) => c.name === 'dense-metrics/wasm')!;
    const ts = report.cases.find((c) => c.name === 'dense-metrics/ts')!;
    expect(report.ratios['denseMetrics@1500']).toBeCloseTo(dense.barsPerSecond / ts.barsPerSecond, 9);
    expect(report.parity.map((p) => p.check)).toEqual(['dense metrics, sqrt costs', 'dense metrics, linear costs', 'moments', 'max drawdown']);
    for (const p of report.parity) expect(p.maxRelativeDifference).toBeLessThanOrEqual(1e-9);
    expect(run.stderr).toContain('parity ok at 1,500 bars');
  });

  test('--sizes is validated', async () => {
    expect(parseSizes('100,2000')).toEqual([100, 2000]);
    const line = expectOneLineError(await sweeplens('bench', '--quick', '--sizes', '100,abc'));
    expect(line).toContain('--sizes must be comma-separated integers >= 2');
  });
});
