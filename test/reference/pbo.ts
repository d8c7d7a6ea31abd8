// Plain-TS oracles of assembly/pbo.ts (same names and signatures as src/kernels/pbo.ts, minus the
// kernel instance) and a brute-force CSCV that recomputes every split from the raw returns.

/** Same shape as src/kernels/pbo.ts PboBlockSums. */
export interface PboBlockSums {
  nStrategies: number;
  blocks: number;
  bounds: Int32Array;
  counts: Float64Array;
  centre: Float64Array;
  sum: Float64Array;
  squares: Float64Array;
}

/** Same shape as src/kernels/pbo.ts PboSplitResults. */
export interface PboSplitResults {
  splitStart: number;
  splitEnd: number;
  selected: Int32Array;
  inSample: Float64Array;
  outOfSample: Float64Array;
  rank: Float64Array;
}

export type PboMetric = 'sharpe' | 'mean';

const DEGENERATE_STD_RATIO = 1e-12;

/** The kernel's zero-variance rule on (mean, std). */
function sharpeOf(mean: number, std: number): number {
  if (std <= DEGENERATE_STD_RATIO * Math.abs(mean)) return mean > 0 ? Infinity : mean < 0 ? -Infinity : 0;
  return mean / std;
}

/** Scalar pboBlockSums: centre = column mean, per-block Σx and Σ(x − centre)². */
export function pboBlockSums(values: Float64Array, nBars: number, nStrategies: number, blocks: number): PboBlockSums {
  const bounds = new Int32Array(blocks + 1);
  for (let b = 0; b <= blocks; b++) bounds[b] = Math.floor((b * nBars) / blocks);
  const counts = Float64Array.from({ length: blocks }, (_, b) => bounds[b + 1]! - bounds[b]!);
  const centre = new Float64Array(nStrategies);
  const sum = new Float64Array(nStrategies * blocks);
  const squares = new Float64Array(nStrategies * blocks);
  for (let j = 0; j < nStrategies; j++) {
    let total = 0;
    for (let t = 0; t < nBars; t++) total += values[j * nBars + t]!;
    const c = total / nBars;
    centre[j] = c;
    for (let b = 0; b < blocks; b++) {
      let s = 0;
      let q = 0;
      for (let t = bounds[b]!; t < bounds[b + 1]!; t++) {
        const x = values[j * nBars + t]!;
        s += x;
        q += (x - c) ** 2;
      }
      sum[j * blocks + b] = s;
      squares[j * blocks + b] = q;
    }
  }
  return { nStrategies, blocks, bounds, counts, centre, sum, squares };
}

/** Scalar pboSplits over the same block sums (same formulas as the kernel). */
export function pboSplits(sums: PboBlockSums, masks: Int32Array, splitStart: number, splitEnd: number, metric: PboMetric = 'sharpe'): PboSplitResults {
  const { nStrategies, blocks } = sums;
  const count = splitEnd - splitStart;
  const out: PboSplitResults = {
    splitStart, splitEnd, selected: new Int32Array(count), inSample: new Float64Array(count), outOfSample: new Float64Array(count), rank: new Float64Array(count),
  };
  const perf = (s: number, q: number, n: number, c: number): number => {
    const mean = s / n;
    if (metric === 'mean') return mean;
    const variance = Math.max(0, (q - n * (mean - c) ** 2) / (n - 1));
    return sharpeOf(mean, Math.sqrt(variance));
  };
  for (let split = splitStart; split < splitEnd; split++) {
    const mask = masks[split]!;
    let inBars = 0;
    let outBars = 0;
    for (let b = 0; b < blocks; b++) {
      if ((mask >> b) & 1) inBars += sums.counts[b]!;
      else outBars += sums.counts[b]!;
    }
    const oos = new Float64Array(nStrategies);
    let best = -Infinity;
    let selected = -1;
    for (let j = 0; j < nStrategies; j++) {
      let inSum = 0; let inSq = 0; let outSum = 0; let outSq = 0;
      for (let b = 0; b < blocks; b++) {
        const s = sums.sum[j * blocks + b]!;
        const q = sums.squares[j * blocks + b]!;
        if ((mask >> b) & 1) { inSum += s; inSq += q; } else { outSum += s; outSq += q; }
      }
      const perfIn = perf(inSum, inSq, inBars, sums.centre[j]!);
      oos[j] = perf(outSum, outSq, outBars, sums.centre[j]!);
      if (selected < 0 || perfIn > best) { best = perfIn; selected = j; }
    }
    const target = oos[selected]!;
    let below = 0;
    let equal = 0;
    for (const v of oos) { if (v < target) below++; if (v === target) equal++; }
    const i = split - splitStart;
    out.selected[i] = selected;
    out.inSample[i] = best;
    out.outOfSample[i] = target;
    out.rank[i] = below + (equal + 1) / 2;
  }
  return out;
}

/** Result of bruteForcePbo. */
export interface BruteForcePbo {
  /** In-sample block index sets, in lexicographic order. */
  inSampleBlocks: number[][];
  selected: number[];
  inSample: number[];
  outOfSample: number[];
  ranks: number[];
  logits: number[];
  pbo: number;
}

/** Every k-subset of {0..n−1} in lexicographic order (recursive). */
function subsets(n: number, k: number, start = 0, prefix: number[] = []): number[][] {
  if (prefix.length === k) return [prefix];
  const result: number[][] = [];
  for (let i = start; i <= n - (k - prefix.length); i++) result.push(...subsets(n, k, i + 1, [...prefix, i]));
  return result;
}

/** Two-pass performance of raw returns (mean; std with ddof = 1). */
function rawPerformance(returns: number[], metric: PboMetric): number {
  const n = returns.length;
  const mean = returns.reduce((a, b) => a + b, 0) / n;
  if (metric === 'mean') return mean;
  const variance = returns.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return sharpeOf(mean, Math.sqrt(variance));
}

/**
 * CSCV by straightforward enumeration: for every IS block set, concatenate each strategy's IS and
 * OOS bars, recompute its performance from the raw returns, take the IS argmax (first among ties),
 * rank its OOS performance (1 = worst, ties at the mid-rank), ω̄ = rank/(N+1), λ = ln(ω̄/(1−ω̄)),
 * PBO = share of λ ≤ 0. No block sums, no bit masks.
 */
export function bruteForcePbo(values: Float64Array, nBars: number, nStrategies: number, blocks: number, metric: PboMetric = 'sharpe'): BruteForcePbo {
  const edges = Array.from({ length: blocks + 1 }, (_, b) => Math.floor((b * nBars) / blocks));
  const blockOf = (t: number): number => { let b = 0; while (t >= edges[b + 1]!) b++; return b; };
  const inSampleBlocks = subsets(blocks, blocks / 2);
  const result: BruteForcePbo = { inSampleBlocks, selected: [], inSample: [], outOfSample: [], ranks: [], logits: [], pbo: 0 };
  for (const chosen of inSampleBlocks) {
    const isIn = new Set(chosen);
    const perfIn: number[] = [];
    const perfOut: number[] = [];
    for (let j = 0; j < nStrategies; j++) {
      const inBars: number[] = [];
      const outBars: number[] = [];
      for (let t = 0; t < nBars; t++) (isIn.has(blockOf(t)) ? inBars : outBars).push(values[j * nBars + t]!);
      perfIn.push(rawPerformance(inBars, metric));
      perfOut.push(rawPerformance(outBars, metric));
    }
    let selected = 0;
    for (let j = 1; j < nStrategies; j++) if (perfIn[j]! > perfIn[selected]!) selected = j;
    const target = perfOut[selected]!;
    const rank = perfOut.filter((v) => v < target).length + (perfOut.filter((v) => v === target).length + 1) / 2;
    const omega = rank / (nStrategies + 1);
    const logit = Math.log(omega / (1 - omega));
    result.selected.push(selected);
    result.inSample.push(perfIn[selected]!);
    result.outOfSample.push(target);
    result.ranks.push(rank);
    result.logits.push(logit);
  }
  result.pbo = result.logits.filter((l) => l <= 0).length / result.logits.length;
  return result;
}
