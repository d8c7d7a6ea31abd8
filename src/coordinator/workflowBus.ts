// Event bus integration (the seed's "Integration Points"): subscribe the automated workflow to
// "optimization finished" events and publish "analysis ready" (or "analysis failed") events.
import type { SelectionCriteriaInput } from '../analytics/selection.ts';
import { TypedEmitter } from './events.ts';
import { AutomatedWorkflow, type WorkflowOptions, type WorkflowReport } from './workflow.ts';

/** Published by the sweep engine when a parameter sweep has written its workspace. */
export interface OptimizationFinishedEvent {
  /** Workspace folder (a folder of runs, or one run). */
  workspace: string;
  /** Where the report goes; default `<defaults.outDir>/<workspace folder name>`. */
  outDir?: string;
  /** Criteria for this workspace; default the service's. */
  criteria?: SelectionCriteriaInput;
  /** Anything the publisher wants echoed back in the answer (e.g. a job id). */
  correlationId?: string;
}

/** Published when the workflow report of a workspace is written. */
export interface AnalysisReadyEvent {
  workspace: string;
  reportPath: string;
  report: WorkflowReport;
  correlationId?: string;
}

/** Published when the workflow of a workspace failed. */
export interface AnalysisFailedEvent {
  workspace: string;
  error: string;
  correlationId?: string;
}

/** The events on the bus: one in, two out. */
export interface WorkflowBusEvents {
  'optimization-finished': [OptimizationFinishedEvent];
  'analysis-ready': [AnalysisReadyEvent];
  'analysis-failed': [AnalysisFailedEvent];
}

/** Any emitter with these events: a TypedEmitter<WorkflowBusEvents>, or a plain node:events EventEmitter. */
export interface WorkflowBus {
  on(event: 'optimization-finished', listener: (event: OptimizationFinishedEvent) => void): unknown;
  off(event: 'optimization-finished', listener: (event: OptimizationFinishedEvent) => void): unknown;
  emit(event: 'analysis-ready', payload: AnalysisReadyEvent): unknown;
  emit(event: 'analysis-failed', payload: AnalysisFailedEvent): unknown;
}

/** A typed in-process bus (EventEmitter-backed). */
export function createWorkflowBus(): TypedEmitter<WorkflowBusEvents> {
  return new TypedEmitter<WorkflowBusEvents>();
}

/** A subscription returned by connectWorkflowToBus. */
export interface WorkflowSubscription {
  /** Stops listening (workflows already running finish and still publish). */
  close(): void;
  /** Resolves when every workflow started so far has published its answer. */
  idle(): Promise<void>;
}

/**
 * Runs the automated workflow for every 'optimization-finished' event on `bus` (one at a time, in
 * arrival order, so two sweeps never compete for the cores) and publishes 'analysis-ready' with the
 * report, or 'analysis-failed' with the error message. `defaults.outDir` is the parent folder of
 * the reports; an event's outDir or criteria replace the defaults for that workspace.
 */
export function connectWorkflowToBus(bus: WorkflowBus, defaults: WorkflowOptions): WorkflowSubscription {
  let queue: Promise<void> = Promise.resolve();
  const listener = (event: OptimizationFinishedEvent): void => {
    queue = queue.then(async () => {
      const extra = event.correlationId !== undefined ? { correlationId: event.correlationId } : {};
      try {
        const name = event.workspace.split(/[\\/]/).filter(Boolean).pop() ?? 'workspace';
        const options: WorkflowOptions = { ...defaults, outDir: event.outDir ?? `${defaults.outDir}/${name}` };
        if (event.criteria) options.criteria = event.criteria;
        const { report, reportPath } = await new AutomatedWorkflow(options).run(event.workspace);
        bus.emit('analysis-ready', { workspace: event.workspace, reportPath, report, ...extra });
      } catch (error) {
        bus.emit('analysis-failed', { workspace: event.workspace, error: (error as Error).message, ...extra });
      }
    });
  };
  bus.on('optimization-finished', listener);
  return {
    close: () => { bus.off('optimization-finished', listener); },
    idle: () => queue,
  };
}
