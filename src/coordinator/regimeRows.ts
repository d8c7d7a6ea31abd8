// What `regimes` keeps of the per-regime metrics while the strategies are computed: the long table's
// columns, the separation sums of each classifier, and the JSON entries of the top strategies. The
// outcomes themselves (one PerformanceMetrics object per strategy x classifier x regime: ~700,000
// objects, ~2 GB of heap on a 10,000-strategy, 20-classifier run) are dropped batch by batch.
import { SeparationAccumulator, type SeparationScore } from '../analytics/regimeMetrics.ts';
import type { RegimeOutcome } from '../engine/messages.ts';
import type { ResultColumn } from '../io/resultTables.ts';
import type { PerformanceMetrics } from '../types.ts';
import type { RegimePerformanceFile } from './outputs.ts';
import { RANKING_METRIC_COLUMNS } from './rankingsFile.ts';

/** Collects regime outcomes in job order (see the file comment). */
export class RegimeRows {
  readonly strategies: RegimePerformanceFile['strategies'] = {};
  readonly denseFallbacks: RegimePerformanceFile['denseFallbacks'] = [];
  readonly failures: RegimePerformanceFile['failures'] = [];
  /** Strategies collected, failed ones included. */
  count = 0;
  private readonly separations: SeparationAccumulator[];
  private readonly strategyColumn: string[] = [];
  private readonly classifierColumn: string[] = [];
  private readonly regimeColumn: string[] = [];
  // (plain arrays of doubles: V8 stores them unboxed, 8 bytes a value)
  private readonly metricColumns: number[][] = RANKING_METRIC_COLUMNS.map(() => []);
  /** Batches that arrived before the ones ahead of them (job order keeps the table deterministic). */
  private readonly waiting = new Map<number, readonly RegimeOutcome[]>();
  private next = 0;

  /**
   * `classifierIds` in the order of the outcomes' entries; `jsonIds` the strategies whose
   * entries go into regime_performance.json; `minRegimeBars` as classifierSeparation's.
   */
  constructor(private readonly classifierIds: readonly string[], private readonly jsonIds: ReadonlySet<string>, minRegimeBars: number) {
    this.separations = classifierIds.map(() => new SeparationAccumulator(minRegimeBars));
  }

  /** Batch `at` (0, 1, 2, ... in job order) has finished: collected now, or once every batch before it is. */
  addBatch(at: number, outcomes: readonly RegimeOutcome[]): void {
    this.waiting.set(at, outcomes);
    for (let ready = this.waiting.get(this.next); ready; ready = this.waiting.get(this.next)) {
      this.waiting.delete(this.next++);
      for (const outcome of ready) this.add(outcome);
    }
  }

  /** One outcome, in job order. */
  add(outcome: RegimeOutcome): void {
    this.count++;
    if (!outcome.ok) {
      this.failures.push({ id: outcome.id, error: outcome.error });
      return;
    }
    if (outcome.path === 'dense') this.denseFallbacks.push({ id: outcome.id, reason: outcome.fallbackReason ?? '' });
    const byClassifier: Record<string, Record<string, PerformanceMetrics>> = {};
    outcome.entries.forEach((entries, c) => {
      const classifierId = this.classifierIds[c]!;
      this.separations[c]!.add(entries);
      const byRegime: Record<string, PerformanceMetrics> = {};
      for (const entry of entries) {
        byRegime[entry.regime] = entry.metrics;
        this.strategyColumn.push(outcome.id);
        this.classifierColumn.push(classifierId);
        this.regimeColumn.push(entry.regime);
        const metrics = entry.metrics as unknown as Record<string, number | null | undefined>;
        RANKING_METRIC_COLUMNS.forEach((metric, m) => this.metricColumns[m]!.push(metrics[metric] ?? NaN));
      }
      byClassifier[classifierId] = byRegime;
    });
    if (this.jsonIds.has(outcome.id)) this.strategies[outcome.id] = byClassifier;
  }

  /** Rows of the long table so far. */
  get rows(): number {
    return this.strategyColumn.length;
  }

  /** The long table's columns: strategy, classifier, regime, then the rankings' metric columns. */
  columns(): Record<string, ResultColumn> {
    const columns: Record<string, ResultColumn> = { strategy: this.strategyColumn, classifier: this.classifierColumn, regime: this.regimeColumn };
    RANKING_METRIC_COLUMNS.forEach((metric, m) => { columns[metric] = Float64Array.from(this.metricColumns[m]!); });
    return columns;
  }

  /** Classifier c's separation over the strategies collected. */
  separation(c: number): SeparationScore {
    return this.separations[c]!.result();
  }
}
