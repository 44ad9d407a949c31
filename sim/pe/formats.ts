/**
 * Number formats as data. A format is a descriptor; one generic codec (float-codec.ts,
 * int-codec.ts) serves all of them. Values travel as integer bit patterns.
 */
import { InputError, unknownName } from '../errors.ts';
import type { BlockOperandFormat } from './block-formats.ts';

/**
 * How a float format spends its all-ones exponent and its negative zero:
 * - `ieee`: all-ones exponent is Inf (mantissa 0) or NaN (otherwise); -0 exists.
 * - `fn`  : "finite": no Inf; only all-ones exponent with all-ones mantissa is NaN (OCP e4m3fn).
 * - `fnuz`: "finite, no negative zero": no Inf, the pattern 1000...0 is the only NaN.
 * - `none`: no Inf and no NaN at all, every code is a number, -0 exists (the OCP MX FP6 and
 *   FP4 element formats, OCP MX v1.0 section 5.3). Conversion can only saturate: overflow and
 *   infinities clamp to +-max, and NaN has no encoding (the encoder refuses it).
 */
export type SpecialsStyle = 'ieee' | 'fn' | 'fnuz' | 'none';

export interface FloatFormat {
  readonly kind: 'float';
  readonly name: string;
  readonly expBits: number;
  readonly manBits: number;
  readonly bias: number;
  readonly specials: SpecialsStyle;
  /** total width: sign + exponent + mantissa */
  readonly bits: number;
  /** magnitude code (no sign bit) of the largest finite value */
  readonly maxFiniteCode: number;
  readonly maxFinite: number;
  readonly minNormal: number;
  readonly minSubnormal: number;
  /** weight of the sign bit: 2^(bits-1) */
  readonly signBit: number;
  /** canonical NaN pattern this format produces, or undefined where the format has none */
  readonly nanCode: number | undefined;
  /** +Inf pattern, or undefined where the format has none */
  readonly infCode: number | undefined;
  readonly description: string;
}

/** Two's-complement signed integer. */
export interface IntFormat {
  readonly kind: 'int';
  readonly name: string;
  readonly bits: number;
  readonly min: number;
  readonly max: number;
  readonly description: string;
}

/**
 * An exponent-only, unsigned scale format (OCP MX E8M0, v1.0 section 5.4.1): a code e is the
 * power of two 2^(e - bias); the all-ones code is NaN; there is no sign, no zero and no Inf.
 */
export interface ExpFormat {
  readonly kind: 'exp';
  readonly name: string;
  readonly bits: number;
  readonly bias: number;
  /** smallest and largest exponent: 2^minExp is code 0, 2^maxExp the code below NaN */
  readonly minExp: number;
  readonly maxExp: number;
  readonly nanCode: number;
  readonly description: string;
}

/** {-1, 0, +1} in a 2-bit two's-complement field: 0b00 = 0, 0b01 = +1, 0b11 = -1 (0b10 invalid). */
export interface TernaryFormat {
  readonly kind: 'ternary';
  readonly name: 'ternary';
  readonly bits: 2;
  readonly description: string;
}

/** +-1 in one bit, Larq's convention: bit 0 means +1, bit 1 means -1. */
export interface BinaryFormat {
  readonly kind: 'binary';
  readonly name: 'binary';
  readonly bits: 1;
  readonly description: string;
}

/** An operand of a block PE (MX, NVFP4): element, its block's scale, a block-start flag (block-formats.ts). */
export type { BlockOperandFormat } from './block-formats.ts';

export type NumberFormat = FloatFormat | IntFormat | ExpFormat | TernaryFormat | BinaryFormat | BlockOperandFormat;

export function floatFormat(
  name: string,
  expBits: number,
  manBits: number,
  opts: { bias?: number; specials?: SpecialsStyle; description?: string } = {},
): FloatFormat {
  if (!Number.isInteger(expBits) || expBits < 1 || expBits > 11) {
    throw new InputError(`format ${name}: exponent bits must be an integer in 1..11, got ${expBits}`);
  }
  if (!Number.isInteger(manBits) || manBits < 0 || manBits > 23) {
    throw new InputError(`format ${name}: mantissa bits must be an integer in 0..23, got ${manBits}`);
  }
  const specials = opts.specials ?? 'ieee';
  const bias = opts.bias ?? 2 ** (expBits - 1) - 1;
  const bits = 1 + expBits + manBits;
  const expMax = 2 ** expBits - 1;
  const manMax = 2 ** manBits - 1;
  // Largest finite magnitude code: the all-ones exponent is reserved (ieee), or only its
  // all-ones mantissa is (fn), or nothing is (fnuz: NaN lives at the negative-zero pattern;
  // none: there is no NaN).
  let maxFiniteCode: number;
  if (specials === 'ieee') maxFiniteCode = (expMax - 1) * 2 ** manBits + manMax;
  else if (specials === 'fn') maxFiniteCode = expMax * 2 ** manBits + manMax - 1;
  else maxFiniteCode = expMax * 2 ** manBits + manMax;
  if (specials === 'ieee' && expBits < 2) {
    throw new InputError(`format ${name}: an IEEE-style format needs at least 2 exponent bits`);
  }
  if (specials === 'fn' && expBits + manBits < 2) {
    throw new InputError(`format ${name}: too narrow for a NaN pattern`);
  }
  const signBit = 2 ** (bits - 1);
  const emin = 1 - bias;
  const maxExpField = Math.floor(maxFiniteCode / 2 ** manBits);
  const maxMan = maxFiniteCode - maxExpField * 2 ** manBits;
  const maxFinite = (1 + maxMan / 2 ** manBits) * 2 ** (maxExpField - bias);
  const nanCode =
    specials === 'ieee'
      ? expMax * 2 ** manBits + (manBits > 0 ? 2 ** (manBits - 1) : 0)
      : specials === 'fn'
        ? expMax * 2 ** manBits + manMax
        : specials === 'fnuz'
          ? signBit
          : undefined;
  if (specials === 'ieee' && manBits === 0) {
    throw new InputError(`format ${name}: an IEEE-style format needs a mantissa bit to encode NaN`);
  }
  return {
    kind: 'float',
    name,
    expBits,
    manBits,
    bias,
    specials,
    bits,
    maxFiniteCode,
    maxFinite,
    minNormal: 2 ** emin,
    minSubnormal: 2 ** (emin - manBits),
    signBit,
    nanCode,
    infCode: specials === 'ieee' ? expMax * 2 ** manBits : undefined,
    description: opts.description ?? `custom float: ${expBits}-bit exponent, ${manBits}-bit mantissa, bias ${bias}`,
  };
}

/** An unsigned exponent-only format: code e is 2^(e - bias), all ones is NaN. */
export function expFormat(name: string, bits: number, bias: number, description: string): ExpFormat {
  if (!Number.isInteger(bits) || bits < 2 || bits > 10) throw new InputError(`format ${name}: width must be 2..10 bits`);
  const nanCode = 2 ** bits - 1;
  return { kind: 'exp', name, bits, bias, minExp: -bias, maxExp: nanCode - 1 - bias, nanCode, description };
}

function intFormat(bits: number, description: string): IntFormat {
  return { kind: 'int', name: `int${bits}`, bits, min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1, description };
}

export const FP32 = floatFormat('fp32', 8, 23, { description: 'IEEE 754 binary32' });
export const FP16 = floatFormat('fp16', 5, 10, { description: 'IEEE 754 binary16' });
export const BF16 = floatFormat('bf16', 8, 7, { description: 'bfloat16 (fp32 exponent, 7-bit mantissa)' });
export const E4M3 = floatFormat('e4m3', 4, 3, {
  specials: 'fn',
  description: 'OCP FP8 E4M3 (e4m3fn): no Inf, NaN = S.1111.111, max 448',
});
export const E5M2 = floatFormat('e5m2', 5, 2, { description: 'OCP FP8 E5M2: IEEE-style Inf/NaN, max 57344' });
export const E4M3FNUZ = floatFormat('e4m3fnuz', 4, 3, {
  bias: 8,
  specials: 'fnuz',
  description: 'FP8 E4M3 FNUZ (Graphcore/AMD): bias 8, no Inf, no -0, NaN = 0x80, max 240',
});
export const E5M2FNUZ = floatFormat('e5m2fnuz', 5, 2, {
  bias: 16,
  specials: 'fnuz',
  description: 'FP8 E5M2 FNUZ: bias 16, no Inf, no -0, NaN = 0x80, max 57344',
});
export const E4M3IEEE = floatFormat('e4m3ieee', 4, 3, {
  description: 'IEEE-style E4M3 (with Inf, max 240); not the OCP format',
});
// OCP Microscaling Formats (MX) v1.0 (2023), section 5.3: the FP6 and FP4 element formats
// have no Inf and no NaN; section 5.4.1: the E8M0 scale.
export const E3M2 = floatFormat('e3m2', 3, 2, {
  specials: 'none',
  description: 'OCP MX FP6 E3M2: bias 3, no Inf/NaN, max 28, min subnormal 0.0625',
});
export const E2M3 = floatFormat('e2m3', 2, 3, {
  specials: 'none',
  description: 'OCP MX FP6 E2M3: bias 1, no Inf/NaN, max 7.5, min subnormal 0.125',
});
export const E2M1 = floatFormat('e2m1', 2, 1, {
  specials: 'none',
  description: 'OCP MX FP4 E2M1: bias 1, no Inf/NaN, values 0, 0.5, 1, 1.5, 2, 3, 4, 6',
});
export const E8M0 = expFormat('e8m0', 8, 127, 'OCP MX scale E8M0: 2^(e-127), e = 0..254, 0xFF = NaN, no sign, no zero');
export const INT32 = intFormat(32, '32-bit two\'s-complement integer (accumulators)');
export const INT16 = intFormat(16, '16-bit two\'s-complement integer');
export const INT8 = intFormat(8, '8-bit two\'s-complement integer');
export const INT4 = intFormat(4, '4-bit two\'s-complement integer');
export const TERNARY: TernaryFormat = {
  kind: 'ternary',
  name: 'ternary',
  bits: 2,
  description: '{-1, 0, +1} as 2-bit two\'s complement (00 = 0, 01 = +1, 11 = -1)',
};
export const BINARY: BinaryFormat = {
  kind: 'binary',
  name: 'binary',
  bits: 1,
  description: '+-1 in one bit (Larq convention: 0 = +1, 1 = -1)',
};

const NAMED: readonly NumberFormat[] = [
  FP32, FP16, BF16, E4M3, E5M2, E4M3FNUZ, E5M2FNUZ, E4M3IEEE, E3M2, E2M3, E2M1, E8M0,
  INT32, INT16, INT8, INT4, TERNARY, BINARY,
];
const ALIASES: Readonly<Record<string, string>> = {
  float32: 'fp32',
  float16: 'fp16',
  half: 'fp16',
  bfloat16: 'bf16',
  e4m3fn: 'e4m3',
  'fp8-e4m3': 'e4m3',
  'fp8-e5m2': 'e5m2',
  float8_e4m3fn: 'e4m3',
  float8_e5m2: 'e5m2',
  float8_e4m3fnuz: 'e4m3fnuz',
  float8_e5m2fnuz: 'e5m2fnuz',
  'fp6-e3m2': 'e3m2',
  'fp6-e2m3': 'e2m3',
  'fp4-e2m1': 'e2m1',
  fp4: 'e2m1',
  float6_e3m2fn: 'e3m2',
  float6_e2m3fn: 'e2m3',
  float4_e2m1fn: 'e2m1',
  float8_e8m0fnu: 'e8m0',
};

export function namedFormats(): readonly NumberFormat[] {
  return NAMED;
}

const CUSTOM = /^e(\d+)m(\d+)$/;

/**
 * Looks a format up by name: a named one, an alias, or a custom `eXmY` (IEEE-style specials).
 * The named MX element formats (e3m2, e2m3, e2m1) take precedence over the custom reading.
 */
export function getFormat(name: string): NumberFormat {
  const key = name.trim().toLowerCase();
  const canonical = ALIASES[key] ?? key;
  const named = NAMED.find((f) => f.name === canonical);
  if (named) return named;
  const m = CUSTOM.exec(canonical);
  if (m) return floatFormat(canonical, Number(m[1]), Number(m[2]));
  throw unknownName('format', name, [...NAMED.map((f) => f.name), 'eXmY (custom, e.g. e3m4)']);
}

/** The NaN pattern of f; the MX element formats (specials 'none') have none and cannot encode NaN. */
export function nanCodeOf(f: FloatFormat): number {
  if (f.nanCode === undefined) throw new InputError(`cannot convert NaN to ${f.name}: the format has no NaN`);
  return f.nanCode;
}

export function isFloat(f: NumberFormat): f is FloatFormat {
  return f.kind === 'float';
}

/** Bytes one value occupies in memory; sub-byte formats report a fraction (packed storage). */
export function bytesPerValue(f: NumberFormat): number {
  // a block operand: its element and its share of the block's scale (the pattern's other bits
  // are the array's, not memory's)
  return f.kind === 'block' ? f.storageBits / 8 : f.bits / 8;
}
