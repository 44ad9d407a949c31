/**
 * Radix-4 modified Booth encoding, the encoder EN-T (arXiv 2404.11887) places once per row
 * of the array instead of once per PE: the shared (broadcast) operand is encoded once and
 * the digits travel along the row; each PE keeps only partial-product selection and the
 * adder tree. Numerically it is exact: the products equal plain integer products.
 *
 * A w-bit two's-complement multiplier x (w even) becomes w/2 digits
 *   d_i = -2 * x[2i+1] + x[2i] + x[2i-1]   (x[-1] = 0),   d_i in {-2, -1, 0, +1, +2},
 * and x = sum_i d_i * 4^i. Each digit is sent as three control bits, as the hardware does:
 *   neg (subtract), one (select +-y), two (select +-2y).
 */
import { InputError } from '../errors.ts';

/** Control bits of one digit: bit 0 = one, bit 1 = two, bit 2 = neg. */
export const BOOTH_ONE = 1;
export const BOOTH_TWO = 2;
export const BOOTH_NEG = 4;

/** Digits a w-bit operand needs (w rounded up to even). */
export function boothDigitCount(width: number): number {
  return Math.ceil(width / 2);
}

/**
 * Encodes a signed integer of `width` bits into radix-4 Booth digits, 3 control bits per
 * digit packed from the least significant digit up (digit i in bits 3i..3i+2; up to 17 digits).
 */
export function boothEncode(x: number, width: number): number {
  if (!Number.isInteger(x) || x < -(2 ** (width - 1)) || x >= 2 ** (width - 1)) {
    throw new InputError(`Booth encoder: ${x} is not a ${width}-bit signed integer`);
  }
  const digits = boothDigitCount(width);
  if (3 * digits > 53) throw new InputError(`Booth encoder: ${width} bits is too wide for one packed code`);
  let code = 0;
  let prev = 0; // x[2i-1]
  for (let i = 0; i < digits; i++) {
    // bits of x in two's complement, sign-extended beyond width
    const b0 = bitOf(x, 2 * i, width);
    const b1 = bitOf(x, 2 * i + 1, width);
    let ctl = 0;
    // truth table of the modified Booth recoder on (b1, b0, prev)
    const triple = (b1 << 2) | (b0 << 1) | prev;
    switch (triple) {
      case 0b000: case 0b111: ctl = 0; break; //  0
      case 0b001: case 0b010: ctl = BOOTH_ONE; break; // +1
      case 0b011: ctl = BOOTH_TWO; break; // +2
      case 0b100: ctl = BOOTH_NEG | BOOTH_TWO; break; // -2
      case 0b101: case 0b110: ctl = BOOTH_NEG | BOOTH_ONE; break; // -1
    }
    code += ctl * 8 ** i; // arithmetic, not shifts: codes of wide operands pass 32 bits
    prev = b1;
  }
  return code;
}

function bitOf(x: number, i: number, width: number): number {
  const j = i >= width ? width - 1 : i; // sign extension
  return (x >> j) & 1;
}

/** The value of digit i of a packed encoding. */
function control(code: number, i: number): number {
  return Math.floor(code / 8 ** i) % 8;
}

export function boothDigit(code: number, i: number): number {
  const ctl = control(code, i);
  const mag = ctl & BOOTH_TWO ? 2 : ctl & BOOTH_ONE ? 1 : 0;
  return ctl & BOOTH_NEG ? -mag : mag;
}

/**
 * What an EN-T PE does with the broadcast digits: select +-y or +-2y per digit (a shift and
 * a conditional negation), weight by 4^i, and add the partial products.
 */
export function boothMultiply(code: number, digits: number, y: number): number {
  let sum = 0;
  for (let i = 0; i < digits; i++) {
    const ctl = control(code, i);
    let pp = ctl & BOOTH_TWO ? y * 2 : ctl & BOOTH_ONE ? y : 0;
    if (ctl & BOOTH_NEG) pp = -pp;
    sum += pp * 4 ** i;
  }
  return sum;
}
