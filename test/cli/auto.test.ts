// End to end: three generated runs in one workspace -> `sweeplens auto` selects ensembles, writes the
// replay configurations and replays them; every replayed ensemble equals an independent
// recomputation (dense positions by hand + test/reference/strategyMetrics.ts) to 1e-9.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRun } from '../../src/coordinator/generate.ts';
import type { ReplayResult, SignalReplayConfig } from '../../src/coordinator/replay.ts';
import type { WorkflowReport } from '../../src/coordinator/workflow.ts';
import { readSignalTrace } from '../../src/io/traces.ts';
import { close, findMismatch } from '../helpers/tolerance.ts';
import { referenceEnsembleMetrics } from './autoReference.ts';
import { expectOneLineError, sweeplens, temporaryFolder } from './runCli.ts';

const RUNS = ['run_a', 'run_b', 'run_c'];
let root: string;
let workspace: string;
let out: string;
let report: WorkflowReport;

beforeAll(async () => {
  root = temporaryFolder('auto');
  workspace = join(root, 'workspace');
  out = join(root, 'out');
  RUNS.forEach((id, i) => generateRun(join(workspace, id), { strategies: 40, classifiers: 2, bars: 4000, seed: 11 + i }));
  const criteria = join(root, 'criteria.json');
  writeFileSync(criteria, JSON.stringify({
    minSharpe: 0, minWinRate: null, maxDrawdown: null, minTrades: 5, maxCorrelation: 0.9, maxCandidates: 12, autoExecuteReplay: true,
  }));
  const run = await sweeplens('auto', workspace, '--criteria', criteria, '--out', out, '--quiet', '--json');
  expect(run.stderr).toBe('');
  expect(run.exitCode).toBe(0);
  report = JSON.parse(run.stdout) as WorkflowReport;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('sweeplens auto on a generated workspace of three runs', () => {
  it('scans every run, selects ensembles and writes the report and one configuration per selection', () => {
    expect(report.scannedRuns).toBe(3);
    expect(report.runs.map((r) => r.id)).toEqual(RUNS);
    expect(report.qualifiedRuns).toBeGreaterThan(0);
    expect(report.selections.length).toBeGreaterThan(0);
    expect(report.selections.length).toBeLessThanOrEqual(3);
    expect(existsSync(join(out, 'workflow_report.json'))).toBe(true);
    expect(report.replayConfigurations).toHaveLength(report.selections.length);
    for (const path of report.replayConfigurations) expect(existsSync(path)).toBe(true);
    expect(report.recommendations).toHaveLength(report.selections.length);
    expect(report.recommendations[0]).toMatch(/^Trade ensemble A \(\d+ strateg(y|ies)\) .*in-sample net Sharpe -?\d+\.\d\d/);
    // Runs are analyzed into the output folder, never into the workspace.
    for (const id of RUNS) expect(existsSync(join(workspace, id, 'summary/performance_summary.json'))).toBe(false);
  });

  it('respects the criteria: weights within the optimizer bounds, members passed the filters', () => {
    for (const s of report.selections) {
      const run = report.runs.find((r) => r.id === s.runId)!;
      for (const id of s.strategies) expect(run.candidates).toContain(id);
      for (const record of [s.weights.global ?? {}, ...Object.values(s.weights.regimes ?? {})]) {
        const values = Object.values(record);
        expect(values.length).toBeLessThanOrEqual(5);
        for (const w of values) expect(w).toBeLessThanOrEqual(0.5 + 1e-9);
        if (values.length > 0) expect(close(values.reduce((a, b) => a + b, 0), 1, 1e-6)).toBe(true);
      }
    }
  });

  it('replays every selection; the metrics equal an independent recomputation to 1e-9', async () => {
    expect(report.replayResults).toHaveLength(report.selections.length);
    for (const [i, selection] of report.selections.entries()) {
      const config = JSON.parse(readFileSync(selection.configPath, 'utf8')) as SignalReplayConfig;
      const result = report.replayResults![i]!;
      expect(result.sample).toBe('in-sample');
      const { metrics, positions } = await referenceEnsembleMetrics(config.runDir!, config);
      expect(findMismatch(result.metrics, metrics, (a, b) => close(a, b))).toBeUndefined();
      expect(findMismatch(selection.inSample.metrics, metrics, (a, b) => close(a, b))).toBeUndefined();
      // The stored float32 trace is exactly the priced positions.
      const stored = readSignalTrace(result.signalsPath!);
      expect(stored.valueType).toBe('float32');
      let row = 0;
      let value = 0;
      for (let t = 0; t < positions.length; t++) {
        while (row < stored.idx.length && stored.idx[row]! <= t) value = stored.signal[row++]!;
        if (value !== positions[t]) throw new Error(`stored position at bar ${t} is ${value}, expected ${positions[t]}`);
      }
      // Per-regime bars add up to the return bars with a known regime.
      const perRegime = Object.values(result.perRegime ?? {});
      if (config.classifier) expect(perRegime.reduce((s, r) => s + r.bars, 0)).toBeGreaterThan(0);
    }
  });

  it('replays a configuration out of sample on a sub-range (--from/--to), equal to the recomputation', async () => {
    const configPath = report.replayConfigurations[0]!;
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as SignalReplayConfig;
    const replayOut = join(root, 'oos');
    const run = await sweeplens('replay', config.runDir!, '--config', configPath, '--from', '2500', '--to', '4000', '--out', replayOut, '--json');
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout) as ReplayResult;
    expect(result.range).toMatchObject({ fromIdx: 2500, toIdx: 4000, bars: 1500 });
    const { metrics } = await referenceEnsembleMetrics(config.runDir!, config, 2500, 4000);
    expect(findMismatch(result.metrics, metrics, (a, b) => close(a, b))).toBeUndefined();
    expect(existsSync(join(replayOut, 'signals/combined/ensemble_signals.parquet'))).toBe(true);

    // The same range given as ISO times (from inclusive, to exclusive).
    const byTime = await sweeplens('replay', config.runDir!, '--config', configPath, '--from', result.range.firstTs!, '--to', '4000', '--json');
    expect(byTime.exitCode).toBe(0);
    expect((JSON.parse(byTime.stdout) as ReplayResult).range.fromIdx).toBe(2500);
    rmSync(join(config.runDir!, 'signals/combined'), { recursive: true, force: true });
    rmSync(join(config.runDir!, 'analytics'), { recursive: true, force: true });
  });

  it('rejects criteria with an unknown field, a wrong type or an impossible combination, naming the field', async () => {
    const cases: [object, RegExp][] = [
      [{ minSharp: 1 }, /criteria\.minSharp is not a known field/],
      [{ maxSelections: 'three' }, /criteria\.maxSelections must be an integer >= 1/],
      [{ optimizer: { maxWeight: 0.1 } }, /criteria\.optimizer\.maxWeight \(0\.1\) x min/],
    ];
    for (const [criteria, message] of cases) {
      const path = join(root, 'bad.json');
      writeFileSync(path, JSON.stringify(criteria));
      const run = await sweeplens('auto', workspace, '--criteria', path, '--out', join(root, 'never'));
      expect(expectOneLineError(run)).toMatch(message);
      expect(existsSync(join(root, 'never'))).toBe(false);
    }
    const flag = await sweeplens('auto', workspace, '--max-selections', '0', '--out', join(root, 'never'));
    expect(expectOneLineError(flag)).toMatch(/criteria\.maxSelections must be an integer >= 1, got 0/);
  });
});
