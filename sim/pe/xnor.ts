/**
 * Binary (+-1) dot products by XNOR and popcount on packed 32-bit words.
 * Packing follows Larq Compute Engine: bit 0 means +1, bit 1 means -1, element i in bit
 * (i % 32) of word floor(i / 32), partial last words zero-padded. Padding bits are zero in
 * both operands, so their XOR is zero and they never count; the dot product is
 *   dot = n - 2 * popcount(a xor b)      (= 2 * popcount(xnor(a, b)) - n over the n real bits).
 */

export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

export function wordsFor(n: number): number {
  return Math.ceil(n / 32);
}

/** Packs binary bit patterns (0 = +1, 1 = -1), one per element, into 32-bit words. */
export function packBinary(bits: ArrayLike<number>, n = bits.length): Uint32Array {
  const out = new Uint32Array(wordsFor(n));
  for (let i = 0; i < n; i++) if (bits[i] & 1) out[i >>> 5] |= 1 << (i & 31);
  return out;
}

/** Packs real values by sign (x < 0 -> -1, otherwise +1). */
export function packSigns(values: ArrayLike<number>, n = values.length): Uint32Array {
  const out = new Uint32Array(wordsFor(n));
  for (let i = 0; i < n; i++) if (values[i] < 0) out[i >>> 5] |= 1 << (i & 31);
  return out;
}

/**
 * +-1 dot product of n elements packed in a (from word aOff) and b (from word bOff).
 * Bits of the last word beyond n are masked off, so callers may pass words whose padding
 * is not zero (for example a row sliced out of a longer packed vector).
 */
export function xnorDot(a: Uint32Array, aOff: number, b: Uint32Array, bOff: number, n: number): number {
  const full = n >>> 5;
  let diff = 0;
  for (let w = 0; w < full; w++) diff += popcount32(a[aOff + w] ^ b[bOff + w]);
  const rest = n & 31;
  if (rest !== 0) {
    const mask = rest === 32 ? 0xffffffff : (1 << rest) - 1;
    diff += popcount32((a[aOff + full] ^ b[bOff + full]) & mask);
  }
  return n - 2 * diff;
}
