// Regime grouping of the automated workflow (src/coordinator/workflow.ts): per candidate unit (run,
// symbol), the strategy x classifier combinations after the regime criteria, and one candidate
// ensemble per (unit, classifier) after the correlation filter.
import { correlationMatrix, correlationFilter } from '../analytics/correlation.ts';
import { forwardFillStates, returnRegimes, returnsByRegime } from '../analytics/replay.ts';
import { returnMatrixFromColumns } from '../analytics/returnMatrix.ts';
import { seriesMetrics } from '../analytics/seriesMetrics.ts';
import { regimeRejection, type SelectionCriteria } from '../analytics/selection.ts';
import type { RunHandle } from '../io/runHandle.ts';
import type { RankedStrategyRow } from './rankings.ts';
import type { CombinationRow, WorkflowRunEntry } from './workflow.ts';

/** One (run, symbol) whose candidates go on to the regime analysis. */
export interface CandidateUnit {
  entry: WorkflowRunEntry;
  run: RunHandle;
  symbol: string;
  rows: RankedStrategyRow[];
  periodsPerYear: number;
  net: Float64Array[];
}

/** One (unit, classifier) group: the ensemble it would make. */
export interface Group {
  unit: CandidateUnit;
  classifier: string | null;
  labels: string[];
  regimeOfReturn: Int32Array | null;
  /** Candidate indices into unit.rows, best combination first, after the correlation filter. */
  kept: number[];
  scores: Map<number, number | null>;
  score: number | null;
}

/** Sharpe (annualized, ddof 1) of a full-length series (seriesMetrics' definition); null when undefined. */
function seriesSharpe(values: Float64Array, periodsPerYear: number): number | null {
  return seriesMetrics(values, { periodsPerYear }).sharpeRatio;
}

/** The (unit, classifier) groups of one unit, and its combination rows. */
export async function unitGroups(
  criteria: SelectionCriteria, unit: CandidateUnit, combinations: CombinationRow[], warn: (message: string) => void,
): Promise<Group[]> {
  const { run, rows, net, periodsPerYear } = unit;
  const matrix = returnMatrixFromColumns(rows.map((r) => r.id), net);
  const corr = correlationMatrix(matrix);
  const classifiers = criteria.classifier !== null ? [criteria.classifier] : run.classifierIds();
  if (criteria.classifier !== null && !run.classifierIds().includes(criteria.classifier)) {
    warn(`run ${unit.entry.id}: no classifier '${criteria.classifier}' (criteria.classifier); run skipped`);
    return [];
  }
  const needsRegimes = criteria.requiredRegimes.length > 0 || criteria.targetRegimes !== null || Object.keys(criteria.minRegimePerformance).length > 0;
  const options: (string | null)[] = classifiers.length > 0 ? classifiers : needsRegimes ? [] : [null];
  const groups: Group[] = [];
  for (const classifier of options) {
    let labels: string[] = [];
    let regimeOfReturn: Int32Array | null = null;
    if (classifier !== null) {
      if (run.regimeLocator(classifier).symbol !== unit.symbol) continue;
      const trace = await run.readRegimes(classifier);
      labels = trace.labels;
      const wanted = [...criteria.requiredRegimes, ...(criteria.targetRegimes ?? [])];
      if (wanted.some((label) => !labels.includes(label))) continue;
      regimeOfReturn = returnRegimes(forwardFillStates(trace, net[0]!.length));
    }
    const scores = new Map<number, number | null>();
    const eligible: number[] = [];
    rows.forEach((row, j) => {
      const series = net[j]!;
      const perRegime = regimeOfReturn ? returnsByRegime(series, regimeOfReturn, labels, periodsPerYear) : {};
      const regimeSharpe: Record<string, number | null> = {};
      for (const [label, stats] of Object.entries(perRegime)) regimeSharpe[label] = stats.sharpeRatio;
      if (regimeRejection(regimeSharpe, criteria) !== null) return;
      // Score: net Sharpe of the strategy traded only in the regimes it would trade (the target
      // regimes, else those where its in-sample regime Sharpe is > 0), flat elsewhere.
      let score = row.sharpeRatio;
      if (regimeOfReturn) {
        const traded = new Set((criteria.targetRegimes ?? labels.filter((l) => (regimeSharpe[l] ?? 0) > 0)).map((l) => labels.indexOf(l)));
        const gated = series.map((value, t) => (traded.has(regimeOfReturn![t]!) ? value : 0));
        score = seriesSharpe(gated, periodsPerYear);
      }
      scores.set(j, score);
      eligible.push(j);
      combinations.push({ runId: unit.entry.id, strategy: row.id, classifier, score, sharpeRatio: row.sharpeRatio, regimeSharpe });
    });
    if (eligible.length === 0) continue;
    eligible.sort((a, b) => (scores.get(b) ?? -Infinity) - (scores.get(a) ?? -Infinity) || a - b);
    const keptIds = correlationFilter(eligible.map((j) => rows[j]!.id), corr, criteria.maxCorrelation);
    const kept = keptIds.map((id) => rows.findIndex((r) => r.id === id));
    const top = kept.slice(0, criteria.optimizer.maxStrategies).map((j) => scores.get(j)).filter((s): s is number => typeof s === 'number');
    const score = top.length > 0 ? top.reduce((a, b) => a + b, 0) / top.length : null;
    groups.push({ unit, classifier, labels, regimeOfReturn, kept, scores, score });
  }
  return groups;
}
