// The automated workflow's footers-only prefilter of a run (src/coordinator/workflow.ts): strategies
// present, and the best cached net Sharpe (same costs and conventions) against criteria.minSharpe.
import { defaultExecutionCosts } from '../analytics/metricOptions.ts';
import type { SelectionCriteria } from '../analytics/selection.ts';
import { CONVENTIONS_VERSION } from '../constants.ts';
import { scanRun, type RunEntry } from '../io/workspace.ts';
import type { ExecutionCosts } from '../types.ts';
import type { WorkflowOptions } from './workflow.ts';

function sameCosts(a: ExecutionCosts, b: ExecutionCosts): boolean {
  return JSON.stringify(a) === JSON.stringify(defaultExecutionCosts(b));
}

/** Footers-only check before analyzing: strategies present; best cached Sharpe (same costs) vs minSharpe. */
export function prefilterRun(
  criteria: SelectionCriteria, options: WorkflowOptions, entry: RunEntry, costs: ExecutionCosts,
): { strategies: number; reason: string | null } {
  const scan = scanRun(entry.dir);
  const strategies = scan.strategies.length;
  if (strategies === 0) return { strategies, reason: 'no strategies' };
  const minSharpe = criteria.minSharpe;
  if (minSharpe === null) return { strategies, reason: null };
  let best = -Infinity;
  for (const info of scan.strategies) {
    const cached = info.metrics;
    const value = cached?.values.sharpeRatio;
    const comparable = cached && cached.conventions === CONVENTIONS_VERSION && sameCosts(costs, cached.costs)
      && (options.periodsPerYear === undefined || options.periodsPerYear === cached.periodsPerYear);
    if (!comparable) return { strategies, reason: null };
    if (typeof value === 'number' && value > best) best = value;
  }
  return { strategies, reason: best < minSharpe ? `best cached net Sharpe ${best === -Infinity ? 'n/a' : best.toFixed(3)} < minSharpe ${minSharpe} (footers only; not analyzed)` : null };
}

