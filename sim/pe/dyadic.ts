/**
 * Exact dyadic values (mant * 2^exp, BigInt mantissa) for the few places where a sum of
 * doubles must be formed exactly before it is rounded once: a block sum wider than float64's
 * 53 bits (MXFP8 E5M2's 70-bit adder tree), and the exact reference sums of the precision
 * studies. Hot paths stay in float64 and come here only when float64 would round.
 */
import { encodeFloat, type EncodeOptions } from './float-codec.ts';
import type { FloatFormat } from './formats.ts';
import { scaleByPow2 } from './pow2.ts';

export interface Dyadic {
  readonly mant: bigint;
  readonly exp: number;
}

export const DYADIC_ZERO: Dyadic = { mant: 0n, exp: 0 };

const dv = new DataView(new ArrayBuffer(8));

/** The exact value of a finite double. */
export function dyadicOf(x: number): Dyadic {
  if (!Number.isFinite(x)) throw new Error(`dyadicOf(${x}): not finite`);
  dv.setFloat64(0, x);
  const hi = dv.getUint32(0), lo = dv.getUint32(4);
  const neg = hi >>> 31 === 1;
  const ef = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp = -1074;
  if (ef !== 0) {
    mant |= 1n << 52n;
    exp = ef - 1075;
  }
  return { mant: neg ? -mant : mant, exp };
}

export function addDyadic(a: Dyadic, b: Dyadic): Dyadic {
  if (a.mant === 0n) return b;
  if (b.mant === 0n) return a;
  if (a.exp <= b.exp) return { mant: a.mant + (b.mant << BigInt(b.exp - a.exp)), exp: a.exp };
  return { mant: (a.mant << BigInt(a.exp - b.exp)) + b.mant, exp: b.exp };
}

function bitLength(m: bigint): number {
  return m === 0n ? 0 : m.toString(2).length;
}

/**
 * d as the double x that keeps its top 53 bits (truncated toward zero) and a sticky value
 * with the sign of the remainder (zero when x is exact), small enough for encodeFloat: the
 * pair rounds into any narrower format exactly as d would.
 */
export function splitDyadic(d: Dyadic): { x: number; sticky: number } {
  const neg = d.mant < 0n;
  const m = neg ? -d.mant : d.mant;
  const len = bitLength(m);
  if (len <= 53) {
    const x = scaleByPow2(Number(m), d.exp);
    return { x: neg ? -x : x, sticky: 0 };
  }
  const shift = len - 53;
  const top = m >> BigInt(shift);
  const rest = m - (top << BigInt(shift));
  const x = scaleByPow2(Number(top), d.exp + shift);
  // a quarter of x's last place: inside half an ulp, as encodeFloat requires
  const sticky = rest === 0n ? 0 : scaleByPow2(1, d.exp + shift - 2);
  return { x: neg ? -x : x, sticky: neg ? -sticky : sticky };
}

/** The bit pattern of d rounded once into f. */
export function encodeDyadic(f: FloatFormat, d: Dyadic, opts: EncodeOptions = {}): number {
  const { x, sticky } = splitDyadic(d);
  return encodeFloat(f, x, opts, sticky);
}

/** The double nearest to d (ties to even). */
export function dyadicToDouble(d: Dyadic): number {
  const { x, sticky } = splitDyadic(d);
  if (sticky === 0) return x;
  // x holds 53 bits truncated; the true value lies strictly between x and the next double
  // away from zero: round up in magnitude when the remainder exceeds half an ulp. Recompute
  // from the mantissa directly.
  const neg = d.mant < 0n;
  const m = neg ? -d.mant : d.mant;
  const shift = bitLength(m) - 53;
  const top = m >> BigInt(shift);
  const rest = m - (top << BigInt(shift));
  const half = 1n << BigInt(shift - 1);
  const up = rest > half || (rest === half && (top & 1n) === 1n);
  const r = scaleByPow2(Number(up ? top + 1n : top), d.exp + shift);
  return neg ? -r : r;
}

/**
 * Exact running sum of doubles, as a floating-point expansion (Shewchuk, "Adaptive Precision
 * Floating-Point Arithmetic and Fast Robust Geometric Predicates", 1997: Grow-Expansion with
 * zero elimination): a few non-overlapping doubles whose sum is exactly the sum so far, each
 * addition a handful of TwoSums. A non-finite term makes the sum NaN or +-Inf, as float64
 * would.
 */
export class ExactSum {
  private parts = new Float64Array(8);
  private n = 0;
  private special = 0;

  add(x: number): void {
    if (!Number.isFinite(x)) {
      this.special += x;
      return;
    }
    if (x === 0) return;
    let e = this.parts;
    const m = this.n;
    let q = x, n = 0;
    for (let i = 0; i < m; i++) {
      const ei = e[i];
      const t = q + ei;
      const bb = t - q;
      const h = q - (t - bb) + (ei - bb);
      q = t;
      if (h !== 0) e[n++] = h;
    }
    if (q !== 0 || n === 0) {
      if (n === e.length) {
        e = new Float64Array(2 * n);
        e.set(this.parts);
        this.parts = e;
      }
      e[n++] = q;
    }
    this.n = n;
  }

  get dyadic(): Dyadic {
    let d = DYADIC_ZERO;
    for (let i = 0; i < this.n; i++) if (this.parts[i] !== 0) d = addDyadic(d, dyadicOf(this.parts[i]));
    return d;
  }

  /** the double nearest the exact sum */
  value(): number {
    if (this.special !== 0 || Number.isNaN(this.special)) return this.special;
    if (this.n === 0) return 0;
    if (this.n === 1) return this.parts[0];
    return dyadicToDouble(this.dyadic);
  }
}

export function mulDyadic(a: Dyadic, b: Dyadic): Dyadic {
  return { mant: a.mant * b.mant, exp: a.exp + b.exp };
}
