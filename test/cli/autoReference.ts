// Independent recomputation of a replayed ensemble: dense positions built by hand from the member
// traces, the classifier's trace and the weights, then the plain-TS reference metrics.
import { join } from 'node:path';
import { readBarsFile } from '../../src/io/bars.ts';
import { readRunMetadata, signalPath, statePath } from '../../src/io/layout.ts';
import { readRegimeTrace, readSignalTrace } from '../../src/io/traces.ts';
import { defaultExecutionCosts } from '../../src/analytics/metricOptions.ts';
import type { PerformanceMetrics } from '../../src/types.ts';
import type { SignalReplayConfig } from '../../src/coordinator/replay.ts';
import { referenceStrategyMetrics } from '../reference/strategyMetrics.ts';

/** Value of a change list at bar t (last row at or before t), `fallback` before the first row. */
function valueAt<T>(idx: Int32Array, values: ArrayLike<T>, t: number, fallback: T): T {
  let value = fallback;
  for (let row = 0; row < idx.length && idx[row]! <= t; row++) value = values[row]!;
  return value;
}

/**
 * Reference metrics of the ensemble of `config` on bars [fromIdx, toIdx) of a native run: at bar t the
 * regime is the classifier state at t (forward fill); pos_t = fround(sum_i w(i) pos_i(t)) with w the
 * regime's weights, else the global ones, else flat; positions then priced by referenceStrategyMetrics.
 */
export async function referenceEnsembleMetrics(runDir: string, config: SignalReplayConfig, fromIdx?: number, toIdx?: number): Promise<{ metrics: PerformanceMetrics; positions: Float64Array }> {
  const metadata = readRunMetadata(runDir);
  const bars = await readBarsFile(join(runDir, metadata.market[config.symbol]!));
  const from = fromIdx ?? 0;
  const to = toIdx ?? bars.tsMs.length;
  const members = config.strategies.map((id) => readSignalTrace(signalPath(runDir, id)));
  const regimes = config.classifier ? readRegimeTrace(statePath(runDir, config.classifier)) : undefined;
  const n = to - from;
  const positions = new Float64Array(n);
  for (let t = from; t < to; t++) {
    const code = regimes ? valueAt(regimes.idx, regimes.state, t, -1) : -1;
    const label = code >= 0 ? regimes!.labels[code]! : undefined;
    const weights = (label !== undefined ? config.weights.regimes?.[label] : undefined) ?? config.weights.global;
    if (!weights) continue;
    let sum = 0;
    config.strategies.forEach((id, i) => { sum += (weights[id] ?? 0) * valueAt(members[i]!.idx, members[i]!.signal, t, 0); });
    positions[t - from] = Math.fround(sum);
  }
  const trace = { idx: Int32Array.from({ length: n }, (_, i) => i), signal: positions };
  const metrics = referenceStrategyMetrics(
    bars.close.slice(from, to), bars.volume.slice(from, to), trace, defaultExecutionCosts(config.costs),
    { periodsPerYear: config.periodsPerYear!, riskFreeRate: config.riskFreeRate ?? 0 },
  );
  return { metrics, positions };
}
