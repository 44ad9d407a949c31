/**
 * Resize of the two trailing (spatial) axes: nearest or bilinear, with ONNX's coordinate
 * transformations (half_pixel, pytorch_half_pixel, align_corners, asymmetric) and nearest
 * modes (round_prefer_floor, round_prefer_ceil, floor, ceil). Other axes keep their size.
 * On the vector unit: one pass per output element (nearest), four (bilinear: two taps along
 * each axis).
 *
 * Arithmetic: the source coordinate of output index i is computed in float64 from the ONNX
 * formula (the given scale, or output size / input size when sizes are given); bilinear clamps it to [0, size - 1] (the edge
 * value beyond the border), interpolates along the width, then the height, each step rounded
 * into the vector format.
 */
import { numel, shapeStr, type NodeBase } from '../graph.ts';
import type { OperatorDef } from './types.ts';

export type ResizeMode = 'nearest' | 'linear';
export type CoordinateMode = 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric';
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';

export interface ResizeNode extends NodeBase {
  readonly op: 'resize';
  readonly mode: ResizeMode;
  readonly coordinates: CoordinateMode;
  readonly nearest: NearestMode;
  /** output height and width */
  readonly size: readonly [number, number];
  /** the scales of the coordinate transformation (given, or output / input size when sizes were given) */
  readonly scales: readonly [number, number];
}

const COORDINATES: readonly string[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];
const NEAREST: readonly string[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

/** source coordinate of output index i along an axis of `inLen` resized to `outLen` */
function source(mode: CoordinateMode, i: number, inLen: number, outLen: number, scale: number): number {
  switch (mode) {
    case 'half_pixel': return (i + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel': return outLen > 1 ? (i + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return outLen === 1 ? 0 : (i * (inLen - 1)) / (outLen - 1);
    case 'asymmetric': return i / scale;
  }
}

function nearestIndex(mode: NearestMode, x: number, len: number): number {
  let i: number;
  switch (mode) {
    case 'round_prefer_floor': i = x - Math.floor(x) === 0.5 ? Math.floor(x) : Math.round(x); break;
    case 'round_prefer_ceil': i = Math.round(x); break;
    case 'floor': i = Math.floor(x); break;
    case 'ceil': i = Math.ceil(x); break;
  }
  return Math.min(Math.max(i, 0), len - 1);
}

/** per output index: the two source indices and the weight of the second (bilinear), or one index (nearest) */
function taps(node: ResizeNode, inLen: number, outLen: number, scale: number): { i0: Int32Array; i1: Int32Array; w: Float64Array } {
  const i0 = new Int32Array(outLen), i1 = new Int32Array(outLen), w = new Float64Array(outLen);
  for (let i = 0; i < outLen; i++) {
    const x = source(node.coordinates, i, inLen, outLen, scale);
    if (node.mode === 'nearest') {
      i0[i] = i1[i] = nearestIndex(node.nearest, x, inLen);
      continue;
    }
    const c = Math.min(Math.max(x, 0), inLen - 1);
    const f = Math.floor(c);
    i0[i] = f;
    i1[i] = Math.min(f + 1, inLen - 1);
    w[i] = c - f;
  }
  return { i0, i1, w };
}

export const RESIZE: OperatorDef<ResizeNode> = {
  ops: ['resize'],
  inferShape(s, node) {
    const x = s.sh(0);
    if (x.length < 2) s.fail(`input must have at least 2 axes, got ${shapeStr(x)}`);
    if (node.size.some((d) => !Number.isInteger(d) || d < 1)) s.fail(`output size ${shapeStr(node.size)} must be positive integers`);
    return [...x.slice(0, -2), node.size[0], node.size[1]];
  },
  lower(ctx, node) {
    ctx.vector('resize', ctx.outElements, node.mode === 'nearest' ? 1 : 4);
    return { mapping: 'vector', detail: `${node.mode} resize to ${node.size.join('x')} on the vector unit` };
  },
  kernel(ctx, node) {
    const { vr } = ctx;
    const x = ctx.val(0), xs = ctx.shp(0);
    const [h, w] = xs.slice(-2);
    const [oh, ow] = node.size;
    const planes = numel(xs.slice(0, -2));
    const ty = taps(node, h, oh, node.scales[0]), tx = taps(node, w, ow, node.scales[1]);
    const o = new Float32Array(ctx.outN);
    for (let p = 0; p < planes; p++) {
      const base = p * h * w;
      for (let y = 0; y < oh; y++) {
        for (let xx = 0; xx < ow; xx++) {
          const at = (r: number, c: number) => x[base + r * w + c];
          let v: number;
          if (node.mode === 'nearest') v = at(ty.i0[y], tx.i0[xx]);
          else {
            const wx = tx.w[xx], wy = ty.w[y];
            const top = vr(at(ty.i0[y], tx.i0[xx]) * (1 - wx) + at(ty.i0[y], tx.i1[xx]) * wx);
            const bottom = vr(at(ty.i1[y], tx.i0[xx]) * (1 - wx) + at(ty.i1[y], tx.i1[xx]) * wx);
            v = vr(top * (1 - wy) + bottom * wy);
          }
          o[(p * oh + y) * ow + xx] = v;
        }
      }
    }
    return o;
  },
  onnx: {
    Resize(ctx) {
      const x = ctx.info(0).shape;
      const r = x.length;
      const mode = ctx.attrString('mode', 'nearest');
      if (mode !== 'nearest' && mode !== 'linear') ctx.bad(`mode '${mode}' is not supported (nearest, linear)`);
      const coordinates = ctx.opset >= 11 ? ctx.attrString('coordinate_transformation_mode', 'half_pixel') : 'asymmetric';
      if (!COORDINATES.includes(coordinates)) ctx.bad(`coordinate_transformation_mode '${coordinates}' is not supported (${COORDINATES.join(', ')})`);
      const nearest = ctx.attrString('nearest_mode', 'round_prefer_floor');
      if (!NEAREST.includes(nearest)) ctx.bad(`nearest_mode '${nearest}' is not supported`);
      if (ctx.attrInt('antialias', 0) !== 0) ctx.bad('antialias is not supported');
      if (ctx.attrInt('exclude_outside', 0) !== 0) ctx.bad('exclude_outside is not supported');
      if (ctx.attrInt('keep_aspect_ratio_policy', 0) !== 0 || ctx.attrString('keep_aspect_ratio_policy', 'stretch') !== 'stretch') ctx.bad('only keep_aspect_ratio_policy stretch is supported');
      if (ctx.attrInts('axes') !== undefined) ctx.bad('the axes attribute is not supported');
      // opset 10: (X, scales); 11+: (X, roi, scales, sizes)
      const scalesAt = ctx.opset >= 11 ? 2 : 1;
      const sizes = ctx.opset >= 11 && ctx.input(3) !== '' ? Array.from(ctx.constData(3)) : undefined;
      const scales = ctx.input(scalesAt) !== '' && ctx.constData(scalesAt).length > 0 ? Array.from(ctx.constData(scalesAt)) : undefined;
      const out = sizes ?? (scales ? x.map((d, i) => Math.floor(d * scales[i])) : ctx.bad('give scales or sizes'));
      if (out.length !== r) ctx.bad(`${out.length} output sizes for rank ${r}`);
      if (out.slice(0, -2).some((d, i) => d !== x[i])) ctx.bad(`only the two trailing axes may change size: ${shapeStr(x)} -> ${shapeStr(out)}`);
      ctx.add({
        op: 'resize', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, mode: mode as ResizeMode, coordinates: coordinates as CoordinateMode,
        nearest: nearest as NearestMode, size: [out[r - 2], out[r - 1]],
        scales: sizes || !scales ? [out[r - 2] / x[r - 2], out[r - 1] / x[r - 1]] : [scales[r - 2], scales[r - 1]],
      });
    },
  },
};
