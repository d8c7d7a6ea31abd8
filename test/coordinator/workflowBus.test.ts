// The README's embedding example (examples/analytics-service.ts) on a tiny generated workspace: an
// 'optimization-finished' event in, an 'analysis-ready' event with the report out.
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAnalyticsService } from '../../examples/analytics-service.ts';
import { generateRun, type AnalysisFailedEvent, type AnalysisReadyEvent } from '../../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'sweeplens-bus-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('examples/analytics-service.ts', () => {
  it('answers optimization-finished with analysis-ready (and analysis-failed for a bad workspace)', async () => {
    const workspace = join(root, 'sweep');
    generateRun(join(workspace, 'run_1'), { strategies: 20, classifiers: 1, bars: 2000, seed: 5 });
    generateRun(join(workspace, 'run_2'), { strategies: 20, classifiers: 1, bars: 2000, seed: 6 });
    const bus = new EventEmitter();
    const lines: string[] = [];
    const service = startAnalyticsService(bus, {
      reportsDir: join(root, 'reports'), criteria: { minSharpe: 0, minWinRate: null, maxDrawdown: null, minTrades: 3 }, log: (line) => lines.push(line),
    });
    const ready: AnalysisReadyEvent[] = [];
    const failed: AnalysisFailedEvent[] = [];
    bus.on('analysis-ready', (event: AnalysisReadyEvent) => ready.push(event));
    bus.on('analysis-failed', (event: AnalysisFailedEvent) => failed.push(event));
    bus.emit('optimization-finished', { workspace, correlationId: 'job-1' });
    bus.emit('optimization-finished', { workspace: join(root, 'missing'), correlationId: 'job-2' });
    await service.idle();
    service.close();
    expect(ready).toHaveLength(1);
    expect(ready[0]!.correlationId).toBe('job-1');
    expect(ready[0]!.reportPath).toBe(join(root, 'reports', 'sweep', 'workflow_report.json'));
    expect(existsSync(ready[0]!.reportPath)).toBe(true);
    expect(ready[0]!.report.scannedRuns).toBe(2);
    expect(ready[0]!.report.recommendations.length).toBeGreaterThan(0);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ correlationId: 'job-2' });
    expect(failed[0]!.error).toMatch(/no such workspace directory/);
    expect(lines[0]).toMatch(/^analysis ready for .*sweep: \d+ ensembles/);
    // After close() the service no longer answers.
    bus.emit('optimization-finished', { workspace });
    await service.idle();
    expect(ready).toHaveLength(1);
  });
});
