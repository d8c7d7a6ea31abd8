import { EventEmitter } from 'node:events';
import type { PerformanceMetrics } from '../types.ts';

/** Progress of a long task: `done` of `total` units (strategies, splits...), with a phase name. */
export interface ProgressEvent {
  phase: string;
  done: number;
  total: number;
  /** Milliseconds since the task started. */
  elapsedMs: number;
}

/** One strategy finished (computed now or taken from its cache). */
export interface StrategyDoneEvent {
  id: string;
  cached: boolean;
  metrics: PerformanceMetrics | null;
  error?: string;
}

/** Events of an analysis, for embedders: `analyzer.on('analysis-ready', ...)`. */
export interface AnalysisEvents {
  progress: [ProgressEvent];
  'strategy-done': [StrategyDoneEvent];
  'analysis-ready': [{ runDir: string; summaryPath: string; rankingsPath: string }];
  warning: [string];
}

/** A typed EventEmitter: `emit` and `on` only accept the event names and payloads of `Events`. */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly emitter = new EventEmitter();

  on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  emit<K extends keyof Events & string>(event: K, ...args: Events[K]): boolean {
    return this.emitter.emit(event, ...args);
  }
}
