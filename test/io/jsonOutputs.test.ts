// Non-finite numbers in every JSON the tool writes (output files, the report's inline data, trace
// footers) come out as null, as JSON.stringify writes them.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../src/io/atomicWrite.ts';
import { defaultExecutionCosts } from '../../src/analytics/metricOptions.ts';
import { encodeTraceInfo, FOOTER_KEYS, type CachedMetrics, type TraceInfo } from '../../src/io/traceMetadata.ts';
import { inlineJson } from '../../src/report/template.ts';

const value = { a: Number.NaN, b: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1.5], c: { d: Number.NaN, e: 'x<y' } };

describe('JSON outputs', () => {
  it('writeJsonAtomic writes NaN and infinities as null, 2-space indented, with a final newline', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sweeplens-json-')), 'out.json');
    writeJsonAtomic(path, value);
    const text = readFileSync(path, 'utf8');
    expect(text).toBe(`${JSON.stringify({ a: null, b: [null, null, 0, 1.5], c: { d: null, e: 'x<y' } }, null, 2)}\n`);
  });

  it('inlineJson writes them as null and escapes < for a script block', () => {
    expect(inlineJson(value)).toBe('{"a":null,"b":[null,null,0,1.5],"c":{"d":null,"e":"x\\u003cy"}}');
  });

  it('a trace footer\'s cached metrics keep non-finite values as null', () => {
    const metrics: CachedMetrics = { values: { sharpeRatio: Number.NaN, totalReturn: 0.1 }, costs: defaultExecutionCosts(), conventions: 'v1', periodsPerYear: 252 };
    const info: TraceInfo = {
      id: 's', kind: 'signal', family: 'f', symbol: 'X', parameters: {}, changes: 0, bars: 10, compressionRatio: null,
      contentHash: 'sha256:0', metrics, labels: undefined,
    };
    const pairs = encodeTraceInfo(info);
    expect(JSON.parse(pairs[FOOTER_KEYS.metrics]!)).toEqual({ ...metrics, values: { sharpeRatio: null, totalReturn: 0.1 } });
  });
});
