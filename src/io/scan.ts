// Metadata scan of a sweeplens run: metadata.json plus the footer of every trace, never a data page.
import { WorkspaceError } from '../errors.ts';
import { readRunMetadata, signalPath, statePath, type RunMetadata } from './layout.ts';
import { readParquetFooter } from './parquet.ts';
import { decodeTraceInfo, type TraceInfo } from './traceMetadata.ts';

/** Run summary plus one footer record per strategy and classifier. */
export interface RunScan {
  dir: string;
  /** 'sweeplens' for a native run, 'admf-pc' for an ADMF-PC workspace read in place. */
  format: 'sweeplens' | 'admf-pc';
  metadata: RunMetadata;
  strategies: TraceInfo[];
  classifiers: TraceInfo[];
  /** Problems that did not stop the scan (e.g. ADMF-PC footers without counts). */
  warnings: string[];
}

function footerOf(path: string, id: string, kind: 'strategy' | 'classifier'): TraceInfo {
  let footer: ReturnType<typeof readParquetFooter>;
  try {
    footer = readParquetFooter(path);
  } catch (cause) {
    throw new WorkspaceError(`${path}: ${kind} '${id}' is listed in metadata.json but its trace is missing or damaged (${(cause as Error).message})`, { file: path, id });
  }
  const info = decodeTraceInfo(path, footer.metadata);
  if (info.id !== id) throw new WorkspaceError(`${path}: footer id '${info.id}' does not match folder '${id}'`, { file: path, id });
  return info;
}

/**
 * Scans a sweeplens run from metadata only: reads metadata.json and the Parquet footer of every
 * signal and state trace (two small reads at the end of each file; data pages are never read).
 * WorkspaceError naming the path when the run or a listed trace is missing or damaged.
 */
export function scanNativeRun(runDir: string): RunScan {
  const metadata = readRunMetadata(runDir);
  return {
    dir: runDir,
    format: 'sweeplens',
    metadata,
    strategies: metadata.strategies.map((id) => footerOf(signalPath(runDir, id), id, 'strategy')),
    classifiers: metadata.classifiers.map((id) => footerOf(statePath(runDir, id), id, 'classifier')),
    warnings: [],
  };
}

/** One ranked strategy of a scan. */
export interface RankedStrategy {
  id: string;
  family: string;
  value: number;
  changes: number;
}

/**
 * The `count` best strategies of a scan by a cached metric (default sharpeRatio, higher is
 * better; pass `ascending` for metrics where lower is better, e.g. maxDrawdown). Strategies
 * without that cached metric, or with a null value, are left out.
 */
export function rankByCachedMetric(scan: RunScan, metric = 'sharpeRatio', count = 10, ascending = false): RankedStrategy[] {
  const ranked: RankedStrategy[] = [];
  for (const info of scan.strategies) {
    const value = info.metrics?.values[metric];
    if (typeof value === 'number' && Number.isFinite(value)) ranked.push({ id: info.id, family: info.family, value, changes: info.changes });
  }
  ranked.sort((a, b) => (ascending ? a.value - b.value : b.value - a.value) || (a.id < b.id ? -1 : 1));
  return ranked.slice(0, count);
}
