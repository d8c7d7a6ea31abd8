// Locating the ADMF-PC fixtures (../shared/fixtures/admf-pc, never copied into the repo).
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { fixtureFolder } from '../helpers/fixturePaths.ts';

/** Root of the ADMF-PC fixtures: $SWEEPLENS_FIXTURES/admf-pc or ../shared/fixtures/admf-pc beside the repo. */
export const ADMF_FIXTURES = fixtureFolder('admf-pc');
export const SPY_1M = join(ADMF_FIXTURES, 'data/SPY_1m.parquet');
export const SPY_5M_CSV = join(ADMF_FIXTURES, 'data/SPY_5m.csv');
export const GRID_12778120 = join(ADMF_FIXTURES, 'workspaces/complete_strategy_grid_v1_12778120');
export const GRID_3790FBC3 = join(ADMF_FIXTURES, 'workspaces/expansive_grid_search_3790fbc3');

/**
 * True when the fixtures are present. When they are missing: under CI=true a test registered here
 * fails (so CI never silently skips them); otherwise the reason is printed and callers skip.
 */
export function admfFixturesAvailable(): boolean {
  if (existsSync(SPY_1M) && existsSync(GRID_12778120) && existsSync(GRID_3790FBC3)) return true;
  const reason = `ADMF-PC fixtures not found at ${ADMF_FIXTURES} (set SWEEPLENS_FIXTURES to the folder holding admf-pc/)`;
  if (process.env.CI === 'true') {
    it('has the ADMF-PC fixtures (required when CI=true)', () => {
      throw new Error(reason);
    });
  } else {
    console.warn(`skipping ADMF-PC fixture tests: ${reason}`);
  }
  return false;
}

/** A fresh temp directory; remove it with cleanup(). */
export function tempDir(prefix = 'sweeplens-io-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
