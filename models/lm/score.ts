/**
 * Scoring a language model's next-token logits against the text (the protocol of
 * models/train/lm/README.md): per position, -log2 softmax(logits)[target] from the float32
 * logits, the log-softmax in float64; top-1 is the first index of the largest logit.
 * Bits per character = total bits / characters scored; perplexity = 2^(bits per character).
 */
import { argmax } from '../accuracy/evaluate.ts';

/** -log2 p(target) of one position's logits (row of `v` values at `off`); NaN if a logit is NaN. */
export function bitsOfTarget(logits: ArrayLike<number>, off: number, v: number, target: number): number {
  let m = -Infinity;
  for (let j = off; j < off + v; j++) {
    const x = logits[j];
    if (x !== x) return NaN;
    if (x > m) m = x;
  }
  if (m === Infinity) return NaN;
  let s = 0;
  for (let j = off; j < off + v; j++) s += Math.exp(logits[j] - m);
  return (m + Math.log(s) - logits[off + target]) / Math.LN2;
}

/** What one window (or any run of positions) scored, summed over its positions. */
export interface PositionScores {
  /** sum of -log2 p(target) */
  bits: number;
  /** positions whose top-1 is the target */
  hits: number;
}

/**
 * Scores `t` positions of logits `[t, v]` against `targets`; with `choices`, writes each
 * position's top-1 (the first index of the largest logit) there, at `at + i`.
 */
export function scorePositions(
  logits: ArrayLike<number>, t: number, v: number, targets: ArrayLike<number>, choices?: { [i: number]: number }, at = 0,
): PositionScores {
  let bits = 0, hits = 0;
  for (let i = 0; i < t; i++) {
    bits += bitsOfTarget(logits, i * v, v, targets[i]);
    const c = argmax(logits, i * v, v);
    if (choices) choices[at + i] = c;
    if (c === targets[i]) hits++;
  }
  return { bits, hits };
}

/** The figures of a language model on a text (bits per character, perplexity, top-1). */
export interface LmFigures {
  readonly characters: number;
  readonly bits_per_char: number;
  readonly perplexity: number;
  readonly top1: number;
}

export function lmFigures(bits: number, hits: number, characters: number): LmFigures {
  const bpc = bits / characters;
  return { characters, bits_per_char: bpc, perplexity: 2 ** bpc, top1: hits / characters };
}
