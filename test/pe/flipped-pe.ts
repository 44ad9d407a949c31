/** A PE perturbed by a test: the registry's PE with one product bit flipped (not a test file). */
import { decode } from '../../sim/pe/codec.ts';
import type { PeKind } from '../../sim/pe/types.ts';

/**
 * The PE with its dot product recomputed product by product (mac order = dot order); with
 * `flip`, bit 0 of the first non-zero product it computes is flipped: one wrong product in
 * everything the PE computes afterwards.
 */
export function flippedProductPe(pe: PeKind, flip = true): PeKind {
  let flipped = !flip;
  const product = (a: number, b: number): number => {
    let p = pe.mul(a, b);
    if (!flipped && decode(pe.product, p) !== 0) {
      p ^= 1;
      flipped = true;
    }
    return decode(pe.product, p);
  };
  const mac = (acc: number, a: number, b: number) => pe.addAcc(acc, product(a, b));
  return {
    ...pe,
    mac,
    dot: (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
      let s = acc0;
      for (let i = 0; i < n; i++) s = mac(s, a[aOff + i * aStride], b[bOff + i * bStride]);
      return s;
    },
  };
}
