/**
 * Real values scaled into an integer format's bit patterns, a whole array per call: what
 * `encode(f, x * inv, opts)` gives element by element (codec.ts: round to nearest, ties to even,
 * or toward zero; saturating; NaN refused), in one loop without a call per element. Quantizing
 * activations element by element through the generic codec took two fifths of an int8 accuracy
 * run (issue 21, `node --cpu-prof`).
 *
 * Rounding to nearest-even adds and subtracts 1.5 * 2^52: a float64 in [-2^51, 2^51] comes out
 * rounded to an integer, ties to even, by the addition's own rounding. The value is clamped to
 * [min, max] first: both are integers, so clamping before rounding gives what rounding then
 * clamping gives, and the clamped value is well inside the trick's range.
 */
import { InputError } from '../errors.ts';
import type { IntFormat } from './formats.ts';
import type { EncodeOptions } from './float-codec.ts';

const RNE = 1.5 * 2 ** 52;

/** codes[i] = encode(f, src[i] * inv) (src[i] itself when inv is 1). */
export type IntQuantizer = (src: ArrayLike<number>, inv: number, codes: Uint32Array) => void;

export function intQuantizer(f: IntFormat, opts: EncodeOptions = {}): IntQuantizer {
  const { min, max } = f;
  const span = 2 ** f.bits;
  const trunc = opts.round === 'trunc';
  return (src, inv, codes) => {
    for (let i = 0; i < src.length; i++) {
      let v = inv === 1 ? src[i] : src[i] * inv;
      if (v !== v) throw new InputError(`cannot convert NaN to ${f.name}`);
      v = v > max ? max : v < min ? min : v;
      const r = trunc ? Math.trunc(v) : v + RNE - RNE;
      // two's complement pattern; -0 stores as 0
      codes[i] = r < 0 ? r + span : r;
    }
  };
}
