/**
 * NVFP4 quantization: NVIDIA's published recipe for the Blackwell 4-bit format (NVIDIA,
 * "Pretraining Large Language Models with NVFP4", arXiv 2509.25149, section 2 and
 * appendix; implemented in NVIDIA TransformerEngine, transformer_engine/common/cast/nvfp4/
 * core_nvfp4.cuh, which this module follows operation by operation, in fp32):
 *
 *   per tensor:  S_enc = fp32(448 * 6 / amax_tensor)   (E4M3 max times E2M1 max; at most
 *                FLT_MAX; 1 when amax is 0); the decode scale S_dec = fp32(1 / S_enc) is the
 *                tensor's FP32 scale, applied after the GEMM
 *   per block:   s_b = E4M3(fp32(amax_block * fp32(S_enc * fp32(1/6))))
 *                i.e. amax_block / 6 in the tensor's scaled range, converted to E4M3 by
 *                round to nearest even with saturation to +-448 (the hardware's
 *                cvt.rn.satfinite; TransformerEngine's static_cast to fp8e4m3). That is the
 *                rounding of the scale this module uses.
 *   elements:    r_b = min(fp32(1 / fp32(s_b * S_dec)), FLT_MAX)  (a zero scale gives FLT_MAX)
 *                P_i = E2M1(fp32(x_i * r_b)), round to nearest even, saturating at +-6
 *   value:       x_i ~ P_i * s_b * S_dec
 *
 * Every fp32 operation is Math.fround of the float64 result of two fp32 operands, which is
 * the correctly rounded fp32 result (float64 carries more than 2 * 24 + 2 bits, so rounding
 * twice gives the same as rounding once for +, -, *, /). Inputs are fp32: a float64 input is
 * first rounded to fp32 (RNE). The recipe leaves non-finite inputs undefined; here the
 * tensor's amax ignores them and a block that holds NaN or +-Inf gets the E4M3 NaN scale
 * (0x7F), which makes the whole block read as NaN, as a NaN scale does in MX.
 */
import { decodeFloat, encodeFloat } from './float-codec.ts';
import { saturatingEncoder } from './fp32-quantizer.ts';
import type { Nvfp4Format } from './block-formats.ts';

/** the largest finite fp32 value */
export const FLT_MAX = 3.4028234663852886e38;
const INV6 = Math.fround(1 / 6);

/** amax over the finite values, as fp32 */
export function finiteAmax(values: ArrayLike<number>): number {
  let amax = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(Math.fround(values[i]));
    if (a <= FLT_MAX && a > amax) amax = a;
  }
  return amax;
}

/** The per-tensor encode scale S_enc for a tensor whose largest finite magnitude is amax. */
export function nvfp4EncodeScale(f: Nvfp4Format, amax: number): number {
  const s = Math.min(Math.fround(Math.fround(f.scale.maxFinite * f.element.format.maxFinite) / amax), FLT_MAX);
  return amax === 0 || s === 0 ? 1 : s;
}

/** The E4M3 code of the scale of a block of finite values whose largest magnitude is amax (fp32), under encode scale sEnc. */
export function nvfp4BlockScale(f: Nvfp4Format, amax: number, sEnc: number): number {
  return encodeFloat(f.scale, Math.fround(amax * Math.fround(sEnc * INV6)), { saturate: true });
}

/**
 * Quantizes one block values[off .. off+len) with the tensor's encode scale sEnc into E2M1
 * codes codes[codeOff ..]; returns the E4M3 code of the block scale.
 */
export function quantizeNvfp4Block(
  f: Nvfp4Format, values: ArrayLike<number>, off: number, len: number, sEnc: number, codes: Uint8Array, codeOff: number,
): number {
  let amax = 0;
  for (let i = off; i < off + len; i++) {
    const a = Math.abs(Math.fround(values[i]));
    if (!(a <= FLT_MAX)) {
      codes.fill(0, codeOff, codeOff + len);
      return f.scale.nanCode as number; // E4M3 has a NaN
    }
    if (a > amax) amax = a;
  }
  const scaleCode = nvfp4BlockScale(f, amax, sEnc);
  const sDec = Math.fround(1 / sEnc);
  const recip = Math.min(Math.fround(1 / Math.fround(decodeFloat(f.scale, scaleCode) * sDec)), FLT_MAX);
  const enc = saturatingEncoder(f.element.format);
  for (let i = 0; i < len; i++) codes[codeOff + i] = enc(Math.fround(Math.fround(values[off + i]) * recip));
  return scaleCode;
}
