/**
 * MX block quantization, as the OCP Microscaling Formats (MX) v1.0 specification converts a
 * vector of k reals V into one block {X, P_1..P_k} (section 6.3; the same algorithm is
 * Algorithm 1 of Rouhani et al., "Microscaling Data Formats for Deep Learning",
 * arXiv 2310.10537):
 *
 *   shared_exp = floor(log2(max_i |V_i|)) - emax_elem
 *   X = 2^shared_exp                     (an E8M0 code: shared_exp + 127)
 *   P_i = quantize_to_element_format(V_i / X), "clamping normal numbers"
 *
 * emax_elem is the exponent of the element format's largest normal number (8 for E4M3, 15
 * for E5M2, 4 for E3M2, 2 for E2M3 and E2M1, 0 for INT8). The element conversion rounds to
 * nearest, ties to even, and clamps a value beyond the element format's largest normal to
 * +-that value keeping its sign (the block's largest element can exceed it: E2M1's max is 6
 * while the scaled maximum lies in [4, 8)). The rest, as implemented here:
 *
 * - A zero block (every V_i = +-0): log2(0) has no finite value; the shared exponent takes
 *   E8M0's smallest value, -127 (the spec's scale has no zero; the spec authors' reference
 *   code, microsoft/microxcaling mx_ops.py, also ends at -127 for the float formats), and
 *   every element is a zero of V_i's sign.
 * - A shared exponent below -127 (a block of tiny values) is clamped to -127: the elements
 *   then land below the element format's top binade, as subnormals or zero where they must.
 * - A shared exponent above 127 cannot be an E8M0 scale: X is NaN (0xFF). The reference code
 *   does the same ("overflow to NaN").
 * - NaN or +-Inf anywhere in the block: max |V_i| is not finite, so line 1 has no finite
 *   shared exponent; X is NaN and, by the spec's semantics of a NaN scale (a block whose
 *   scale is NaN is NaN in every element), the whole block reads as NaN. The element codes are then 0.
 * - Inputs are float64 (fp32 values are a special case); V_i / X is exact.
 * - MXINT8 elements round V_i / X to a multiple of 2^-6 and clamp to +-127 * 2^-6 (the
 *   reference code's saturation bound; the code 0x80 = -2 decodes but is never produced).
 */
import { saturatingEncoder } from './fp32-quantizer.ts';
import type { MxFormat } from './block-formats.ts';
import { exponentOf, scaleByPow2 } from './pow2.ts';

export interface MxScaleChoice {
  /** E8M0 code of the scale X (0xFF: NaN) */
  readonly code: number;
  /** log2 X, or NaN */
  readonly sharedExp: number;
}

/** The shared scale of one block: values[off .. off+len). */
export function mxSharedScale(f: MxFormat, values: ArrayLike<number>, off: number, len: number): MxScaleChoice {
  let amax = 0;
  for (let i = off; i < off + len; i++) {
    const v = values[i];
    const a = v < 0 ? -v : v;
    if (!(a <= Number.MAX_VALUE)) return { code: f.scale.nanCode, sharedExp: NaN }; // NaN or Inf
    if (a > amax) amax = a;
  }
  const { minExp, maxExp, bias } = f.scale;
  if (amax === 0) return { code: 0, sharedExp: minExp };
  let e = exponentOf(amax) - f.emaxElem;
  if (e > maxExp) return { code: f.scale.nanCode, sharedExp: NaN };
  if (e < minExp) e = minExp;
  return { code: e + bias, sharedExp: e };
}

/**
 * Quantizes one block values[off .. off+len) into element codes codes[codeOff ..] and returns
 * the E8M0 code of its scale.
 */
export function quantizeMxBlock(
  f: MxFormat, values: ArrayLike<number>, off: number, len: number, codes: Uint8Array, codeOff: number,
): number {
  const { code, sharedExp } = mxSharedScale(f, values, off, len);
  if (Number.isNaN(sharedExp)) {
    codes.fill(0, codeOff, codeOff + len);
    return code;
  }
  const el = f.element;
  if (el.kind === 'float') {
    const enc = saturatingEncoder(el.format);
    for (let i = 0; i < len; i++) codes[codeOff + i] = enc(scaleByPow2(values[off + i], -sharedExp));
  } else {
    const max = el.format.max;
    const wrap = 2 ** el.format.bits;
    for (let i = 0; i < len; i++) {
      const q = scaleByPow2(values[off + i], el.fracBits - sharedExp);
      // |q| < 2^51: adding and removing 1.5 * 2^52 rounds to the nearest integer, ties to
      // even (a zero comes out +0, never -0); larger |q| clamp either way
      let n = q < ROUND_LIMIT && q > -ROUND_LIMIT ? q + ROUNDER - ROUNDER : q;
      if (n > max) n = max;
      if (n < -max) n = -max;
      codes[codeOff + i] = n < 0 ? n + wrap : n;
    }
  }
  return code;
}

const ROUNDER = 1.5 * 2 ** 52, ROUND_LIMIT = 2 ** 51;
