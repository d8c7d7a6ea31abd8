// How a coordinator splits its strategies into worker tasks (analyze, regimes).
import type { StrategyJob } from '../engine/messages.ts';

/** Per-strategy work that does not grow with its changes (opening and decoding its file), in changes. */
const FIXED_ROWS_PER_STRATEGY = 2000;

/** A strategy job's work, in changes: its change count from the metadata scan (0 unknown) plus the fixed part. */
export function strategyJobWork(job: StrategyJob): number {
  return (job.rows ?? 0) + FIXED_ROWS_PER_STRATEGY;
}

/**
 * Splits `jobs` into batches of at most `batchSize`, in order, of about equal work. `weightOf` is a
 * job's work (default 1 each): job i goes to batch floor(count * (W_i + w_i / 2) / W), W_i the
 * weight before it, W the total, count the smallest multiple of `workers` with batches of at most
 * `batchSize` jobs (when there are enough jobs); a batch over `batchSize` jobs is then split. With
 * unit weights every worker gets the same share and none idles through the others' last batch
 * (2,000 jobs, 64, 2 workers: 32 batches of 62-63, not 31 of 64 and one of 16). With weights from
 * the change counts, a run whose strategies differ 100-fold in changes gets batches of equal rows
 * instead of one batch holding a third of the work (and a worker buffer sized for it).
 */
export function planBatches<T>(jobs: readonly T[], batchSize: number, workers: number, weightOf: (job: T) => number = () => 1): T[][] {
  if (jobs.length === 0) return [];
  const count = Math.min(jobs.length, Math.ceil(Math.ceil(jobs.length / batchSize) / workers) * workers);
  const weights = jobs.map((job) => Math.max(0, weightOf(job)) || 0);
  const total = weights.reduce((sum, w) => sum + w, 0);
  const groups: T[][] = Array.from({ length: count }, () => []);
  let before = 0;
  jobs.forEach((job, i) => {
    const w = weights[i]!;
    const at = total > 0 ? Math.floor((count * (before + w / 2)) / total) : Math.floor((count * (i + 0.5)) / jobs.length);
    groups[Math.min(count - 1, at)]!.push(job);
    before += w;
  });
  const batches: T[][] = [];
  for (const group of groups) {
    const parts = Math.ceil(group.length / batchSize);
    for (let p = 0; p < parts; p++) batches.push(group.slice(Math.floor((p * group.length) / parts), Math.floor(((p + 1) * group.length) / parts)));
  }
  return batches;
}
