// A generated run for a benchmark: reuse the given folder when it exists, otherwise generate one in
// a temp folder that `cleanup` removes.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRun, type GenerateOptions } from '../src/coordinator/generate.ts';

/** A run ready to benchmark. */
export interface BenchRun {
  runDir: string;
  /** Generation time, ms; undefined when an existing run was reused. */
  generateMs: number | undefined;
  /** Removes the temp folder of a generated run (no-op for a reused or a named one). */
  cleanup: () => void;
}

/**
 * The run at `runDir` when it exists; otherwise generates `generate` into `runDir` (kept) or into a
 * new temp folder named after `prefix` (removed by cleanup).
 */
export function prepareBenchRun(prefix: string, generate: GenerateOptions, runDir?: string, log: (line: string) => void = () => {}): BenchRun {
  if (runDir && existsSync(runDir)) return { runDir, generateMs: undefined, cleanup: () => {} };
  const parent = runDir ? undefined : mkdtempSync(join(tmpdir(), `sweeplens-${prefix}-bench-`));
  const dir = runDir ?? join(parent!, 'run');
  log(`generating ${generate.strategies} strategies x ${generate.bars} bars into ${dir}`);
  const started = performance.now();
  generateRun(dir, generate);
  return { runDir: dir, generateMs: performance.now() - started, cleanup: parent ? () => rmSync(parent, { recursive: true, force: true }) : () => {} };
}
