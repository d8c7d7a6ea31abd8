// The shared cost / run-level flags: full cost models for analyze, only the given fields for the
// commands that reuse an existing analysis.
import { describe, expect, it } from 'vitest';
import { defaultExecutionCosts } from '../../src/analytics/metricOptions.ts';
import { runAnalyticsOptionsFromFlags } from '../../src/cli/commands/regimes.ts';
import { givenCostFlags, parseCostFlags } from '../../src/cli/flags.ts';

describe('cost flags', () => {
  it('parseCostFlags fills every field not given with its default', () => {
    expect(parseCostFlags({})).toEqual(defaultExecutionCosts());
    expect(parseCostFlags({ commissionRate: '0' })).toEqual(defaultExecutionCosts({ commissionRate: 0 }));
  });

  it('givenCostFlags keeps only the given fields, parsed and validated the same way', () => {
    expect(givenCostFlags({})).toEqual({});
    expect(givenCostFlags({ commissionRate: '0', volatilityWindow: '30', slippageModel: 'sqrt' }))
      .toEqual({ commissionRate: 0, volatilityWindowBars: 30, slippageModel: 'sqrt' });
    expect(() => givenCostFlags({ slippageRate: '-1' })).toThrow(/--slippage-rate/);
    expect(() => givenCostFlags({ slippageModel: 'cubic' })).toThrow(/--slippage-model/);
  });

  it('regimes / correlate / optimize pass only the cost fields and risk-free rate given on the command line', () => {
    const none = runAnalyticsOptionsFromFlags({});
    expect(none.costs).toBeUndefined();
    expect(none.riskFreeRate).toBeUndefined();
    const some = runAnalyticsOptionsFromFlags({ slippageRate: '0', riskFreeRate: '0.02', workers: '0' });
    expect(some.costs).toEqual({ slippageRate: 0 });
    expect(some.riskFreeRate).toBe(0.02);
    expect(some.workers).toBe(0);
  });
});
