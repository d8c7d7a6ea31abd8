import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import {
  ensemblePositions, forwardFillStates, positionChanges, returnRegimes, returnsByRegime, sliceRegimeTrace, sliceSignalTrace,
} from '../../src/analytics/replay.ts';
import { close } from '../helpers/tolerance.ts';

const trace = (idx: number[], signal: number[]) => ({ idx: Int32Array.from(idx), signal: Float64Array.from(signal) });

describe('ensemble positions', () => {
  const a = trace([1, 5], [1, -1]);
  const b = trace([0, 3], [-1, 1]);
  const regimes = { idx: Int32Array.from([2, 6]), state: Int32Array.from([0, 1]), labels: ['calm', 'wild'] };

  it('forward-fills states and lags them by one bar for returns', () => {
    const states = forwardFillStates(regimes, 8);
    expect([...states]).toEqual([-1, -1, 0, 0, 0, 0, 1, 1]);
    expect([...returnRegimes(states)]).toEqual([-1, -1, -1, 0, 0, 0, 0, 1]);
  });

  it('weights the members by the regime observed at each bar (global before the first state)', () => {
    const states = forwardFillStates(regimes, 8);
    const positions = ensemblePositions(8, [{ id: 'a', trace: a }, { id: 'b', trace: b }], {
      global: { a: 0.5, b: 0.5 }, regimes: { calm: { a: 0.25, b: 0.75 } },
    }, { states, labels: regimes.labels });
    // bars 0-1 global; 2-5 calm; 6-7 'wild' has no entry -> global
    const expected = [0.5 * 0 + 0.5 * -1, 0.5 * 1 + 0.5 * -1, 0.25 * 1 + 0.75 * -1, 0.25 + 0.75, 0.25 + 0.75, -0.25 + 0.75, -0.5 + 0.5, -0.5 + 0.5];
    expect([...positions]).toEqual(expected.map((v) => Math.fround(v)));
  });

  it('is flat where no weights apply and rounds to float32', () => {
    const states = forwardFillStates(regimes, 8);
    const positions = ensemblePositions(8, [{ id: 'a', trace: a }], { regimes: { wild: { a: 0.3 } } }, { states, labels: regimes.labels });
    expect([...positions]).toEqual([0, 0, 0, 0, 0, 0, Math.fround(-0.3), Math.fround(-0.3)]);
    const changes = positionChanges(positions);
    expect([...changes.idx]).toEqual([6]);
    expect(changes.signal[0]).toBe(Math.fround(-0.3));
  });

  it('rejects weights naming a non-member or an unknown regime', () => {
    const states = forwardFillStates(regimes, 8);
    expect(() => ensemblePositions(8, [{ id: 'a', trace: a }], { global: { z: 1 } })).toThrow(/weights\.global: strategy 'z' is not a member/);
    expect(() => ensemblePositions(8, [{ id: 'a', trace: a }], { regimes: { storm: { a: 1 } } }, { states, labels: regimes.labels })).toThrow(InputError);
  });
});

describe('slicing to a bar range', () => {
  it('carries the position and state at fromIdx to row 0 and re-bases idx', () => {
    const sliced = sliceSignalTrace(trace([1, 5, 9], [1, -1, 0]), { fromIdx: 3, toIdx: 8 });
    expect([...sliced.idx]).toEqual([0, 2]);
    expect([...sliced.signal]).toEqual([1, -1]);
    const exact = sliceSignalTrace(trace([3, 5], [1, 0]), { fromIdx: 3, toIdx: 8 });
    expect([...exact.idx]).toEqual([0, 2]);
    const before = sliceSignalTrace(trace([6], [1]), { fromIdx: 3, toIdx: 8 });
    expect([...before.idx]).toEqual([3]);
    const states = sliceRegimeTrace({ idx: Int32Array.from([0, 4]), state: Int32Array.from([1, 0]), labels: ['x', 'y'] }, { fromIdx: 2, toIdx: 6 });
    expect([...states.idx]).toEqual([0, 2]);
    expect([...states.state]).toEqual([1, 0]);
  });
});

describe('returnsByRegime', () => {
  it('computes per-regime bars, compounded return and Sharpe over the regime bars', () => {
    const returns = Float64Array.from([0, 0.01, -0.02, 0.03, 0.01, 0.02]);
    const codes = Int32Array.from([-1, 0, 0, 1, 0, 1]);
    const stats = returnsByRegime(returns, codes, ['a', 'b', 'c'], 252);
    const a = [0.01, -0.02, 0.01];
    const mean = a.reduce((s, v) => s + v, 0) / 3;
    const std = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / 2);
    expect(stats.a!.bars).toBe(3);
    expect(close(stats.a!.sharpeRatio, (mean / std) * Math.sqrt(252))).toBe(true);
    expect(close(stats.a!.totalReturn, 1.01 * 0.98 * 1.01 - 1)).toBe(true);
    expect(close(stats.b!.totalReturn, 1.03 * 1.02 - 1)).toBe(true);
    expect(stats.c).toEqual({ bars: 0, totalReturn: null, meanReturn: null, volatility: null, sharpeRatio: null });
  });
});
