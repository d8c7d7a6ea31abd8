// Runs written trace by trace for the overfitting tests: a random-walk market, strategies holding
// random ±1 positions (pure noise: no information about the next return) and, optionally, one
// "planted" strategy that knows the sign of the next bar's return with a given probability.
import { createRun } from '../../src/io/runWriter.ts';
import type { Bars, RegimeTrace } from '../../src/types.ts';
import { Rng } from '../helpers/rng.ts';

/** Options of writeNoiseRun. */
export interface NoiseRunOptions {
  seed: number;
  bars: number;
  /** Noise strategies, split round-robin over `families` families. */
  strategies: number;
  /** Number of families; default 2. */
  families?: number;
  /** Add strategy 'planted' (family 'oracle') whose position at t − 1 has the sign of r_t with this probability. */
  plantedAccuracy?: number;
  /**
   * Mean bars between position changes of the noise strategies (geometric holding times), one value
   * or one per family; default 1 (a new random position every bar).
   */
  holdingBars?: number | readonly number[];
  /** Add a two-state classifier 'vol' (sticky random states). */
  classifier?: boolean;
}

/** Random-walk 1-minute bars: close[t] = close[t−1]·(1 + N(0, 1 %)). */
export function randomWalkBars(rng: Rng, n: number): Bars {
  const tsMs = new Float64Array(n);
  const close = new Float64Array(n);
  let price = 100;
  for (let t = 0; t < n; t++) {
    if (t > 0) price *= 1 + rng.normal(0, 0.01);
    close[t] = price;
    tsMs[t] = Date.UTC(2024, 0, 2, 14, 30) + t * 60_000;
  }
  return { tsMs, open: close.slice(), high: close.map((c) => c * 1.001), low: close.map((c) => c * 0.999), close, volume: new Float64Array(n).fill(1e6) };
}

/** Change list of per-bar positions (position before bar 0 is 0). */
export function changeList(positions: Int8Array): { idx: Int32Array; signal: Int8Array } {
  const idx: number[] = [];
  const signal: number[] = [];
  let previous = 0;
  positions.forEach((p, t) => {
    if (p !== previous) { idx.push(t); signal.push(p); previous = p; }
  });
  return { idx: Int32Array.from(idx), signal: Int8Array.from(signal) };
}

/** Writes the run into `dir` (replacing one there) and returns its bars and classifier trace. */
export function writeNoiseRun(dir: string, options: NoiseRunOptions): { bars: Bars; regimes: RegimeTrace | undefined } {
  const rng = new Rng(options.seed);
  const n = options.bars;
  const bars = randomWalkBars(rng, n);
  const writer = createRun(dir, { overwrite: true, fsync: false });
  writer.writeBars('SYN', bars);
  const families = options.families ?? 2;
  for (let s = 0; s < options.strategies; s++) {
    const holding = options.holdingBars ?? 1;
    const switchProbability = 1 / (typeof holding === 'number' ? holding : holding[s % families]!);
    const positions = new Int8Array(n);
    let p = rng.chance(0.5) ? 1 : -1;
    for (let t = 0; t < n; t++) {
      if (t > 0 && rng.chance(switchProbability)) p = rng.chance(0.5) ? 1 : -1;
      positions[t] = p;
    }
    const id = `noise_${String(s).padStart(3, '0')}`;
    writer.writeSignal(changeList(positions), { id, family: `family_${s % families}`, symbol: 'SYN', parameters: { s }, bars: n }, { valueType: 'int8' });
  }
  if (options.plantedAccuracy !== undefined) {
    const positions = new Int8Array(n);
    for (let t = 0; t + 1 < n; t++) {
      const sign = bars.close[t + 1]! >= bars.close[t]! ? 1 : -1;
      positions[t] = rng.chance(options.plantedAccuracy) ? sign : -sign;
    }
    positions[n - 1] = positions[n - 2] ?? 1;
    writer.writeSignal(changeList(positions), { id: 'planted', family: 'oracle', symbol: 'SYN', parameters: {}, bars: n }, { valueType: 'int8' });
  }
  let regimes: RegimeTrace | undefined;
  if (options.classifier) {
    const idx: number[] = [0];
    const state: number[] = [0];
    for (let t = 1; t < n; t++) {
      if (rng.chance(1 / 150)) { idx.push(t); state.push(1 - state[state.length - 1]!); }
    }
    regimes = { idx: Int32Array.from(idx), state: Int32Array.from(state), labels: ['calm', 'stormy'] };
    writer.writeClassifier(regimes, { id: 'vol', family: 'volatility', symbol: 'SYN', parameters: {}, bars: n });
  }
  writer.finish();
  return { bars, regimes };
}
