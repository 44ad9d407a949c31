/**
 * What a functional run reports about its output bits: a checksum (FNV-1a over the bit
 * patterns) and the error against an exact (float64) product of the same quantized operands.
 */
import { decode } from './pe/codec.ts';
import type { NumberFormat } from './pe/formats.ts';
import type { PeKind } from './pe/types.ts';
import type { OutputSummary } from './result.ts';

/** FNV-1a over bit patterns (each up to 53 bits, 7 bytes low first), hex. */
export function fnv1a(bits: Float64Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bits.length; i++) {
    let v = bits[i];
    // 8 bytes of the (up to 53-bit) integer pattern, low first
    for (let j = 0; j < 7; j++) {
      h ^= v % 256;
      h = Math.imul(h, 0x01000193) >>> 0;
      v = Math.floor(v / 256);
    }
  }
  return h.toString(16).padStart(8, '0');
}


export function summarizeOutput(
  out: Float64Array, format: NumberFormat, a: Float64Array, b: Float64Array,
  g: { m: number; n: number; k: number }, pe: PeKind,
): OutputSummary {
  let maxErr = 0, errSq = 0, refSq = 0;
  const av = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) av[i] = pe.inputValue(a[i]);
  const bv = new Float64Array(b.length);
  for (let i = 0; i < b.length; i++) bv[i] = pe.weightValue(b[i]);
  for (let i = 0; i < g.m; i++) {
    for (let j = 0; j < g.n; j++) {
      let s = 0;
      for (let k = 0; k < g.k; k++) s += av[i * g.k + k] * bv[k * g.n + j];
      const got = decode(format, out[i * g.n + j]);
      const e = Math.abs(got - s);
      if (e > maxErr || e !== e) maxErr = e;
      errSq += e * e;
      refSq += s * s;
    }
  }
  return {
    format: format.name,
    count: out.length,
    checksum: fnv1a(out),
    max_abs_error: maxErr,
    rel_error: refSq > 0 ? Math.sqrt(errSq / refSq) : Math.sqrt(errSq),
  };
}

