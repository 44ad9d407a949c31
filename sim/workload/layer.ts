/**
 * The layer descriptors the array simulates: a GEMM or a 2-D convolution. Whatever a model
 * is (models/ lowers graphs to these), these two shapes are what reaches the systolic array.
 *
 * Conventions (the operand view every dataflow maps):
 *   A (ifmap)  M x K   M = output pixels, K = window (filter h * filter w * channels)
 *   B (filter) K x N   N = filters
 *   C (ofmap)  M x N
 * A convolution's A is its im2col view, in SCALE-Sim's element order: window index
 * k = (kh * filterW + kw) * channels + c, ifmap stored HWC.
 */
import { InputError } from '../errors.ts';
import { checkLimit } from '../limits.ts';

export interface GemmLayer {
  readonly kind: 'gemm';
  readonly name: string;
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

export interface ConvLayer {
  readonly kind: 'conv2d';
  readonly name: string;
  readonly inH: number;
  readonly inW: number;
  readonly kH: number;
  readonly kW: number;
  readonly channels: number;
  readonly filters: number;
  readonly strideH: number;
  readonly strideW: number;
  /** zero padding on each border (SCALE-Sim: none) */
  readonly padTop: number;
  readonly padBottom: number;
  readonly padLeft: number;
  readonly padRight: number;
  readonly dilationH: number;
  readonly dilationW: number;
}

export type Layer = GemmLayer | ConvLayer;

/**
 * How a topology's convolutions are padded:
 *  - 'valid': none; the output is floor((in - span) / stride) + 1;
 *  - 'same': TF-style, output ceil(in / stride), the odd pad at the bottom/right;
 *  - 'scalesim': SCALE-Sim v2's view: output ceil((in - k + stride) / stride), i.e. a last
 *    window that may hang over the bottom/right border, whose missing elements it addresses
 *    as -1 (operand_matrix.py, calc_ifmap_elem_addr) -- padding there, in effect.
 */
export type PaddingMode = 'valid' | 'same' | 'scalesim';

function positiveInt(where: string, field: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) {
    throw new InputError(`${where}: ${field} must be a positive integer, got ${v}`);
  }
  checkLimit('dim', v, where, field);
  return v;
}

function nonNegativeInt(where: string, field: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) {
    throw new InputError(`${where}: ${field} must be a non-negative integer, got ${v}`);
  }
  checkLimit('dim', v, where, field);
  return v;
}

export function gemmLayer(name: string, m: number, n: number, k: number, where = `layer ${name}`): GemmLayer {
  return {
    kind: 'gemm',
    name,
    m: positiveInt(where, 'M', m),
    n: positiveInt(where, 'N', n),
    k: positiveInt(where, 'K', k),
  };
}

export interface ConvSpec {
  name: string;
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  channels: number;
  filters: number;
  strideH?: number;
  strideW?: number;
  /** explicit padding per border, or a mode */
  padding?: PaddingMode | { top: number; bottom: number; left: number; right: number };
  dilationH?: number;
  dilationW?: number;
}

/** TF 'same' padding along one axis: output ceil(in / stride), extra pad at the far border. */
function samePad(inSize: number, k: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(inSize / stride);
  const span = dilation * (k - 1) + 1;
  const total = Math.max((out - 1) * stride + span - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

export function convLayer(spec: ConvSpec, where = `layer ${spec.name}`): ConvLayer {
  const inH = positiveInt(where, 'IFMAP height', spec.inH);
  const inW = positiveInt(where, 'IFMAP width', spec.inW);
  const kH = positiveInt(where, 'filter height', spec.kH);
  const kW = positiveInt(where, 'filter width', spec.kW);
  const channels = positiveInt(where, 'channels', spec.channels);
  const filters = positiveInt(where, 'num filter', spec.filters);
  const strideH = positiveInt(where, 'stride', spec.strideH ?? 1);
  const strideW = positiveInt(where, 'stride width', spec.strideW ?? strideH);
  const dilationH = positiveInt(where, 'dilation', spec.dilationH ?? 1);
  const dilationW = positiveInt(where, 'dilation width', spec.dilationW ?? dilationH);
  let pads: [number, number, number, number];
  const p = spec.padding ?? 'valid';
  if (p === 'valid') pads = [0, 0, 0, 0];
  else if (p === 'scalesim') {
    const over = (inSize: number, k: number, stride: number, dilation: number): number => {
      const span = dilation * (k - 1) + 1;
      const out = Math.ceil((inSize - span + stride) / stride);
      return Math.max(0, (out - 1) * stride + span - inSize);
    };
    pads = [0, over(inH, kH, strideH, dilationH), 0, over(inW, kW, strideW, dilationW)];
  } else if (p === 'same') {
    const [t, b] = samePad(inH, kH, strideH, dilationH);
    const [l, r] = samePad(inW, kW, strideW, dilationW);
    pads = [t, b, l, r];
  } else {
    pads = [
      nonNegativeInt(where, 'pad top', p.top),
      nonNegativeInt(where, 'pad bottom', p.bottom),
      nonNegativeInt(where, 'pad left', p.left),
      nonNegativeInt(where, 'pad right', p.right),
    ];
  }
  const layer: ConvLayer = {
    kind: 'conv2d',
    name: spec.name,
    inH, inW, kH, kW, channels, filters, strideH, strideW,
    padTop: pads[0], padBottom: pads[1], padLeft: pads[2], padRight: pads[3],
    dilationH, dilationW,
  };
  const { outH, outW } = convOutput(layer);
  if (outH <= 0 || outW <= 0) {
    throw new InputError(
      `${where}: the filter (${kH}x${kW}, dilation ${dilationH}x${dilationW}) does not fit the ` +
        `${inH}x${inW} IFMAP with this padding`,
    );
  }
  return layer;
}

export function convOutput(l: ConvLayer): { outH: number; outW: number } {
  const spanH = l.dilationH * (l.kH - 1) + 1;
  const spanW = l.dilationW * (l.kW - 1) + 1;
  return {
    outH: Math.floor((l.inH + l.padTop + l.padBottom - spanH) / l.strideH) + 1,
    outW: Math.floor((l.inW + l.padLeft + l.padRight - spanW) / l.strideW) + 1,
  };
}

/** The GEMM a layer puts on the array. */
export interface GemmView {
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

export function gemmView(l: Layer): GemmView {
  if (l.kind === 'gemm') return { m: l.m, n: l.n, k: l.k };
  const { outH, outW } = convOutput(l);
  return { m: outH * outW, n: l.filters, k: l.kH * l.kW * l.channels };
}

/** Elements of the real input tensor (what DRAM must deliver at least once). */
export function ifmapElements(l: Layer): number {
  return l.kind === 'gemm' ? l.m * l.k : l.inH * l.inW * l.channels;
}

export function macs(l: Layer): number {
  const g = gemmView(l);
  return g.m * g.n * g.k;
}

/**
 * Elements of the input tensor some output actually reads (a strided conv may skip rows or
 * columns): the compulsory DRAM traffic of the ifmap.
 */
export function ifmapTouched(l: Layer): number {
  if (l.kind === 'gemm') return l.m * l.k;
  const { outH, outW } = convOutput(l);
  const touched = (inSize: number, out: number, k: number, stride: number, dil: number, pad: number): number => {
    const hit = new Uint8Array(inSize);
    let n = 0;
    for (let o = 0; o < out; o++) {
      for (let i = 0; i < k; i++) {
        const x = o * stride + i * dil - pad;
        if (x >= 0 && x < inSize && hit[x] === 0) {
          hit[x] = 1;
          n++;
        }
      }
    }
    return n;
  };
  return (
    touched(l.inH, outH, l.kH, l.strideH, l.dilationH, l.padTop) *
    touched(l.inW, outW, l.kW, l.strideW, l.dilationW, l.padLeft) *
    l.channels
  );
}
