/**
 * Text data sets of the language models: committed plain text (models/data/text/), read as
 * bytes (the character language model's token id is the byte value), cut into windows.
 *
 * Windows (the evaluation protocol of models/train/lm/README.md): non-overlapping, window `w`
 * feeds bytes [T w, T w + T) as tokens and scores the predictions of bytes [T w + 1, T w + T + 1);
 * all T positions are scored; W = floor((N - 1) / T) windows.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../../sim/errors.ts';
import { packageFile } from '../package-files.ts';

export interface TextSetInfo {
  /** file from the package root */
  readonly file: string;
  readonly description: string;
}

export const TEXT_SETS: Readonly<Record<string, TextSetInfo>> = {
  austen: {
    file: 'models/data/text/austen-eval.txt',
    description: "Jane Austen's Persuasion (1818), the held-out split of the character LM (466,854 bytes)",
  },
};

export function isTextSet(name: string): boolean {
  return Object.hasOwn(TEXT_SETS, name);
}

const cache = new Map<string, Uint8Array>();

/** The bytes of a text set (cached per process). */
export function loadText(name: string): Uint8Array {
  const info = TEXT_SETS[name];
  if (!info) throw new InputError(`unknown text data set '${name}'; valid: ${Object.keys(TEXT_SETS).join(', ')}`);
  let bytes = cache.get(name);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(packageFile(info.file)));
    cache.set(name, bytes);
  }
  return bytes;
}

/** InputError unless every byte is a token id of a vocabulary of `vocab` (names the first bad byte). */
export function checkVocabulary(bytes: Uint8Array, vocab: number, what: string): void {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] >= vocab) throw new InputError(`${what}: byte ${i} is ${bytes[i]}, outside the model's vocabulary 0..${vocab - 1}`);
  }
}

/** Scored windows of `n` bytes at context `t`. */
export function windowCount(n: number, t: number): number {
  return Math.max(0, Math.floor((n - 1) / t));
}

/** The tokens of window `w` as the graph's float32 input (token ids are exact in float32). */
export function windowTokens(bytes: Uint8Array, w: number, t: number): Float32Array {
  return Float32Array.from(bytes.subarray(w * t, w * t + t));
}

/** The targets of window `w`: the next byte of each position. */
export function windowTargets(bytes: Uint8Array, w: number, t: number): Uint8Array {
  return bytes.subarray(w * t + 1, w * t + t + 1);
}
