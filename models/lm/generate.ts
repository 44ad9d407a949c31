/**
 * Text generation with the KV-cache decoder: the prompt is prefilled, then each next token is
 * chosen from the last position's logits and fed alone. Greedy (temperature 0) takes the first
 * index of the largest logit; a temperature T > 0 samples from softmax(logits / T) (float64)
 * with a seeded generator, so the same seed gives the same text.
 */
import { InputError } from '../../sim/errors.ts';
import { makeRng } from '../../sim/random.ts';
import { argmax } from '../accuracy/evaluate.ts';
import type { ExecOptions } from '../exec/executor.ts';
import { KvDecoder, type DecoderPlan } from './decoder.ts';

export interface GenerateOptions {
  /** tokens to generate */
  readonly tokens: number;
  /** 0: greedy */
  readonly temperature: number;
  readonly seed: number;
}

/** InputError unless the prompt and the tokens fit the model (checked before any work). */
export function checkGeneration(plan: DecoderPlan, prompt: Uint8Array, opts: GenerateOptions): void {
  const { context, vocab } = plan.lm;
  if (prompt.length < 1) throw new InputError('--prompt is empty: the model needs at least one character to continue');
  for (let i = 0; i < prompt.length; i++) {
    if (prompt[i] >= vocab) throw new InputError(`--prompt: character ${i} (byte ${prompt[i]}) is outside the model's vocabulary 0..${vocab - 1} (ASCII)`);
  }
  if (!Number.isInteger(opts.tokens) || opts.tokens < 1) throw new InputError(`--tokens must be a positive integer, got ${opts.tokens}`);
  if (prompt.length + opts.tokens > context) {
    throw new InputError(`the model's context is ${context} characters: a prompt of ${prompt.length} leaves room for at most ${context - prompt.length} tokens, ${opts.tokens} asked`);
  }
  if (!(opts.temperature >= 0) || !Number.isFinite(opts.temperature)) throw new InputError(`--temperature must be a number >= 0, got ${opts.temperature}`);
  if (!Number.isInteger(opts.seed)) throw new InputError(`--seed must be an integer, got ${opts.seed}`);
}

/** Index drawn from softmax(row / temperature) with a uniform u in [0, 1). */
export function sampleToken(logits: ArrayLike<number>, off: number, v: number, temperature: number, u: number): number {
  let m = -Infinity;
  for (let j = 0; j < v; j++) if (logits[off + j] > m) m = logits[off + j];
  const p = new Float64Array(v);
  let sum = 0;
  for (let j = 0; j < v; j++) {
    p[j] = Math.exp((logits[off + j] - m) / temperature);
    sum += p[j];
  }
  let acc = 0;
  const target = u * sum;
  for (let j = 0; j < v; j++) {
    acc += p[j];
    if (target < acc) return j;
  }
  return v - 1;
}

/** The generated token ids. */
export function generate(plan: DecoderPlan, exec: ExecOptions, prompt: Uint8Array, opts: GenerateOptions): number[] {
  checkGeneration(plan, prompt, opts);
  const v = plan.lm.vocab;
  const dec = new KvDecoder(plan, exec);
  const rng = makeRng(opts.seed);
  const pick = (logits: Float32Array, row: number) =>
    (opts.temperature === 0 ? argmax(logits, row * v, v) : sampleToken(logits, row * v, v, opts.temperature, rng.next()));
  const out: number[] = [];
  let logits = dec.feed(prompt);
  let next = pick(logits, prompt.length - 1);
  out.push(next);
  while (out.length < opts.tokens) {
    logits = dec.feed([next]);
    next = pick(logits, 0);
    out.push(next);
  }
  return out;
}

/** The first index where two token sequences differ (-1: identical). */
export function firstDivergence(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
