/**
 * Partial-sum storage. Every value that leaves the array (a partial sum between folds, or a
 * final output) is stored in the partial-sum format and, when it comes back, re-enters the
 * accumulator from that format. With no separate format it is the accumulator format and the
 * round trip is the identity; with a narrower one it rounds, and both engines show it.
 */
import { decode, encode } from '../pe/codec.ts';
import { isPlainFp32 } from '../pe/accumulator.ts';
import type { NumberFormat } from '../pe/formats.ts';
import type { PeKind } from '../pe/types.ts';

export interface PsumStore {
  readonly format: NumberFormat;
  /** accumulator state as it is after being stored and read back */
  roundTrip(acc: number): number;
  /** bit pattern stored (in `format`) */
  bits(acc: number): number;
  /**
   * The round trip gives back every state the accumulator can hold (fp32 or int32 states in
   * their own format): passes between which it is the only step may run as one.
   */
  readonly identity: boolean;
}

export function psumStore(pe: PeKind, format?: NumberFormat): PsumStore {
  if (format === undefined || sameFormat(format, pe.acc)) {
    // the value leaves the PE in the accumulator format (a wider internal adder rounds here)
    const generic = (acc: number) => pe.accFromBits(pe.accToBits(acc));
    const a = pe.acc;
    // a state that is already a value of the format comes back unchanged: fp32 states that
    // Math.fround keeps, int32 states that |0 keeps (NaN and anything wider take the codec)
    const roundTrip = a.kind === 'float' && isPlainFp32(a)
      ? (acc: number) => (Math.fround(acc) === acc ? acc : generic(acc))
      : a.kind === 'int' && a.bits === 32
        ? (acc: number) => (Object.is(acc | 0, acc) ? acc : generic(acc))
        : generic;
    // fp32 states are fp32 values or NaN (which the codec gives back as NaN); int32 states are int32
    const identity = roundTrip !== generic;
    return { format: pe.acc, roundTrip, bits: (acc) => pe.accToBits(acc), identity };
  }
  const f = format;
  return {
    format: f,
    // stored in f, read back into the accumulator (exact when f is no wider than it)
    roundTrip: (acc) => pe.accFromBits(encode(pe.acc, decode(f, encode(f, pe.accValue(acc))))),
    bits: (acc) => encode(f, pe.accValue(acc)),
    identity: false,
  };
}

function sameFormat(a: NumberFormat, b: NumberFormat): boolean {
  if (a.kind !== b.kind || a.bits !== b.bits || a.name !== b.name) return false;
  return a.kind !== 'float' || b.kind !== 'float' || (a.bias === b.bias && a.specials === b.specials);
}
