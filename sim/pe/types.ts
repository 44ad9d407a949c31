/**
 * What a processing element is to the rest of the simulator: a multiplier, an accumulator
 * and their formats. Array engines only talk to PEs through this interface.
 *
 * Accumulator state travels as a plain number for speed: for float accumulators it is the
 * float64 image of a value of the accumulator format (exactly representable in it; bits via
 * `accToBits`), for integer accumulators the (wrapped or saturated) integer itself.
 */
import type { Rounding } from './float-codec.ts';
import type { NumberFormat } from './formats.ts';

export type MultiplierKind = 'float' | 'lmul' | 'int' | 'xnor' | 'ternary';

/** computation reuse in the PE: none, or EN-T's Booth-encoded broadcast operand */
export type Reuse = 'none' | 'ent';

export interface PeKind {
  readonly name: string;
  readonly description: string;
  readonly multiplier: MultiplierKind;
  readonly reuse: Reuse;
  /** activation operand (A, the ifmap side) */
  readonly input: NumberFormat;
  /** weight operand (B, the filter side) */
  readonly weight: NumberFormat;
  readonly product: NumberFormat;
  /** accumulator and partial-sum format */
  readonly acc: NumberFormat;
  /** how reals are rounded into the input formats (L-Mul units truncate or round, by option) */
  readonly inputRounding: Rounding;
  /** how quantizeInput / quantizeWeight convert reals (rounding, saturation) */
  readonly quantizeOptions: { readonly round: Rounding; readonly saturate: boolean };

  quantizeInput(x: number): number;
  quantizeWeight(x: number): number;
  /** product bit pattern (in `product`) of two operand bit patterns */
  mul(a: number, b: number): number;
  /** element-wise products of n operand pairs, as bit patterns */
  mulMany(a: ArrayLike<number>, b: ArrayLike<number>, out: Uint32Array, n: number): void;
  /** accumulator state for 0 */
  readonly accZero: number;
  /** acc + a*b, as the PE computes it: one product, one accumulator addition */
  mac(acc: number, a: number, b: number): number;
  /** acc + other, both accumulator states: merging partial sums (rounded into `acc`) */
  addAcc(acc: number, other: number): number;
  /**
   * Sequential dot product: acc0 + a[aOff]*b[bOff] + a[aOff+aStride]*b[bOff+bStride] + ...,
   * added strictly in that order (the order is part of the hardware).
   */
  dot(
    a: ArrayLike<number>, aOff: number, aStride: number,
    b: ArrayLike<number>, bOff: number, bStride: number,
    n: number, acc0: number,
  ): number;
  accToBits(acc: number): number;
  accFromBits(bits: number): number;
  /** real value of an accumulator state */
  accValue(acc: number): number;
  /** real value of an input / weight bit pattern */
  inputValue(bits: number): number;
  weightValue(bits: number): number;
}
