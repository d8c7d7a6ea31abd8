// An in-process analytics service: it listens for "optimization finished" events on an event bus,
// runs sweeplens's automated workflow on the finished workspace, and publishes "analysis ready"
// with the report (or "analysis failed"). Run it: `npx tsx examples/analytics-service.ts`.
// test/coordinator/workflowBus.test.ts imports startAnalyticsService and runs it on a tiny workspace.
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  connectWorkflowToBus, generateRun,
  type AnalysisFailedEvent, type AnalysisReadyEvent, type SelectionCriteriaInput, type WorkflowSubscription,
} from '../src/index.ts';

/** Options of the service. */
export interface AnalyticsServiceOptions {
  /** Parent folder of the reports: one sub-folder per workspace. */
  reportsDir: string;
  /** Selection criteria applied to every workspace (an event may carry its own). */
  criteria?: SelectionCriteriaInput;
  /** Called with each published answer (e.g. to log it). */
  log?: (line: string) => void;
}

/**
 * Subscribes the automated workflow to `bus`: every 'optimization-finished' {workspace} is answered
 * by 'analysis-ready' {workspace, reportPath, report} or 'analysis-failed' {workspace, error}.
 * Works with a plain node:events EventEmitter (or createWorkflowBus() for typed events).
 */
export function startAnalyticsService(bus: EventEmitter, options: AnalyticsServiceOptions): WorkflowSubscription {
  const log = options.log ?? ((line: string) => console.log(line));
  bus.on('analysis-ready', (event: AnalysisReadyEvent) => {
    log(`analysis ready for ${event.workspace}: ${event.report.selections.length} ensembles, report ${event.reportPath}`);
    for (const recommendation of event.report.recommendations) log(`  ${recommendation}`);
  });
  bus.on('analysis-failed', (event: AnalysisFailedEvent) => log(`analysis failed for ${event.workspace}: ${event.error}`));
  return connectWorkflowToBus(bus, { outDir: options.reportsDir, workers: 0, ...(options.criteria ? { criteria: options.criteria } : {}) });
}

/** Demo: a sweep "finishes" (a generated workspace of two runs) and the service answers. */
async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'sweeplens-service-'));
  const workspace = join(root, 'sweep');
  generateRun(join(workspace, 'run_1'), { strategies: 30, classifiers: 2, bars: 3000, seed: 1 });
  generateRun(join(workspace, 'run_2'), { strategies: 30, classifiers: 2, bars: 3000, seed: 2 });
  const bus = new EventEmitter();
  const service = startAnalyticsService(bus, { reportsDir: join(root, 'reports'), criteria: { minSharpe: 0, minWinRate: null, maxDrawdown: null, minTrades: 5 } });
  bus.emit('optimization-finished', { workspace, correlationId: 'sweep-1' });
  await service.idle();
  service.close();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
