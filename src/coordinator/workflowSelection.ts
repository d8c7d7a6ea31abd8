// One selection of the automated workflow (src/coordinator/workflow.ts): per-regime ensemble weights
// of a group, its replay configuration, and the in-sample (or executed) replay.
import { join } from 'node:path';
import { optimizeByRegime, type RegimeEnsembleResult } from '../analytics/ensemble.ts';
import type { EnsembleWeights } from '../analytics/replay.ts';
import { returnMatrixFromColumns } from '../analytics/returnMatrix.ts';
import type { SelectionCriteria } from '../analytics/selection.ts';
import { InputError } from '../errors.ts';
import { writeJsonAtomic } from '../io/atomicWrite.ts';
import type { ExecutionCosts } from '../types.ts';
import { REPLAY_CONFIG_VERSION, replayEnsemble, type ReplayResult, type SignalReplayConfig } from './replay.ts';
import type { WorkflowOptions, WorkflowSelection } from './workflow.ts';
import type { Group } from './workflowGroups.ts';

const WEIGHT_EPSILON = 1e-12;

/** Optimizes one group's weights, writes its replay configuration, evaluates (or executes) the replay. */
export async function buildSelection(
  criteria: SelectionCriteria, options: WorkflowOptions, group: Group, name: string, costs: ExecutionCosts, outDir: string,
): Promise<{ selection: WorkflowSelection; replay: ReplayResult | null }> {
  const { unit, kept } = group;
  const o = criteria.optimizer;
  if (kept.length * o.maxWeight < 1 - 1e-12) {
    throw new InputError(`only ${kept.length} strategies left after the correlation filter; optimizer.maxWeight ${o.maxWeight} x ${kept.length} < 1`);
  }
  const ids = kept.map((j) => unit.rows[j]!.id);
  const matrix = returnMatrixFromColumns(ids, kept.map((j) => unit.net[j]!));
  const codes = group.regimeOfReturn ? Int32Array.from(group.regimeOfReturn) : new Int32Array(matrix.bars).fill(-1);
  if (criteria.targetRegimes) {
    const targets = new Set(criteria.targetRegimes.map((l) => group.labels.indexOf(l)));
    for (let t = 0; t < codes.length; t++) if (!targets.has(codes[t]!)) codes[t] = -1;
  }
  const optimizerOptions = { objective: o.objective, minWeight: o.minWeight, maxWeight: o.maxWeight, maxStrategies: o.maxStrategies, periodsPerYear: unit.periodsPerYear, labels: group.labels };
  const result: RegimeEnsembleResult = optimizeByRegime(matrix, codes, optimizerOptions);
  const toRecord = (weights: Float64Array): Record<string, number> => {
    const record: Record<string, number> = {};
    weights.forEach((w, i) => { if (w > WEIGHT_EPSILON) record[ids[i]!] = w; });
    return record;
  };
  const weights: EnsembleWeights = {};
  const globalWeights = toRecord(result.global.weights);
  const skippedRegimes: Record<string, string> = {};
  const regimeWeights: Record<string, Record<string, number>> = {};
  for (const [label, entry] of Object.entries(result.regimes)) {
    if (entry.result) regimeWeights[label] = toRecord(entry.result.weights);
    else {
      skippedRegimes[label] = entry.skippedReason ?? 'skipped';
      if (criteria.targetRegimes) regimeWeights[label] = globalWeights; // a target regime must trade: the (target-only) global weights
    }
  }
  if (!criteria.targetRegimes) weights.global = globalWeights;
  if (group.classifier !== null && Object.keys(regimeWeights).length > 0) weights.regimes = regimeWeights;
  const used = new Set<string>([...Object.keys(weights.global ?? {}), ...Object.values(weights.regimes ?? {}).flatMap((r) => Object.keys(r))]);
  const strategies = ids.filter((id) => used.has(id));
  const bars = matrix.bars;
  const tsMs = await unit.run.readBarTimes(unit.symbol);
  const config: SignalReplayConfig = {
    version: REPLAY_CONFIG_VERSION, name, runDir: unit.entry.dir,
    ...(unit.run.format === 'admf-pc' && options.admf ? { admf: options.admf } : {}),
    symbol: unit.symbol, strategies, ...(group.classifier !== null ? { classifier: group.classifier } : {}), weights, costs,
    periodsPerYear: unit.periodsPerYear, riskFreeRate: 0,
    fittedRange: { fromIdx: 0, toIdx: bars, firstTs: new Date(tsMs[0]!).toISOString(), lastTs: new Date(tsMs[bars - 1]!).toISOString() },
  };
  const configPath = join(outDir, 'replay_configs', `ensemble_${name}.json`);
  const execute = criteria.autoExecuteReplay;
  const replay = await replayEnsemble(config, execute ? { outDir: join(outDir, 'replays', `ensemble_${name}`) } : { write: false });
  writeJsonAtomic(configPath, config);
  const selection: WorkflowSelection = {
    name, runId: unit.entry.id, runDir: unit.entry.dir, symbol: unit.symbol, classifier: group.classifier,
    tradedRegimes: criteria.targetRegimes, score: group.score, strategies, weights, skippedRegimes,
    inSample: { metrics: replay.metrics, perRegime: replay.perRegime, bars, firstTs: config.fittedRange!.firstTs ?? null, lastTs: config.fittedRange!.lastTs ?? null },
    configPath, replay: execute ? { signalsPath: replay.signalsPath, resultPath: replay.resultPath } : null,
  };
  return { selection, replay: execute ? replay : null };
}
