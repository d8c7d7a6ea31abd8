// regimes' row collector: batches in any arrival order give the job-order table, the separation and the JSON entries.
import { describe, expect, it } from 'vitest';
import { classifierSeparation, type RegimeMetricsEntry } from '../../src/analytics/regimeMetrics.ts';
import { RegimeRows } from '../../src/coordinator/regimeRows.ts';
import type { RegimeOutcome } from '../../src/engine/messages.ts';
import type { PerformanceMetrics } from '../../src/types.ts';
import { Rng } from '../helpers/rng.ts';

function entry(rng: Rng, regime: string): RegimeMetricsEntry {
  const bars = rng.integer(0, 400);
  const metrics = { bars, sharpeRatio: rng.chance(0.1) ? null : rng.between(-2, 2), totalReturn: rng.between(-0.5, 0.5) } as unknown as PerformanceMetrics;
  return { regime, metrics, netSum: rng.between(-1, 1), netSquares: rng.between(0, 2) };
}

function outcomes(rng: Rng, count: number, classifiers: number): RegimeOutcome[] {
  return Array.from({ length: count }, (_, s): RegimeOutcome => (rng.chance(0.1)
    ? { id: `s${s}`, ok: false, error: `trace ${s} is damaged` }
    : {
      id: `s${s}`, ok: true, path: rng.chance(0.2) ? 'dense' : 'sparse',
      entries: Array.from({ length: classifiers }, () => ['low', 'mid', 'high', '(none)'].filter(() => rng.chance(0.8)).map((r) => entry(rng, r))),
    }));
}

describe('RegimeRows', () => {
  it('collects batches that finish in any order as if they came in job order', () => {
    const rng = new Rng(17);
    const all = outcomes(rng, 57, 3);
    const batches = [all.slice(0, 10), all.slice(10, 20), all.slice(20, 40), all.slice(40)];
    const json = new Set(['s1', 's22', 's56']);
    const inOrder = new RegimeRows(['a', 'b', 'c'], json, 30);
    all.forEach((outcome) => inOrder.add(outcome));
    const shuffled = new RegimeRows(['a', 'b', 'c'], json, 30);
    for (const at of [2, 0, 3, 1]) shuffled.addBatch(at, batches[at]!);
    expect(shuffled.count).toBe(57);
    expect(shuffled.rows).toBe(inOrder.rows);
    expect(shuffled.columns()).toEqual(inOrder.columns());
    expect(shuffled.failures).toEqual(all.filter((o) => !o.ok).map((o) => ({ id: o.id, error: (o as { error: string }).error })));
    expect(shuffled.denseFallbacks.map((d) => d.id)).toEqual(all.filter((o) => o.ok && o.path === 'dense').map((o) => o.id));
    expect(Object.keys(shuffled.strategies)).toEqual(all.filter((o) => o.ok && json.has(o.id)).map((o) => o.id));
    // the separation equals classifierSeparation over every strategy at once
    for (let c = 0; c < 3; c++) {
      const perStrategy = all.flatMap((o) => (o.ok ? [{ regimes: o.entries[c]! }] : []));
      expect(shuffled.separation(c)).toEqual(classifierSeparation(perStrategy, 30));
    }
    // the table's rows: strategy x classifier x regime, in job order, metrics as columns
    const columns = shuffled.columns();
    const first = all.find((o) => o.ok && o.entries[0]!.length > 0) as Extract<RegimeOutcome, { ok: true }>;
    expect([(columns.strategy as string[])[0], (columns.classifier as string[])[0], (columns.regime as string[])[0]]).toEqual([first.id, 'a', first.entries[0]![0]!.regime]);
    expect((columns.totalReturn as Float64Array)[0]).toBe(first.entries[0]![0]!.metrics.totalReturn);
  });

  it('waits for a missing batch: nothing after it is collected until it comes', () => {
    const rows = new RegimeRows(['a'], new Set(), 1);
    const all = outcomes(new Rng(3), 6, 1);
    rows.addBatch(1, all.slice(3));
    expect(rows.count).toBe(0);
    rows.addBatch(0, all.slice(0, 3));
    expect(rows.count).toBe(6);
  });
});
