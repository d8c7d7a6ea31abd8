// Drives the CLI in-process: captures stdout/stderr and the exit code of one `sweeplens ...` call.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { vi } from 'vitest';
import { runCli } from '../../src/cli/program.ts';

/** What one CLI call printed and returned. */
export interface CliRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `sweeplens <args>` in this process (a fresh commander program each time). */
export async function sweeplens(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  const previousExitCode = process.exitCode;
  process.exitCode = 0;
  try {
    await runCli(['node', 'sweeplens', ...args], new Command());
    return { stdout, stderr, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
    process.exitCode = previousExitCode;
  }
}

/** A fresh temporary folder for one test file. */
export function temporaryFolder(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `sweeplens-${prefix}-`));
}

/** Writes `lines` (joined by newlines) to `folder/name` and returns the path. */
export function writeCsv(folder: string, name: string, lines: string[]): string {
  const path = join(folder, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Consecutive weekdays from 2024-01-01 (a Monday), ISO dates. */
export function weekdays(count: number): string[] {
  const out: string[] = [];
  const day = new Date(Date.UTC(2024, 0, 1));
  while (out.length < count) {
    const weekday = day.getUTCDay();
    if (weekday !== 0 && weekday !== 6) out.push(day.toISOString().slice(0, 10));
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return out;
}

/** Asserts the shape of a CLI failure: one line `sweeplens: ...`, exit code 1, no stack trace. */
export function expectOneLineError(run: CliRun): string {
  if (run.exitCode !== 1) throw new Error(`expected exit code 1, got ${run.exitCode} (stderr: ${run.stderr})`);
  const lines = run.stderr.trimEnd().split('\n');
  if (lines.length !== 1) throw new Error(`expected one stderr line, got ${lines.length}:\n${run.stderr}`);
  if (!lines[0]!.startsWith('sweeplens: ')) throw new Error(`stderr does not start with 'sweeplens: ': ${run.stderr}`);
  if (/\n\s+at /.test(run.stderr)) throw new Error(`stderr has a stack trace: ${run.stderr}`);
  return lines[0]!;
}
