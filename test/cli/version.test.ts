// `sweeplens --version` (in-process, from the TypeScript sources; test/cli/bin.test.ts checks the built bin).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sweeplens } from './runCli.ts';

describe('sweeplens --version', () => {
  it('prints the version of package.json and exits 0', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = await sweeplens(flag);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe(manifest.version);
    }
  });
});
