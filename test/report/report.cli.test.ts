// `sweeplens report`: the no-analysis message, --analyze, and the written file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/coordinator/report.ts';
import { MissingAnalysisError } from '../../src/report/inputs.ts';
import { expectOneLineError, sweeplens } from '../cli/runCli.ts';
import { analyzedRun } from './fixtures.ts';

describe('sweeplens report', () => {
  it('tells the user to run `sweeplens analyze` first when the run has no analysis', async () => {
    const dir = await analyzedRun('no-analysis', { strategies: 6, classifiers: 1, bars: 300, analyze: false });
    const run = await sweeplens('report', dir);
    expect(expectOneLineError(run)).toBe(`sweeplens: ${dir}: no analysis yet: run \`sweeplens analyze ${dir}\` first (or pass --analyze)`);
    await expect(buildReport(dir)).rejects.toThrow(MissingAnalysisError);
    await expect(buildReport(dir)).rejects.toMatchObject({ code: 'E_NO_ANALYSIS' });
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
  });

  it('--analyze runs the analysis first, then writes one self-contained HTML file', async () => {
    const dir = await analyzedRun('analyze-flag', { strategies: 12, classifiers: 2, bars: 600, analyze: false });
    const out = join(dir, '..', 'dashboard.html');
    const run = await sweeplens('report', dir, '--analyze', '--workers', '0', '--quiet', '--out', out, '--top', '3');
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^analyzed .* first \(--analyze\)\nwrote .*dashboard\.html \([\d.]+ MiB\) in [\d.]+ s/);
    expect(run.stdout).toContain('not computed yet: run `sweeplens regimes');
    expect(run.stdout).toContain(`Patterns: mined patterns not computed yet: run \`sweeplens mine ${dir}\``);
    expect(existsSync(join(dir, 'summary', 'performance_summary.json'))).toBe(true);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // Self-contained: no external script, stylesheet, font or image reference.
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
    expect(html).toContain("default-src 'none'");
    // The embedded data cannot end its script block early.
    const data = html.slice(html.indexOf('id="report-data">'), html.indexOf('</script>', html.indexOf('id="report-data">')));
    expect(data).not.toContain('</');
  });

  it('rejects bad flags with the flag name', async () => {
    const dir = await analyzedRun('flags', { strategies: 4, classifiers: 0, bars: 200 });
    expect(expectOneLineError(await sweeplens('report', dir, '--top', '0'))).toContain('--top');
    expect(expectOneLineError(await sweeplens('report', dir, '--classifier', 'nope'))).toContain("no classifier 'nope'");
  });
});
