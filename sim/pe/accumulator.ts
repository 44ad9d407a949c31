/**
 * Accumulators: a floating-point adder that rounds once per addition into its format, or an
 * integer adder with documented overflow behaviour.
 *
 * Float: the state is the float64 image of a value of the internal format. Adding a product
 * rounds the exact sum once: float64 forms s + p and its exact error (TwoSum), and the
 * encoder uses the error as a sticky bit, so no double rounding happens even when the
 * product is wider than the accumulator. For an fp32 adder fed with at most 24-bit operands,
 * Math.fround(s + p) is already the correctly rounded sum (float64 has 53 >= 2*24+2 bits),
 * and is used as the fast path.
 * A wider `internal` format models an adder that keeps more bits inside the PE and rounds to
 * the partial-sum format only when a value leaves it (accToBits).
 *
 * Integer: two's-complement wrap-around at the accumulator width (what a plain adder does), or
 * saturation at the range limits when `saturate` is set.
 */
import { InputError } from '../errors.ts';
import { decodeInt, intToBits } from './codec.ts';
import { decodeFloat, encodeFloat, floatDecodeTable, type Rounding } from './float-codec.ts';
import type { FloatFormat, IntFormat, NumberFormat } from './formats.ts';

export interface Accumulator {
  /** the partial-sum format: what leaves the PE */
  readonly format: NumberFormat;
  /** the adder's own format (equal to `format` unless a wider internal adder was asked for) */
  readonly internal: NumberFormat;
  readonly saturate: boolean;
  readonly zero: number;
  /**
   * state + value rounded once into the internal format. Precondition: value is a PE product
   * or an accumulator state (at most 24 significant bits), which the fp32 fast path needs.
   */
  add(state: number, value: number): number;
  toBits(state: number): number;
  fromBits(bits: number): number;
  value(state: number): number;
}

export function isPlainFp32(f: FloatFormat): boolean {
  return f.expBits === 8 && f.manBits === 23 && f.bias === 127 && f.specials === 'ieee';
}

/** The float64 image of the exact sum s + p rounded once into f (to nearest even, or toward zero). */
export function roundedSum(f: FloatFormat, s: number, p: number, saturate: boolean, round: Rounding = 'rne'): number {
  const sum = s + p;
  if (sum === Infinity || sum === -Infinity || sum !== sum) {
    return decodeFloat(f, encodeFloat(f, sum, { saturate, round }));
  }
  // TwoSum (Knuth): sum + err == s + p exactly
  const bb = sum - s;
  const err = s - (sum - bb) + (p - bb);
  const bits = encodeFloat(f, sum, { saturate, round }, err);
  return f.bits <= 16 ? floatDecodeTable(f)[bits] : decodeFloat(f, bits);
}

/**
 * The value of a state that already is its value (an accumulator whose internal format is its
 * format): one shared function, so that hot loops can test for it and skip the call.
 */
export const stateIsValue = (s: number): number => s;

function floatAccumulator(format: FloatFormat, internal: FloatFormat, saturate: boolean): Accumulator {
  const fastFp32 = isPlainFp32(internal) && !saturate;
  const add = fastFp32
    ? (s: number, p: number) => Math.fround(s + p)
    : (s: number, p: number) => roundedSum(internal, s, p, saturate);
  const sameFormat = internal === format || (internal.name === format.name && internal.bias === format.bias);
  return {
    format,
    internal,
    saturate,
    zero: 0,
    add,
    toBits: (s) => encodeFloat(format, s, { saturate }),
    fromBits: (bits) => decodeFloat(format, bits),
    value: sameFormat ? stateIsValue : (s) => decodeFloat(format, encodeFloat(format, s, { saturate })),
  };
}

function intAccumulator(format: IntFormat, internal: IntFormat, saturate: boolean): Accumulator {
  const w = internal.bits;
  const { min, max } = internal;
  const wrap = w === 32 ? (v: number) => v | 0 : (v: number) => decodeInt(internal, intToBits(internal, v));
  const add = saturate
    ? (s: number, p: number) => {
        const v = s + p;
        return v > max ? max : v < min ? min : v;
      }
    : (s: number, p: number) => wrap(s + p);
  // wrapping into a format of at most 32 bits: the two's-complement shift pair on an integer
  // state (what intToBits then decodeInt give, without two float remainders per state)
  const sh = 32 - format.bits;
  const narrow = saturate
    ? (s: number) => Math.min(format.max, Math.max(format.min, s))
    : sh >= 0
      ? (s: number) => (Number.isInteger(s) && Math.abs(s) < 2 ** 53 ? (s << sh) >> sh : decodeInt(format, intToBits(format, s)))
      : (s: number) => decodeInt(format, intToBits(format, s));
  return {
    format,
    internal,
    saturate,
    zero: 0,
    add,
    toBits: (s) => intToBits(format, narrow(s)),
    fromBits: (bits) => decodeInt(format, bits),
    // a state is a value of the internal format (add wraps or saturates into it, fromBits
    // decodes one): in a format as wide, it is its own value (hot loops skip the call)
    value: format.bits === w ? stateIsValue : narrow,
  };
}

export function makeAccumulator(format: NumberFormat, internal: NumberFormat = format, saturate = false): Accumulator {
  if (format.kind === 'float' && internal.kind === 'float') {
    for (const f of [format, internal]) {
      // a sum of NaN or Inf products has no encoding there; they are block element formats
      if (f.specials === 'none') throw new InputError(`accumulator format ${f.name} has no Inf/NaN: the MX element formats are only block PE operands`);
    }
    if (internal.manBits < format.manBits || internal.expBits < format.expBits) {
      throw new InputError(`internal accumulator ${internal.name} is narrower than the partial-sum format ${format.name}`);
    }
    if (internal.manBits > 23) throw new InputError(`accumulators wider than fp32 are not supported (${internal.name})`);
    return floatAccumulator(format, internal, saturate);
  }
  if (format.kind === 'int' && internal.kind === 'int') {
    if (internal.bits < format.bits) {
      throw new InputError(`internal accumulator ${internal.name} is narrower than the partial-sum format ${format.name}`);
    }
    if (internal.bits > 32) throw new InputError(`integer accumulators wider than 32 bits are not supported`);
    return intAccumulator(format, internal, saturate);
  }
  throw new InputError(
    `accumulator format ${format.name} (internal ${internal.name}) must be a float or an integer format, both of the same kind`,
  );
}

