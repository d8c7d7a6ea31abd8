// Classification of a pattern's states: sign structure and trading style.
import type { PatternStructure, PatternType } from './patternTypes.ts';

const FAMILY_TYPE_RULES: [RegExp, PatternType][] = [
  [/breakout|donchian|channel/i, 'breakout'],
  [/revers|rsi|bollinger|band|fade|mean/i, 'mean_reversion'],
  [/momentum|trend|crossover|cross|sma|ema|macd/i, 'momentum'],
];

/** Sign structure of a pattern's states (see PatternStructure). */
export function patternStructure(states: readonly number[]): PatternStructure {
  const nonZero = states.filter((s) => s !== 0);
  for (let i = 1; i < nonZero.length; i++) if (nonZero[i] !== nonZero[i - 1]) return 'reversal';
  return nonZero.length >= 2 ? 'continuation' : 'round_trip';
}

/**
 * Style of a pattern: the family's when its name says it (breakout|donchian|channel -> breakout;
 * revers|rsi|bollinger|band|fade|mean -> mean_reversion; momentum|trend|cross|sma|ema|macd ->
 * momentum), otherwise from the sign structure (reversal -> mean_reversion, continuation ->
 * momentum, round_trip -> breakout).
 */
export function classifyPattern(family: string, states: readonly number[]): PatternType {
  for (const [rule, type] of FAMILY_TYPE_RULES) if (rule.test(family)) return type;
  const structure = patternStructure(states);
  return structure === 'reversal' ? 'mean_reversion' : structure === 'continuation' ? 'momentum' : 'breakout';
}
