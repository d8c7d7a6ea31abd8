// replayEnsemble validates the whole configuration against the run before writing anything.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRun } from '../../src/coordinator/generate.ts';
import { replayEnsemble, resolveBarRange, validateReplayConfig, type SignalReplayConfig } from '../../src/coordinator/replay.ts';
import { InputError, WorkspaceError } from '../../src/errors.ts';
import { readRunMetadata } from '../../src/io/layout.ts';
import { readRegimeTrace } from '../../src/io/traces.ts';
import { tempDir } from '../io/fixtures.ts';

const { dir: root, cleanup } = tempDir('sweeplens-replay-');
const runDir = join(root, 'run');
let config: SignalReplayConfig;

beforeAll(() => {
  const metadata = generateRun(runDir, { strategies: 6, classifiers: 1, bars: 600, seed: 3 });
  const [a, b] = metadata.strategies as [string, string];
  const classifier = metadata.classifiers[0]!;
  const labels = readRegimeTrace(join(runDir, 'classifiers', classifier, 'states.parquet')).labels;
  config = { symbol: 'SYN', strategies: [a, b], classifier, weights: { global: { [a]: 0.5, [b]: 0.5 }, regimes: { [labels[0]!]: { [a]: 1 } } }, costs: {} };
});
afterAll(cleanup);

function outputs(): string[] {
  const out = join(root, 'out');
  return existsSync(out) ? readdirSync(out, { recursive: true }) as string[] : [];
}

describe('replayEnsemble', () => {
  it('replays a valid configuration and writes the float32 trace and the result', async () => {
    const result = await replayEnsemble(config, { runDir, outDir: join(root, 'out') });
    expect(result.range).toMatchObject({ fromIdx: 0, toIdx: 600, bars: 600 });
    expect(result.sample).toBe('unknown');
    expect(existsSync(result.signalsPath!)).toBe(true);
    expect(existsSync(result.resultPath!)).toBe(true);
    expect(readRunMetadata(runDir).strategies).toHaveLength(6);
    rmSync(join(root, 'out'), { recursive: true, force: true });
  });

  it('fails before any output is written for a missing strategy, classifier or regime label', async () => {
    const [a, b] = config.strategies as [string, string];
    const missingStrategy = { ...config, strategies: [a, 'no_such_strategy'], weights: { global: { [a]: 0.5, no_such_strategy: 0.5 } } };
    await expect(replayEnsemble(missingStrategy, { runDir, outDir: join(root, 'out') })).rejects.toThrow(WorkspaceError);
    await expect(replayEnsemble(missingStrategy, { runDir, outDir: join(root, 'out') })).rejects.toThrow(/config\.strategies: 'no_such_strategy' not in run/);
    await expect(replayEnsemble({ ...config, classifier: 'no_such_classifier' }, { runDir, outDir: join(root, 'out') })).rejects.toThrow(/config\.classifier: 'no_such_classifier' not in run/);
    const badLabel = { ...config, weights: { global: { [a]: 1 }, regimes: { storm: { [b]: 1 } } } };
    await expect(replayEnsemble(badLabel, { runDir, outDir: join(root, 'out') })).rejects.toThrow(/config\.weights\.regimes\.storm: classifier '.*' has no regime 'storm'/);
    expect(outputs()).toEqual([]);
    expect(existsSync(join(runDir, 'signals', 'combined'))).toBe(false);
  });

  it('validates the shape of a configuration, naming the field', () => {
    expect(() => validateReplayConfig({ ...config, extra: 1 })).toThrow(/config\.extra is not a known field/);
    expect(() => validateReplayConfig({ ...config, strategies: [] })).toThrow(/config\.strategies must be a non-empty array/);
    expect(() => validateReplayConfig({ ...config, weights: { global: { z: 1 } } })).toThrow(/config\.weights\.global\.z names strategy 'z', which is not in strategies/);
    expect(() => validateReplayConfig({ ...config, classifier: undefined, weights: { regimes: { x: {} } } })).toThrow(/config\.classifier is required/);
    expect(() => validateReplayConfig({ ...config, weights: {} })).toThrow(/neither global nor regime weights/);
    expect(() => validateReplayConfig({ ...config, costs: { commissionRate: -1 } })).toThrow(/config\.costs\.commissionRate/);
  });

  it('resolves --from/--to as bar indices or ISO times (from inclusive, to exclusive)', () => {
    const ts = Float64Array.from([0, 60_000, 120_000, 180_000, 240_000]);
    expect(resolveBarRange(ts)).toEqual({ fromIdx: 0, toIdx: 5 });
    expect(resolveBarRange(ts, '1', 4)).toEqual({ fromIdx: 1, toIdx: 4 });
    expect(resolveBarRange(ts, '1970-01-01T00:01:30Z', '1970-01-01T00:04:00Z')).toEqual({ fromIdx: 2, toIdx: 4 });
    expect(() => resolveBarRange(ts, 4, 5)).toThrow(InputError);
    expect(() => resolveBarRange(ts, 'yesterday')).toThrow(/--from must be a bar index or an ISO-8601 time/);
    expect(() => resolveBarRange(ts, 0, 9)).toThrow(/--to bar index must be an integer in \[0, 5\]/);
  });
});
