import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WorkspaceError } from '../errors.ts';

let counter = 0;

/** Prefix of every temp file an atomic write creates (followed by the writer's pid). */
export const TEMP_FILE_PREFIX = '.sweeplens-tmp-';

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files that killed writers left in `dir` (their pid is no longer running); a
 * write in progress in a live process is left alone. Returns how many were removed.
 */
export function removeStaleTempFiles(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(TEMP_FILE_PREFIX)) continue;
    if (processAlive(Number(name.slice(TEMP_FILE_PREFIX.length).split('-')[0]))) continue;
    rmSync(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

/** A temp path next to `path` (same directory, so the rename is atomic on one file system). */
export function tempPathFor(path: string): string {
  counter += 1;
  return join(dirname(path), `${TEMP_FILE_PREFIX}${process.pid}-${counter}-${basename(path)}`);
}

/** Options of the atomic writers. */
export interface AtomicWriteOptions {
  /**
   * fsync the temp file before the rename; default true. Without it the write is still atomic
   * against a crash of the process (readers see the old file or the new one), but not against
   * power loss. Bulk writers of regenerable data (synthetic runs) turn it off.
   */
  fsync?: boolean;
}

/**
 * Writes `data` to `path` atomically: into a temp file in the same directory, fsync, then rename
 * over the target. A crash at any point leaves either the old file or the new one, never half of
 * one. Parent directories are created.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      if (options.fsync ?? true) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (cause) {
    rmSync(temp, { force: true });
    throw new WorkspaceError(`${path}: cannot write: ${(cause as Error).message}`, { file: path });
  }
}

/**
 * JSON.stringify with 2-space indent, atomically written; NaN/Infinity become null (JSON.stringify
 * writes every non-finite number as null itself: a replacer doing it cost ~25 % more time).
 */
export function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, options);
}
