// The built bin (dist/src/cli/main.js), spawned as a user would run it. Needs `npm run build`
// (npm ci runs it through `prepare`).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = `${root}dist/src/cli/main.js`;

function run(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
}

describe('built sweeplens bin', () => {
  test('exists (run `npm run build` first)', () => {
    expect(existsSync(bin), `${bin} is missing: run npm run build`).toBe(true);
  });

  test('--version prints package.json\'s version (found from dist/src/cli)', () => {
    const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
    const result = run('--version');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(manifest.version);
  });

  test('metrics examples/returns.csv --json', () => {
    const result = run('metrics', 'examples/returns.csv', '--json');
    expect(result.status, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as { column: string; bars: number }[];
    expect(rows.map((row) => row.column)).toEqual(['momentum', 'mean_reversion', 'benchmark']);
    expect(rows.every((row) => row.bars === 126)).toBe(true);
  });

  test('bad input: one line on stderr, exit code 1, no stack trace', () => {
    const result = run('metrics', 'examples/returns.csv', '--columns', 'nope');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^sweeplens: examples\/returns\.csv: column 'nope' \(--columns\) not found; value columns are: momentum, mean_reversion, benchmark\n$/);
  });

  test('a missing file is one line too', () => {
    const result = run('metrics', 'examples/missing.csv');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('sweeplens: examples/missing.csv: no such file\n');
  });

  test('usage errors exit with 2', () => {
    const result = run('metrics');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("missing required argument 'file'");
  });
});
