// What every opened run shares: symbol choice, a bar cache and the atomic output writers.
import type { Table } from 'apache-arrow';
import { WorkspaceError } from '../errors.ts';
import type { Bars } from '../types.ts';
import { writeJsonAtomic } from './atomicWrite.ts';
import { insideRun } from './layout.ts';
import { writeParquetTable, type ParquetWriteOptions } from './parquet.ts';

/** Picks the symbol: the given one, or the only one. */
export function chooseSymbol(dir: string, symbols: string[], symbol: string | undefined): string {
  if (symbol !== undefined) return symbol;
  if (symbols.length === 1) return symbols[0]!;
  throw new WorkspaceError(`${dir}: the run has ${symbols.length} symbols (${symbols.join(', ') || 'none'}); name one`, { file: dir });
}

/** Helpers shared by the run handles: bar cache and output writers. */
export abstract class BaseRun {
  readonly dir: string;
  readonly warnings: string[] = [];
  private readonly barCache = new Map<string, Promise<Bars>>();

  constructor(dir: string) {
    this.dir = dir;
  }

  protected abstract loadBars(symbol: string): Promise<Bars>;
  abstract symbols(): string[];

  readBars(symbol?: string): Promise<Bars> {
    const chosen = chooseSymbol(this.dir, this.symbols(), symbol);
    let bars = this.barCache.get(chosen);
    if (!bars) {
      bars = this.loadBars(chosen);
      this.barCache.set(chosen, bars);
      bars.catch(() => this.barCache.delete(chosen));
    }
    return bars;
  }

  writeJson(relativePath: string, value: unknown): string {
    const path = insideRun(this.dir, relativePath);
    writeJsonAtomic(path, value);
    return path;
  }

  writeTable(relativePath: string, table: Table, options: ParquetWriteOptions = {}): string {
    const path = insideRun(this.dir, relativePath);
    writeParquetTable(path, table, options);
    return path;
  }
}

