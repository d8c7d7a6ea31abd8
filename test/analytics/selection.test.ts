import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import {
  defaultSelectionCriteria, parseSelectionCriteria, regimeRejection, strategyRejection, validateSelectionCriteria,
} from '../../src/analytics/selection.ts';

function rejects(input: unknown, message: RegExp): void {
  expect(() => validateSelectionCriteria(input)).toThrow(InputError);
  expect(() => validateSelectionCriteria(input)).toThrow(message);
}

describe('validateSelectionCriteria', () => {
  it('fills the seed defaults', () => {
    const c = validateSelectionCriteria({});
    expect(c).toEqual(defaultSelectionCriteria());
    expect(c.minSharpe).toBe(1.0);
    expect(c.minWinRate).toBe(0.55);
    expect(c.maxDrawdown).toBe(0.2);
    expect(c.minTrades).toBe(100);
    expect(c.maxCorrelation).toBe(0.7);
    expect(c.maxSelections).toBe(3);
    expect(c.autoExecuteReplay).toBe(false);
    expect(c.targetRegimes).toBeNull();
  });

  it('keeps given values and merges optimizer options', () => {
    const c = validateSelectionCriteria({ minSharpe: null, targetRegimes: ['calm'], requiredRegimes: ['calm', 'normal'], optimizer: { maxWeight: 0.6 } });
    expect(c.minSharpe).toBeNull();
    expect(c.targetRegimes).toEqual(['calm']);
    expect(c.optimizer).toEqual({ objective: 'max-sharpe', minWeight: 0, maxWeight: 0.6, maxStrategies: 5 });
  });

  it('rejects an unknown field, naming it', () => {
    rejects({ minSharp: 1 }, /criteria\.minSharp is not a known field/);
    rejects({ optimizer: { maxWeigth: 0.5 } }, /criteria\.optimizer\.maxWeigth is not a known field/);
  });

  it('rejects a wrong type, naming the field', () => {
    rejects({ minSharpe: '1.0' }, /criteria\.minSharpe must be a number or null, got '1\.0'/);
    rejects({ autoExecuteReplay: 'yes' }, /criteria\.autoExecuteReplay must be true or false/);
    rejects({ targetRegimes: 'calm' }, /criteria\.targetRegimes must be an array/);
    rejects({ requiredRegimes: ['calm', 3] }, /criteria\.requiredRegimes\[1\] must be a non-empty string/);
    rejects({ minRegimePerformance: { calm: 'high' } }, /criteria\.minRegimePerformance\.calm must be a number/);
    rejects({ optimizer: { objective: 'max-return' } }, /criteria\.optimizer\.objective must be 'max-sharpe' or 'min-variance'/);
    rejects([1, 2], /criteria must be a JSON object/);
  });

  it('rejects values out of range, naming the field', () => {
    rejects({ minWinRate: 55 }, /criteria\.minWinRate must be a fraction in \[0, 1\]/);
    rejects({ maxDrawdown: -0.1 }, /criteria\.maxDrawdown/);
    rejects({ maxSelections: 0 }, /criteria\.maxSelections must be an integer >= 1, got 0/);
    rejects({ minTrades: 2.5 }, /criteria\.minTrades must be an integer >= 0/);
    rejects({ maxCorrelation: 1.5 }, /criteria\.maxCorrelation must be a number in \[-1, 1\]/);
    rejects({ optimizer: { maxWeight: 0 } }, /criteria\.optimizer\.maxWeight must be a fraction in \(0, 1\]/);
    rejects({ requiredRegimes: ['calm', 'calm'] }, /criteria\.requiredRegimes\[1\]: label 'calm' is listed twice/);
  });

  it('rejects impossible combinations, naming the field', () => {
    rejects({ optimizer: { maxWeight: 0.2, maxStrategies: 4 } }, /criteria\.optimizer\.maxWeight \(0\.2\) x min\(optimizer\.maxStrategies 4, maxCandidates 20\) = 0\.8 < 1/);
    rejects({ maxCandidates: 1 }, /criteria\.optimizer\.maxWeight \(0\.5\) x min\(optimizer\.maxStrategies 5, maxCandidates 1\)/);
    rejects({ optimizer: { minWeight: 0.6, maxWeight: 0.5 } }, /criteria\.optimizer\.minWeight \(0\.6\) is above optimizer\.maxWeight/);
    rejects({ optimizer: { minWeight: 0.3, maxWeight: 1, maxStrategies: 4 } }, /criteria\.optimizer\.minWeight \(0\.3\) x optimizer\.maxStrategies \(4\) > 1/);
    rejects({ requiredRegimes: ['calm'], targetRegimes: ['volatile'] }, /criteria\.targetRegimes must be a subset of requiredRegimes.*'volatile'/);
    rejects({ targetRegimes: [] }, /criteria\.targetRegimes is empty/);
  });

  it('parses JSON text and reports syntax errors with the source', () => {
    expect(parseSelectionCriteria('{"minTrades": 3}').minTrades).toBe(3);
    expect(() => parseSelectionCriteria('{minTrades: 3}', 'c.json')).toThrow(/c\.json: not valid JSON/);
  });
});

describe('strategy and regime filters', () => {
  const criteria = validateSelectionCriteria({ minSharpe: 1, minWinRate: 0.5, maxDrawdown: 0.2, minTrades: 10, minDeflatedSharpe: 0.9 });
  const row = { id: 's', sharpeRatio: 1.5, winRate: 0.6, maxDrawdown: 0.1, tradeCount: 20 };

  it('passes a strategy meeting every threshold; names the first failing one', () => {
    expect(strategyRejection(row, criteria)).toBeNull();
    expect(strategyRejection({ ...row, sharpeRatio: 0.5 }, criteria)).toMatch(/minSharpe 1/);
    expect(strategyRejection({ ...row, sharpeRatio: null }, criteria)).toMatch(/minSharpe/);
    expect(strategyRejection({ ...row, winRate: null }, criteria)).toMatch(/minWinRate/);
    expect(strategyRejection({ ...row, maxDrawdown: 0.3 }, criteria)).toMatch(/maxDrawdown 0\.2/);
    expect(strategyRejection({ ...row, tradeCount: 5 }, criteria)).toMatch(/minTrades 10/);
  });

  it('applies minDeflatedSharpe only to rows carrying it', () => {
    expect(strategyRejection(row, criteria)).toBeNull();
    expect(strategyRejection({ ...row, deflatedSharpe: 0.95 }, criteria)).toBeNull();
    expect(strategyRejection({ ...row, deflatedSharpe: 0.5 }, criteria)).toMatch(/minDeflatedSharpe 0\.9/);
  });

  it('requires Sharpe > 0 in required regimes, or the given minimum', () => {
    const c = validateSelectionCriteria({ requiredRegimes: ['calm'], minRegimePerformance: { normal: 0.5 } });
    expect(regimeRejection({ calm: 0.1, normal: 0.6 }, c)).toBeNull();
    expect(regimeRejection({ calm: -0.1, normal: 0.6 }, c)).toMatch(/'calm' <= 0/);
    expect(regimeRejection({ calm: 0.1, normal: 0.4 }, c)).toMatch(/'normal' < 0\.5/);
    expect(regimeRejection({ calm: null, normal: 1 }, c)).toMatch(/no Sharpe in regime 'calm'/);
  });
});
