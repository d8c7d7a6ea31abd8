import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

/** Every module a file loads at start-up: its static imports and re-exports of values (not `import type`, not import()). */
function staticGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (graph.has(file)) continue;
    const source = readFileSync(file, 'utf8');
    const specifiers: string[] = [];
    for (const match of source.matchAll(/^(import|export)\s+(type\s+)?([^'";]*?\sfrom\s+)?'([^']+)';/gm)) {
      if (match[2]) continue;
      if (match[1] === 'export' && !match[3]) continue;
      specifiers.push(match[4]!);
    }
    graph.set(file, specifiers);
    for (const specifier of specifiers) if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
  }
  return graph;
}

describe('the pool worker loads no Arrow library at start-up', () => {
  it('src/engine/worker.ts reaches neither apache-arrow nor arrow-js-ffi through static imports', () => {
    const graph = staticGraph(join(SRC, 'engine/worker.ts'));
    const arrowImporters = [...graph].filter(([, specifiers]) => specifiers.some((s) => s === 'apache-arrow' || s === 'arrow-js-ffi'));
    expect(arrowImporters.map(([file]) => file.slice(SRC.length + 1))).toEqual([]);
    // the walk does follow the strategy path (so an empty list is not vacuous)
    expect([...graph.keys()].map((file) => file.slice(SRC.length + 1))).toEqual(expect.arrayContaining(['engine/strategyTask.ts', 'io/leanSignalColumns.ts', 'io/parquetPrimitive.ts']));
    expect(staticGraph(join(SRC, 'io/signalColumns.ts')).get(join(SRC, 'io/traces.ts'))).toContain('apache-arrow');
  });
});
