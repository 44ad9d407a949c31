/**
 * Exact references for the block-format tests (not a test file): element and scale values
 * from the formats' field definitions (OCP MX v1.0 section 5; NVFP4's E4M3 scale), the
 * accumulator register's rounding, and the E5M2 adder tree's stated truncation.
 */
import { SPEC, decodeExact, encodeExact, num, pow2Exact, type Exact, type FloatSpec } from './exact-rational.ts';

export const ELEMENT_SPEC: Readonly<Record<string, FloatSpec | 'int8'>> = {
  'mxfp8-e4m3': SPEC.e4m3, 'mxfp8-e5m2': SPEC.e5m2, 'mxfp6-e3m2': SPEC.e3m2, 'mxfp6-e2m3': SPEC.e2m3,
  mxfp4: SPEC.e2m1, mxint8: 'int8', nvfp4: SPEC.e2m1,
};

/** exact value of an element code: a float element, or int8 two's complement x 2^-6 */
export function elementExact(name: string, code: number): Exact {
  const s = ELEMENT_SPEC[name];
  if (s === 'int8') {
    const v = code >= 128 ? code - 256 : code;
    return num(v < 0, BigInt(Math.abs(v)), -6);
  }
  return decodeExact(s, code);
}

/** exact value of a block scale code: E8M0 2^(e-127) (0xFF NaN), or NVFP4's E4M3 */
export function scaleExact(name: string, code: number): Exact {
  if (name === 'nvfp4') return decodeExact(SPEC.e4m3, code);
  return code === 0xff ? { kind: 'nan' } : pow2Exact(code - 127);
}

/** an exact value rounded into a register of `bits` significand bits with fp32's exponent */
export function roundInto(bits: number, round: 'rne' | 'trunc', v: Exact): Exact {
  const s: FloatSpec = { expBits: 8, manBits: bits - 1, bias: 127, specials: 'ieee' };
  return decodeExact(s, encodeExact(s, v, { round }));
}

/**
 * A product as the adder tree holds it: exact, except MXFP8 E5M2's, whose exact tree would be
 * 64 + ceil(log2 k) + 1 bits (products 2^-32 .. 2^31.6): its tree is 53 bits, and each
 * product is truncated toward zero at its LSB, 2^(-32 + exact width - 53).
 */
export function treeProduct(name: string, k: number, p: Exact): Exact {
  if (name !== 'mxfp8-e5m2' || p.kind !== 'num') return p;
  const exact = 64 + Math.ceil(Math.log2(k)) + 1;
  if (exact <= 53) return p;
  const lsb = -32 + exact - 53;
  return p.exp >= lsb ? p : num(p.neg, p.mag >> BigInt(lsb - p.exp), lsb);
}
