/**
 * The im2col view of a layer: which (pixel, window) entries of A are real input elements and
 * which are padding. Padding is not read from SRAM (the address generator feeds a zero), so
 * SRAM read counts include only real entries; the MAC still happens.
 *
 * `validCount` answers "how many real entries in rows [m0, m1) x cols [k0, k1)" in
 * O(kernel height + width), without materialising anything: a fast-engine primitive.
 */
import { convOutput, type ConvLayer, type Layer } from './layer.ts';

/**
 * Range of output coordinates o in [0, out) with 0 <= o*stride + off - pad < inSize:
 * o*stride >= pad - off and o*stride <= inSize - 1 + pad - off. Its ends are written to
 * `range` (no array per call: the fast engine asks millions of times per sweep point, and a
 * fresh pair each time was most of a timing sweep's garbage, which two workers then fought
 * over in the shared caches).
 */
const range = new Int32Array(2);
function validRange(out: number, inSize: number, stride: number, off: number, pad: number): void {
  range[0] = Math.max(0, Math.ceil((pad - off) / stride));
  range[1] = Math.min(out - 1, Math.floor((inSize - 1 + pad - off) / stride));
}

/**
 * Real entries among raster indices x < limit (x = oh*outW + ow), summed over the kernel
 * positions kh in [h0, h1], kw in [w0, w1]. For one position with valid output rows [a, b]
 * and columns [c, d] the count is (rows of [a, b] below the limit's full rows) x (d - c + 1)
 * plus, when the limit's partial row lies in [a, b], the columns of [c, d] before it: a
 * product of a term of kh and a term of kw, so the sum over a rectangle of positions is the
 * product of sums: O(kH + kW), not O(kH x kW).
 */
function rectBelow(l: ConvLayer, outH: number, outW: number, h0: number, h1: number, w0: number, w1: number, limit: number): number {
  if (limit <= 0 || h0 > h1 || w0 > w1) return 0;
  const fullRows = Math.floor(limit / outW);
  const rem = limit - fullRows * outW;
  let rows = 0, partialRows = 0;
  for (let kh = h0; kh <= h1; kh++) {
    validRange(outH, l.inH, l.strideH, kh * l.dilationH, l.padTop);
    const a = range[0], b = range[1];
    if (a > b) continue;
    rows += Math.max(0, Math.min(b + 1, fullRows) - a);
    if (fullRows >= a && fullRows <= b) partialRows++;
  }
  if (rows === 0 && partialRows === 0) return 0;
  let widths = 0, partials = 0;
  for (let kw = w0; kw <= w1; kw++) {
    validRange(outW, l.inW, l.strideW, kw * l.dilationW, l.padLeft);
    const c = range[0], d = range[1];
    if (c > d) continue;
    widths += d - c + 1;
    partials += Math.max(0, Math.min(rem, d + 1) - c);
  }
  return rows * widths + partialRows * partials;
}

/** Real pixels of raster rows [m0, m1) over a rectangle of kernel positions. */
function rectBetween(l: ConvLayer, outH: number, outW: number, h0: number, h1: number, w0: number, w1: number, m0: number, m1: number): number {
  return rectBelow(l, outH, outW, h0, h1, w0, w1, m1) - rectBelow(l, outH, outW, h0, h1, w0, w1, m0);
}

export function validCount(l: Layer, m0: number, m1: number, k0: number, k1: number): number {
  if (m1 <= m0 || k1 <= k0) return 0;
  if (l.kind === 'gemm') return (m1 - m0) * (k1 - k0);
  if (l.padTop === 0 && l.padBottom === 0 && l.padLeft === 0 && l.padRight === 0) return (m1 - m0) * (k1 - k0);
  const { outH, outW } = convOutput(l);
  const C = l.channels, kW = l.kW;
  // the positions p0..p1 (raster order over kh, kw): a partial first kernel row, whole rows, a partial last row
  const p0 = Math.floor(k0 / C), p1 = Math.floor((k1 - 1) / C);
  const kh0 = Math.floor(p0 / kW), kw0 = p0 % kW, kh1 = Math.floor(p1 / kW), kw1 = p1 % kW;
  const pixels = kh0 === kh1
    ? rectBetween(l, outH, outW, kh0, kh0, kw0, kw1, m0, m1)
    : rectBetween(l, outH, outW, kh0, kh0, kw0, kW - 1, m0, m1) + rectBetween(l, outH, outW, kh0 + 1, kh1 - 1, 0, kW - 1, m0, m1) +
      rectBetween(l, outH, outW, kh1, kh1, 0, kw1, m0, m1);
  // every position with all C channels, less the channels outside [k0, k1) at the two end positions
  const at0 = rectBetween(l, outH, outW, kh0, kh0, kw0, kw0, m0, m1), at1 = rectBetween(l, outH, outW, kh1, kh1, kw1, kw1, m0, m1);
  return C * pixels - (k0 - p0 * C) * at0 - ((p1 + 1) * C - k1) * at1;
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
