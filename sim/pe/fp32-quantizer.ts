/**
 * Fast, exact rounding of fp32 values into narrow float formats (at most 7 mantissa bits:
 * the fp8 kinds, e8m3/e8m4, bf16...; fp16 and other IEEE formats of 8-22 mantissa bits by
 * integer shifting, shiftRound below), for hot loops that quantize activations.
 *
 * Rounding an fp32 value to <= 6 mantissa bits depends on its top 16 bits (sign, exponent,
 * 7 mantissa bits: the kept bits and the guard bit) and on whether any of the low 16 bits is
 * set (they only feed the sticky bit). So two tables of 65,536 codes, built with the generic
 * encoder, give the exact result: one for a zero low half, one for a non-zero low half.
 * With 7 mantissa bits (bf16) the guard bit is bit 15, the top bit of the low half: the low
 * half then counts as zero, below half, exactly half or above half, four tables. An fp32
 * value into fp32 itself is its own bit pattern (NaN: the canonical pattern, as the encoder
 * gives).
 */
import { encodeFloat, type EncodeOptions } from './float-codec.ts';
import type { FloatFormat } from './formats.ts';
import { narrowRows, probeInputs, type NarrowFormat, type NarrowRows } from './wasm/narrow-quantize.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function fp32Of(bits: number): number {
  u32[0] = bits;
  return f32[0];
}

export type Fp32Quantizer = ((x: number) => number) & {
  /**
   * The same codes for a whole array (dst[i] for src[i]), reading src's bit patterns in place:
   * no call per element. Absent where a value needs a check first (formats without NaN).
   */
  readonly many?: (src: Float32Array, dst: Uint32Array) => void;
  /**
   * The WebAssembly rows' description of the format where they give the tables' codes on
   * every class of input (checked on first use), else undefined: a GEMM kernel quantizes fp32
   * operands with it where it reads them (sim/pe/wasm/f32-rows.ts PassArgs.aNarrow)
   */
  readonly rows?: () => NarrowFormat | undefined;
};

const bitsOf = (src: Float32Array) => new Uint32Array(src.buffer, src.byteOffset, src.length);

/** A quantizer for fp32 inputs (x must be an fp32 value), or undefined if f is too wide. */
export function fp32Quantizer(f: FloatFormat, opts: EncodeOptions = {}): Fp32Quantizer | undefined {
  if (f.expBits === 8 && f.manBits === 23 && f.bias === 127 && f.specials === 'ieee' && !opts.ftz && !opts.saturate) {
    const nan = f.nanCode as number; // IEEE fp32 has NaN
    const one = (x: number) => {
      if (x !== x) return nan;
      f32[0] = x;
      return u32[0];
    };
    const many = (src: Float32Array, dst: Uint32Array) => {
      const b = bitsOf(src);
      for (let i = 0; i < b.length; i++) dst[i] = src[i] !== src[i] ? nan : b[i];
    };
    return Object.assign(one, { many });
  }
  if (f.manBits > 7 && f.manBits < 23 && f.expBits <= 8 && f.specials === 'ieee' && !opts.saturate && !opts.ftz && (opts.round ?? 'rne') === 'rne') {
    return shiftRound(f);
  }
  if (f.manBits > 7 || f.bits > 16) return undefined;
  if (f.manBits === 7) return f.nanCode === undefined ? undefined : guardInLowHalf(f, opts);
  const exactLow = new Uint16Array(65536);
  const stickyLow = new Uint16Array(65536);
  // a format without NaN (OCP MX FP6/FP4) cannot encode fp32 NaN patterns: their entries
  // stay 0 and the quantizer refuses NaN before looking up, as encodeFloat does
  const noNaN = f.nanCode === undefined;
  for (let hi = 0; hi < 65536; hi++) {
    const isNaNPattern = (hi & 0x7f80) === 0x7f80 && (hi & 0x7f) !== 0;
    if (noNaN && isNaNPattern) continue;
    exactLow[hi] = encodeFloat(f, fp32Of(hi * 65536), opts);
    stickyLow[hi] = noNaN && (hi & 0x7fff) === 0x7f80 ? exactLow[hi] : encodeFloat(f, fp32Of(hi * 65536 + 1), opts);
  }
  if (noNaN) {
    return (x) => {
      if (x !== x) return encodeFloat(f, x, opts); // throws: no NaN in f
      f32[0] = x;
      const b = u32[0];
      return (b & 0xffff) === 0 ? exactLow[b >>> 16] : stickyLow[b >>> 16];
    };
  }
  const one = (x: number) => {
    f32[0] = x;
    const b = u32[0];
    return (b & 0xffff) === 0 ? exactLow[b >>> 16] : stickyLow[b >>> 16];
  };
  // both tables in one, the sticky one above: indexed without a branch on the low half
  // (after relu half the activations are 0, so a branch on it mispredicts half the time)
  const both = new Uint16Array(131072);
  both.set(exactLow);
  both.set(stickyLow, 65536);
  const lookUp = (src: Float32Array, dst: Uint32Array) => {
    const bits = bitsOf(src);
    for (let i = 0; i < bits.length; i++) {
      const b = bits[i];
      dst[i] = both[(b >>> 16) | ((((b & 0xffff) + 0xffff) >>> 16) << 16)];
    }
  };
  // the WebAssembly rows compute the codes (a table lookup per value misses the cache: an
  // attention matmul spent a third of its time here), once they agree with the tables
  let checked: NarrowFormat | null | undefined;
  const rows = (): NarrowFormat | undefined => {
    const wasm = narrowRows();
    if (!wasm) return undefined;
    if (checked === undefined) checked = narrowFormatOf(f, exactLow, stickyLow, wasm);
    return checked ?? undefined;
  };
  const many = (src: Float32Array, dst: Uint32Array) => {
    const desc = rows();
    if (!desc || !narrowRows()!.run(src, dst, desc)) lookUp(src, dst);
  };
  return Object.assign(one, { many, rows });
}

/**
 * The rows' description of f, or null unless they give the tables' code for every class of fp32
 * input: each top half (sign, exponent, 7 mantissa bits) with a zero low half and with a
 * non-zero one (the code depends on nothing else: rounding to at most 7 bits sees the low half
 * only as sticky).
 */
function narrowFormatOf(f: FloatFormat, exactLow: Uint16Array, stickyLow: Uint16Array, wasm: NarrowRows): NarrowFormat | null {
  const desc: NarrowFormat = {
    manBits: f.manBits, bias: f.bias, minNormalBits: fp32BitsOf(f.minNormal), maxFinite: f.maxFinite,
    overflow: exactLow[0x7f7f], inf: exactLow[0x7f80], nan: exactLow[0x7fc0], signShift: f.bits - 1,
  };
  const src = probeInputs();
  const got = new Uint32Array(src.length);
  if (!wasm.probe(src, got, desc)) return null;
  for (let hi = 0; hi < 65536; hi++) if (got[hi] !== exactLow[hi] || got[65536 + hi] !== stickyLow[hi]) return null;
  return desc;
}

function fp32BitsOf(x: number): number {
  f32[0] = x;
  return u32[0];
}

const encoders = new WeakMap<FloatFormat, (x: number) => number>();

/**
 * RNE, saturating conversion into a narrow format (MX and NVFP4 elements and scales): through
 * the exact fp32 tables above when the value is an fp32 number (the usual case), else the
 * generic encoder. Both give the same code.
 */
export function saturatingEncoder(f: FloatFormat): (x: number) => number {
  let enc = encoders.get(f);
  if (!enc) {
    const opts = { saturate: true };
    const fast = fp32Quantizer(f, opts);
    enc = fast ? (x) => (Math.fround(x) === x ? fast(x) : encodeFloat(f, x, opts)) : (x) => encodeFloat(f, x, opts);
    encoders.set(f, enc);
  }
  return enc;
}

/** 7 mantissa bits: tables for a low half of 0, (0, 0x8000), 0x8000 and above. */
function guardInLowHalf(f: FloatFormat, opts: EncodeOptions): Fp32Quantizer {
  const tables = [0, 1, 0x8000, 0x8001].map((lo) => {
    const t = new Uint16Array(65536);
    for (let hi = 0; hi < 65536; hi++) t[hi] = encodeFloat(f, fp32Of(hi * 65536 + lo), opts);
    return t;
  });
  const [zero, below, half, above] = tables;
  const code = (b: number) => {
    const lo = b & 0xffff, hi = b >>> 16;
    return lo === 0 ? zero[hi] : lo < 0x8000 ? below[hi] : lo === 0x8000 ? half[hi] : above[hi];
  };
  return fromBits(code);
}

/**
 * 8-22 mantissa bits (fp16), IEEE specials, round to nearest even: the rounding position is
 * past the tables' 16 bits, so the bits are shifted and rounded as an integer (the carry of a
 * rounding up moves into the exponent, and out of the largest binade into Inf, as the encoder
 * does). A subnormal result (or an fp32 subnormal input) shifts the whole significand by the
 * distance to the format's subnormal step.
 */
function shiftRound(f: FloatFormat): Fp32Quantizer {
  const m = f.manBits, sh = 23 - m, half = 2 ** (sh - 1), lowMask = 2 ** sh - 1;
  const inf = f.infCode as number, nan = f.nanCode as number, S = f.signBit, maxCode = f.maxFiniteCode;
  const code = (b: number) => {
    const sign = b >>> 31 ? S : 0;
    const e = (b >>> 23) & 0xff, mant = b & 0x7fffff;
    if (e === 0xff) return mant !== 0 ? nan : sign + inf;
    if (e === 0 && mant === 0) return sign;
    const ne = e - 127 + f.bias;
    if (ne >= 1) {
      let r = ne * 2 ** m + (mant >>> sh);
      const rem = mant & lowMask;
      if (rem > half || (rem === half && (r & 1) === 1)) r++;
      return r > maxCode ? sign + inf : sign + r;
    }
    // below the format's normal range: in units of its subnormal step 2^(1 - bias - m)
    const eEff = e === 0 ? 1 : e;
    const full = e === 0 ? mant : mant | 0x800000;
    const drop = 151 - f.bias - m - eEff;
    if (drop >= 26) return sign; // below half the smallest step
    let r = full >>> drop;
    const rem = full & ((1 << drop) - 1), h = 1 << (drop - 1);
    if (rem > h || (rem === h && (r & 1) === 1)) r++;
    return sign + r;
  };
  return fromBits(code);
}

/** A quantizer from a function of the fp32 bit pattern: one value, or a whole array in place. */
function fromBits(code: (bits: number) => number): Fp32Quantizer {
  const one = (x: number) => {
    f32[0] = x;
    return code(u32[0]);
  };
  const many = (src: Float32Array, dst: Uint32Array) => {
    const bits = bitsOf(src);
    for (let i = 0; i < bits.length; i++) dst[i] = code(bits[i]);
  };
  return Object.assign(one, { many });
}
