/**
 * Exact references for the block-format tests (not a test file): element and scale values
 * from the formats' field definitions (OCP MX v1.0 section 5; NVFP4's E4M3 scale), the
 * accumulator register's rounding, and the E5M2 adder tree's stated truncation.
 */
import { operandElement, operandScale, operandStarts, type BlockOperandFormat } from '../../sim/pe/block-formats.ts';
import type { PeKind } from '../../sim/pe/types.ts';
import {
  SPEC, addExact, decodeExact, encodeExact, fromDouble, mulExact, num, pow2Exact, toDouble, type Exact, type FloatSpec,
} from './exact-rational.ts';

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

/**
 * A run of products as the PE adds it, exactly: blocks begin at flagged elements (or where the
 * run begins), each block's exact sum times both scales is rounded into the register; with
 * promotion every P products (counted in whole blocks) the register goes into fp32.
 */
export function runRef(pe: PeKind, a: number[], b: number[], acc0: number, bits = 24, round: 'rne' | 'trunc' = 'rne', promote = 0): number {
  const fa = pe.input as BlockOperandFormat, fb = pe.weight as BlockOperandFormat;
  const name = pe.name, k = fa.block.blockSize;
  let full: Exact = fromDouble(acc0), regv: Exact = promote > 0 ? num(false, 0n, 0) : fromDouble(acc0);
  let since = 0;
  let block: Exact | undefined, len = 0, scale: Exact = num(false, 1n, 0);
  const flush = () => {
    if (block === undefined) return;
    regv = roundInto(bits, round, addExact(regv, mulExact(block, scale)));
    if (promote > 0 && (since += len) >= promote) {
      full = roundInto(24, 'rne', addExact(full, regv));
      regv = num(false, 0n, 0);
      since = 0;
    }
    block = undefined;
    len = 0;
  };
  a.forEach((x, i) => {
    const y = b[i];
    if (block === undefined || operandStarts(fa, x)) {
      flush();
      block = num(false, 0n, 0);
      scale = mulExact(scaleExact(name, operandScale(fa, x)), scaleExact(name, operandScale(fb, y)));
    }
    block = addExact(block as Exact, treeProduct(name, k, mulExact(elementExact(name, operandElement(fa, x)), elementExact(name, operandElement(fb, y)))));
    len++;
  });
  flush();
  return toDouble(promote > 0 ? roundInto(24, 'rne', addExact(full, regv)) : regv);
}

/** random operand patterns: finite element codes, scales in a moderate range, block starts every k */
export function operands(pe: PeKind, n: number, offset: number, r: () => number): number[] {
  const f = pe.input as BlockOperandFormat;
  const k = f.block.blockSize;
  const out: number[] = [];
  let scale = 0;
  for (let i = 0; i < n; i++) {
    const pos = offset + i;
    if (pos % k === 0 || i === 0) scale = f.block.kind === 'mx' ? 100 + Math.floor(r() * 50) : 0x30 + Math.floor(r() * 0x40);
    let el: number;
    do el = Math.floor(r() * 2 ** f.elementBits); while (elementExact(pe.name, el).kind !== 'num');
    out.push(el + scale * 2 ** f.elementBits + (pos % k === 0 ? 2 ** (f.bits - 1) : 0));
  }
  return out;
}

export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
