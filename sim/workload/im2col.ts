/**
 * The im2col view of a layer: which (pixel, window) entries of A are real input elements and
 * which are padding. Padding is not read from SRAM (the address generator feeds a zero), so
 * SRAM read counts include only real entries; the MAC still happens.
 *
 * `validCount` answers "how many real entries in rows [m0, m1) x cols [k0, k1)" in
 * O(window positions touched), without materialising anything: a fast-engine primitive.
 */
import { convOutput, type Layer } from './layer.ts';

/** Range of output coordinates o in [0, out) with 0 <= o*stride + off - pad < inSize. */
function validRange(out: number, inSize: number, stride: number, off: number, pad: number): [number, number] {
  // o*stride >= pad - off  and  o*stride <= inSize - 1 + pad - off
  const lo = Math.max(0, Math.ceil((pad - off) / stride));
  const hi = Math.min(out - 1, Math.floor((inSize - 1 + pad - off) / stride));
  return [lo, hi];
}

/** Raster indices x < limit (x = oh*outW + ow) with oh in [a,b] and ow in [c,d]. */
function rasterBelow(limit: number, outW: number, a: number, b: number, c: number, d: number): number {
  if (a > b || c > d || limit <= 0) return 0;
  const fullRows = Math.floor(limit / outW);
  const rem = limit - fullRows * outW;
  const width = d - c + 1;
  const rowsBelow = Math.max(0, Math.min(b + 1, fullRows) - a);
  let n = rowsBelow * width;
  if (fullRows >= a && fullRows <= b) n += Math.max(0, Math.min(rem, d + 1) - c);
  return n;
}

export function validCount(l: Layer, m0: number, m1: number, k0: number, k1: number): number {
  if (m1 <= m0 || k1 <= k0) return 0;
  if (l.kind === 'gemm') return (m1 - m0) * (k1 - k0);
  if (l.padTop === 0 && l.padBottom === 0 && l.padLeft === 0 && l.padRight === 0) return (m1 - m0) * (k1 - k0);
  const { outH, outW } = convOutput(l);
  const C = l.channels;
  let total = 0;
  const p0 = Math.floor(k0 / C);
  const p1 = Math.floor((k1 - 1) / C);
  for (let p = p0; p <= p1; p++) {
    const chans = Math.min(k1, (p + 1) * C) - Math.max(k0, p * C);
    const kh = Math.floor(p / l.kW);
    const kw = p - kh * l.kW;
    const [a, b] = validRange(outH, l.inH, l.strideH, kh * l.dilationH, l.padTop);
    const [c, d] = validRange(outW, l.inW, l.strideW, kw * l.dilationW, l.padLeft);
    const px = rasterBelow(m1, outW, a, b, c, d) - rasterBelow(m0, outW, a, b, c, d);
    total += chans * px;
  }
  return total;
}

/** Input-tensor index (HWC) of A[m][k], or -1 for padding. */
export function ifmapIndex(l: Layer, m: number, k: number): number {
  if (l.kind === 'gemm') return m * l.k + k;
  const { outW } = convOutput(l);
  const oh = Math.floor(m / outW);
  const ow = m - oh * outW;
  const C = l.channels;
  const p = Math.floor(k / C);
  const ch = k - p * C;
  const kh = Math.floor(p / l.kW);
  const kw = p - kh * l.kW;
  const ih = oh * l.strideH + kh * l.dilationH - l.padTop;
  const iw = ow * l.strideW + kw * l.dilationW - l.padLeft;
  if (ih < 0 || ih >= l.inH || iw < 0 || iw >= l.inW) return -1;
  return (ih * l.inW + iw) * C + ch;
}

/**
 * Materialised im2col (functional runs only): A as bit patterns, M x K row-major, and the
 * mask of real entries. `pad` is the bit pattern fed for padding (the PE's zero).
 */
export function im2col(
  l: Layer, m: number, k: number, ifmap: ArrayLike<number>, pad: number,
): { a: Float64Array; valid: Uint8Array } {
  const a = new Float64Array(m * k);
  const valid = new Uint8Array(m * k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      const idx = ifmapIndex(l, i, j);
      if (idx < 0) a[i * k + j] = pad;
      else {
        a[i * k + j] = ifmap[idx];
        valid[i * k + j] = 1;
      }
    }
  }
  return { a, valid };
}
