import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

describe('package', () => {
  it('is an ESM package with a bin and a named-export map', () => {
    expect(pkg.name).toBe('sweeplens');
    expect(pkg.type).toBe('module');
    expect(pkg.bin.sweeplens).toBe('./dist/src/cli/main.js');
    expect(pkg.exports['.']).toEqual({ types: './dist/src/index.d.ts', import: './dist/src/index.js' });
  });

  it('pins every dependency to an exact version', () => {
    for (const deps of [pkg.dependencies, pkg.devDependencies]) {
      for (const [name, version] of Object.entries(deps as Record<string, string>)) {
        expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
      }
    }
  });

  it('has built the WASM kernels and the dist tree, with an executable bin (npx runs it directly)', () => {
    expect(existsSync(join(root, 'build/release.wasm'))).toBe(true);
    expect(existsSync(join(root, 'dist/src/index.js'))).toBe(true);
    const bin = join(root, pkg.bin.sweeplens);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    expect(statSync(bin).mode & 0o111, `${bin} is not executable`).not.toBe(0);
  });

  it('has no default exports in src/ or assembly/', () => {
    for (const file of [...tsFiles('src'), ...tsFiles('assembly')]) {
      expect(readFileSync(join(root, file), 'utf8'), file).not.toMatch(/export default/);
    }
  });

  it('exports the API the README shows embedders', async () => {
    const api = await import('../src/index.ts');
    for (const name of [
      'seriesMetrics', 'buildDenseMarket', 'denseStrategyMetrics', 'defaultExecutionCosts', 'AnalyticsCoordinator', 'analyzeRun',
      'EnginePool', 'analyzeRegimes', 'correlateRun', 'optimizeRun', 'overfitRun', 'walkForward', 'mineRun', 'replayEnsemble',
      'buildReport', 'runDemoPipeline', 'connectWorkflowToBus', 'AutomatedWorkflow', 'generateRun', 'scanRun', 'openRun',
    ]) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
