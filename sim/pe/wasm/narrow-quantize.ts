/**
 * The `narrow` rows of f32-rows.wat: fp32 values into a narrow float format's codes (or their
 * values), four lanes at a time (fp32-quantizer.ts hands them a format only after comparing them
 * with its exact tables on every class of input). They live in the tile kernels' module so that
 * a GEMM's fp32 operands are quantized where its rows read them (PassArgs.aNarrow, wNarrow);
 * standalone, the operands are copied in and the codes out.
 */
import { f32Rows, type F32Rows } from './f32-rows.ts';

/** What the rows need of a format, and the codes its tables give for overflow, Inf and NaN. */
export interface NarrowFormat {
  readonly manBits: number;
  readonly bias: number;
  /** fp32 bit pattern of the smallest normal value */
  readonly minNormalBits: number;
  readonly maxFinite: number;
  /** codes (sign bit clear) of a finite value above the largest, of +Inf and of NaN; their values' fp32 bits with `values` */
  readonly overflow: number;
  readonly inf: number;
  readonly nan: number;
  /** the sign bit's position in a code (31 with `values`) */
  readonly signShift: number;
  /** the rows give each code's value as fp32 bits instead of the code */
  readonly values?: boolean;
}

/** The most values one call takes (the memory then holds 2^28 bytes of them). */
const MAX_VALUES = 2 ** 26;

export class NarrowRows {
  /** arrays quantized here so far (tests read it to see the rows ran) */
  calls = 0;
  constructor(private readonly kernel: F32Rows) {}
  /** dst[i] = the code of src[i]; false (nothing written) for an array too large */
  run(src: Float32Array, dst: Uint32Array, f: NarrowFormat): boolean {
    if (!this.probe(src, dst, f)) return false;
    this.calls++;
    return true;
  }
  /** the same, not counted (a format's check against its tables) */
  probe(src: Float32Array, dst: Uint32Array, f: NarrowFormat): boolean {
    return src.length <= MAX_VALUES && this.kernel.narrow(src, dst, f);
  }
}

let rows: NarrowRows | undefined;

/** The rows, or undefined where WebAssembly kernels are off or SIMD is not available. */
export function narrowRows(): NarrowRows | undefined {
  const kernel = f32Rows();
  if (!kernel) return undefined;
  if (rows === undefined) rows = new NarrowRows(kernel);
  return rows;
}

let probes: Float32Array | undefined;

/**
 * Every class of fp32 input a narrow code depends on (rounding to at most 7 mantissa bits sees
 * the low half only as sticky): each top half (sign, exponent, 7 mantissa bits) with a zero low
 * half at [0, 2^16) and with a non-zero one at [2^16, 2^17).
 */
export function probeInputs(): Float32Array {
  if (!probes) {
    const bits = new Uint32Array(131072);
    for (let hi = 0; hi < 65536; hi++) {
      bits[hi] = hi * 65536;
      bits[65536 + hi] = hi * 65536 + 1;
    }
    probes = new Float32Array(bits.buffer);
  }
  return probes;
}

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const bitsOf = (v: number) => ((f32[0] = v), u32[0]);
const valueForms = new WeakMap<NarrowFormat, WeakMap<object, NarrowFormat | null>>();

/**
 * The `values` form of a format's rows (`f`: its codes form, already checked against its
 * tables) for a decoder (`decode[code]`, as a kernel multiplies them): null unless, on every
 * class of fp32 input, the rows' value is decode[the rows' code] (the same bits; NaN for NaN).
 * Measured once per format and decoder.
 */
export function valuesForm(f: NarrowFormat, decode: ArrayLike<number> & object): NarrowFormat | null {
  let forms = valueForms.get(f);
  if (!forms) valueForms.set(f, (forms = new WeakMap()));
  const known = forms.get(decode);
  if (known !== undefined) return known;
  const wasm = narrowRows();
  if (!wasm) return null;
  const v: NarrowFormat = {
    ...f, values: true, signShift: 31,
    overflow: bitsOf(decode[f.overflow]), inf: bitsOf(decode[f.inf]), nan: bitsOf(decode[f.nan]),
  };
  const src = probeInputs(), codes = new Uint32Array(src.length), values = new Uint32Array(src.length);
  let ok = wasm.probe(src, codes, f) && wasm.probe(src, values, v);
  for (let i = 0; i < src.length && ok; i++) {
    const want = decode[codes[i]];
    u32[0] = values[i];
    const got = f32[0];
    ok = Object.is(got, want) || (got !== got && want !== want);
  }
  const form = ok ? v : null;
  forms.set(decode, form);
  return form;
}
