// The effective number of independent trials N_eff behind a set of correlated strategies, for the
// DSR's expected maximum Sharpe ratio. Two estimators are offered:
//
//  1. averageCorrelationTrials: N_eff = ρ̄ + (1 − ρ̄)·N, ρ̄ the average pairwise correlation
//     (N_eff = N for uncorrelated trials, 1 for perfectly correlated ones; the interpolation used in
//     the DSR literature, e.g. Bailey & López de Prado 2014, section on the number of trials).
//  2. clusterTrials: the number of clusters of an average-linkage hierarchical clustering on the
//     correlation distance d = √(½(1 − ρ)) cut at a distance threshold (López de Prado, "Advances in
//     Financial Machine Learning" 2018 §16.4 for the distance; clustering trials into independent
//     families as in López de Prado & Lewis 2019, "Detection of false investment strategies using
//     unsupervised learning methods").
// Both take an N×N correlation matrix, e.g. correlationMatrix(...).values of ../correlation.ts.
import { InputError } from '../../errors.ts';

/** Default cut of the clustering: distance 0.5, i.e. a correlation of 0.5 between two strategies. */
export const DEFAULT_CLUSTER_DISTANCE = 0.5;

function checkSquare(correlation: Float64Array, n: number): void {
  if (correlation.length !== n * n) throw new InputError(`correlation matrix has ${correlation.length} entries, expected ${n} x ${n}`);
}

/** An undefined correlation (NaN: a constant strategy, too few common bars) counts as 0, uncorrelated. */
function definedOrZero(rho: number): number {
  return Number.isNaN(rho) ? 0 : rho;
}

/** Mean of the off-diagonal entries of an N×N correlation matrix, NaN entries as 0 (NaN for N < 2). */
export function averageCorrelation(correlation: Float64Array, n: number): number {
  checkSquare(correlation, n);
  if (n < 2) return NaN;
  let sum = 0;
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b) sum += definedOrZero(correlation[a * n + b]!);
  return sum / (n * (n - 1));
}

/**
 * N_eff = ρ̄ + (1 − ρ̄)·N with ρ̄ clamped to [0, 1] (negative average correlation does not create more
 * independent trials than there are). N = 1 -> 1.
 */
export function averageCorrelationTrials(averageRho: number, trials: number): number {
  if (!(trials >= 1)) throw new InputError(`trials must be >= 1, got ${trials}`);
  if (trials === 1) return 1;
  if (Number.isNaN(averageRho)) throw new InputError('average correlation is NaN');
  const rho = Math.min(1, Math.max(0, averageRho));
  return rho + (1 - rho) * trials;
}

/** Result of clusterStrategies. */
export interface StrategyClusters {
  /** Cluster label of each strategy, 0..clusterCount-1 in order of first appearance. */
  labels: Int32Array;
  /** Number of clusters (the effective number of trials). */
  clusterCount: number;
}

/**
 * Average-linkage (UPGMA) hierarchical clustering of strategies on the correlation distance
 * d(a, b) = √(½(1 − ρ_ab)) (0 for ρ = 1, √½ for ρ = 0, 1 for ρ = −1), cut at `distanceThreshold`:
 * two clusters are merged while their average pairwise distance is ≤ the threshold. Computed with
 * the nearest-neighbour-chain algorithm and Lance–Williams updates, O(N²) time and N² memory
 * (exact for average linkage, which is reducible, so the cut is the same as the greedy algorithm's).
 *
 * @param correlation N×N correlation matrix, row-major (NaN entries count as 0)
 * @param distanceThreshold cut height in [0, 1]; default 0.5 (a correlation of 0.5)
 */
export function clusterStrategies(correlation: Float64Array, n: number, distanceThreshold = DEFAULT_CLUSTER_DISTANCE): StrategyClusters {
  checkSquare(correlation, n);
  if (!(distanceThreshold >= 0)) throw new InputError(`distanceThreshold must be >= 0, got ${distanceThreshold}`);
  const distance = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) distance[i] = Math.sqrt(Math.max(0, 0.5 * (1 - definedOrZero(correlation[i]!))));
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) { parent[i] = parent[parent[i]!]!; i = parent[i]!; }
    return i;
  };
  const chain: number[] = [];
  let remaining = n;
  let nextStart = 0;
  while (remaining > 1) {
    if (chain.length === 0) {
      while (!active[nextStart]) nextStart++;
      chain.push(nextStart);
    }
    const a = chain[chain.length - 1]!;
    const previous = chain.length >= 2 ? chain[chain.length - 2]! : -1;
    // Nearest active neighbour of a; the previous chain element wins ties, which guarantees progress.
    let nearest = previous;
    let nearestDistance = previous >= 0 ? distance[a * n + previous]! : Infinity;
    for (let k = 0; k < n; k++) {
      if (k === a || !active[k]) continue;
      const d = distance[a * n + k]!;
      if (d < nearestDistance) { nearestDistance = d; nearest = k; }
    }
    if (nearest !== previous) { chain.push(nearest); continue; }
    chain.pop();
    chain.pop();
    const b = nearest;
    if (nearestDistance <= distanceThreshold) parent[find(b)] = find(a);
    // Merge b into slot a (slot a keeps containing leaf a); Lance–Williams average update.
    const sizeA = size[a]!;
    const sizeB = size[b]!;
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a || k === b) continue;
      const d = (sizeA * distance[a * n + k]! + sizeB * distance[b * n + k]!) / (sizeA + sizeB);
      distance[a * n + k] = d;
      distance[k * n + a] = d;
    }
    size[a] = sizeA + sizeB;
    active[b] = 0;
    remaining--;
  }
  const labels = new Int32Array(n);
  const labelOfRoot = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    let label = labelOfRoot.get(root);
    if (label === undefined) { label = labelOfRoot.size; labelOfRoot.set(root, label); }
    labels[i] = label;
  }
  return { labels, clusterCount: labelOfRoot.size };
}
