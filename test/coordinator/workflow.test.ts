// The automated workflow on the ADMF-PC fixture workspaces (read-only; outputs to a temp dir), and
// its typed events.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AutomatedWorkflow, type WorkflowReport } from '../../src/coordinator/workflow.ts';
import { replayEnsemble, type SignalReplayConfig } from '../../src/coordinator/replay.ts';
import { InputError } from '../../src/errors.ts';
import { ADMF_FIXTURES, admfFixturesAvailable, SPY_1M, tempDir } from '../io/fixtures.ts';

const { dir: out, cleanup } = tempDir('sweeplens-workflow-');
afterAll(cleanup);

describe('AutomatedWorkflow', () => {
  it('validates criteria and options before touching the disk', () => {
    expect(() => new AutomatedWorkflow({ outDir: out, criteria: { maxSelection: 2 } as never })).toThrow(/criteria\.maxSelection is not a known field/);
    expect(() => new AutomatedWorkflow({ outDir: '' })).toThrow(InputError);
  });
});

if (admfFixturesAvailable()) {
  describe('AutomatedWorkflow on the ADMF-PC fixture workspaces', () => {
    it('runs from start to end and produces a non-empty report (fixtures untouched)', async () => {
      const workspace = join(ADMF_FIXTURES, 'workspaces');
      const workflow = new AutomatedWorkflow({
        // 1,000 one-minute SPY bars: no strategy with 3+ trades has a positive Sharpe after the default
        // 15 bps per trade, so the fixture run is priced without costs to exercise every step.
        outDir: out, workers: 0, admf: { market: SPY_1M, idxBase: 1 }, costs: { commissionRate: 0, slippageRate: 0 },
        criteria: { minSharpe: 0, minWinRate: null, maxDrawdown: null, minTrades: 3, maxCandidates: 8, maxSelections: 2, autoExecuteReplay: true },
      });
      const phases = new Set<string>();
      const ready: string[] = [];
      const analyzed: string[] = [];
      workflow.on('progress', (event) => phases.add(event.phase));
      workflow.on('run-analyzed', (event) => analyzed.push(event.runId));
      workflow.on('analysis-ready', (event) => ready.push(event.reportPath));
      const { report, reportPath } = await workflow.run(workspace);
      expect(ready).toEqual([reportPath]);
      expect([...phases]).toEqual(expect.arrayContaining(['analyze', 'regimes', 'select']));
      expect(report.scannedRuns).toBe(2);
      expect(analyzed).toHaveLength(2);
      expect(report.selections.length).toBeGreaterThan(0);
      expect(report.recommendations.length).toBeGreaterThan(0);
      expect(report.recommendations[0]).toMatch(/^Trade ensemble A/);
      const onDisk = JSON.parse(readFileSync(reportPath, 'utf8')) as WorkflowReport;
      expect(onDisk.selections.length).toBe(report.selections.length);
      // Replays went to the output folder; the configuration carries how to open the workspace.
      const config = JSON.parse(readFileSync(report.replayConfigurations[0]!, 'utf8')) as SignalReplayConfig;
      expect(config.admf).toEqual({ market: SPY_1M, idxBase: 1 });
      expect(report.replayResults![0]!.signalsPath!.startsWith(out)).toBe(true);
      for (const name of ['complete_strategy_grid_v1_12778120', 'expansive_grid_search_3790fbc3']) {
        expect(existsSync(join(workspace, name, 'summary'))).toBe(false);
        expect(existsSync(join(workspace, name, 'signals', 'combined'))).toBe(false);
      }
      // A replay of a read-only ADMF-PC workspace needs an output folder, and says so before writing.
      await expect(replayEnsemble(config)).rejects.toThrow(/ADMF-PC workspace read in place: give an output directory/);
      rmSync(join(out, 'replays'), { recursive: true, force: true });
    });
  });
}
