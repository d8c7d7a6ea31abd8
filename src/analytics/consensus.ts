// Consensus regimes: several classifiers combined into one regime trace, change-proportionally
// (one step per change point of the merged change lists, never per bar).
import { InputError } from '../errors.ts';
import type { RegimeTrace } from '../types.ts';
import { validateRegimeTrace } from './regimeStats.ts';

/** How classifiers are combined. */
export type ConsensusMode = 'majority' | 'joint';

/** The tie rule of the majority vote, as written into the outputs. */
export const CONSENSUS_TIE_RULE = 'most votes wins; on a tie, keep the previous consensus state when it is among the tied labels, '
  + 'else take the label of the first classifier (in the given order) whose label is among the tied';

/** Separator of the labels of a joint state ("a|b"). */
export const JOINT_SEPARATOR = '|';

/**
 * Combines classifiers (same bars, labels matched by their text) into one regime trace.
 *
 * 'majority': at each bar every classifier with a state votes for its forward-filled label
 * (state_t); the label with the most votes wins (a plurality). Ties: CONSENSUS_TIE_RULE. Before the
 * first classifier has a state there is no consensus (the trace starts at the first row of any
 * classifier). Labels are ordered by first appearance over the classifiers in order.
 *
 * 'joint': the state is the tuple of every classifier's label, written "a|b|..." in the given
 * order; it starts at the first bar where every classifier has a state. Labels are ordered by
 * first appearance in time.
 *
 * Rows are written only where the combined state changes. O(sum K_i x (C + L)) for C classifiers
 * and L labels; a bar-by-bar evaluation gives the same trace (tested).
 */
export function consensusRegimes(classifiers: readonly RegimeTrace[], bars: number, mode: ConsensusMode = 'majority'): RegimeTrace {
  if (classifiers.length === 0) throw new InputError('consensusRegimes: at least one classifier is needed');
  if (mode !== 'majority' && mode !== 'joint') throw new InputError(`consensus mode must be 'majority' or 'joint', got '${String(mode)}'`);
  classifiers.forEach((c, i) => validateRegimeTrace(c, bars, `classifier ${i}`));
  const c = classifiers.length;
  // Merged change points: all distinct idx, ascending.
  const points = [...new Set(classifiers.flatMap((trace) => Array.from(trace.idx)))].sort((a, b) => a - b);
  const cursor = new Int32Array(c);
  const current = new Array<string | undefined>(c).fill(undefined);
  const labels: string[] = [];
  const codeOf = new Map<string, number>();
  const code = (label: string): number => {
    let value = codeOf.get(label);
    if (value === undefined) {
      value = labels.length;
      labels.push(label);
      codeOf.set(label, value);
    }
    return value;
  };
  if (mode === 'majority') {
    // Label order: first appearance over the classifiers in order.
    for (const trace of classifiers) for (const s of trace.state) code(trace.labels[s]!);
  }
  const votes = new Float64Array(labels.length);
  const idx: number[] = [];
  const state: number[] = [];
  let previous = -1;
  for (const at of points) {
    for (let i = 0; i < c; i++) {
      const trace = classifiers[i]!;
      const row = cursor[i]!;
      if (row < trace.idx.length && trace.idx[row] === at) {
        const label = trace.labels[trace.state[row]!]!;
        if (mode === 'majority') {
          const old = current[i];
          if (old !== undefined) votes[codeOf.get(old)!]! -= 1;
          votes[codeOf.get(label)!]! += 1;
        }
        current[i] = label;
        cursor[i] = row + 1;
      }
    }
    let next: number;
    if (mode === 'majority') {
      next = majorityWinner(votes, current, codeOf, previous);
    } else {
      if (current.some((label) => label === undefined)) continue;
      next = code(current.join(JOINT_SEPARATOR));
    }
    if (next !== previous) {
      idx.push(at);
      state.push(next);
      previous = next;
    }
  }
  return { idx: Int32Array.from(idx), state: Int32Array.from(state), labels };
}

function majorityWinner(votes: Float64Array, current: readonly (string | undefined)[], codeOf: Map<string, number>, previous: number): number {
  let best = 0;
  for (let i = 0; i < votes.length; i++) if (votes[i]! > best) best = votes[i]!;
  if (previous >= 0 && votes[previous] === best) return previous;
  for (const label of current) {
    if (label === undefined) continue;
    const value = codeOf.get(label)!;
    if (votes[value] === best) return value;
  }
  return previous;
}
