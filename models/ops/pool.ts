/**
 * Pooling: max / average over a window (NCHW; `ceilMode`, `countIncludePad` as PyTorch and
 * ONNX define them), and the global average over the spatial dims. All on the vector unit
 * (a window pool: its window's size in passes per output; global: the spatial size).
 */
import { numel, shapeStr, windowOutput, type NodeBase } from '../graph.ts';
import type { KernelContext, OnnxContext, OperatorDef } from './types.ts';

export interface PoolNode extends NodeBase {
  readonly op: 'maxpool' | 'avgpool';
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly ceilMode: boolean;
  /** avgpool: divide by the full window (true) or by the in-bounds elements (false) */
  readonly countIncludePad: boolean;
}

export interface GlobalPoolNode extends NodeBase {
  readonly op: 'global_avgpool';
}

export const POOL: OperatorDef<PoolNode> = {
  ops: ['maxpool', 'avgpool'],
  inferShape(s, node) {
    const x = s.sh(0);
    if (x.length !== 4) s.fail(`input must be NCHW, got ${shapeStr(x)}`);
    const oh = windowOutput(node, x[2], node.kernel[0], node.stride[0], 1, node.pads[0], node.pads[2], node.ceilMode);
    const ow = windowOutput(node, x[3], node.kernel[1], node.stride[1], 1, node.pads[1], node.pads[3], node.ceilMode);
    return [x[0], x[1], oh, ow];
  },
  lower(ctx, node) {
    ctx.vector(node.op, ctx.outElements, node.kernel[0] * node.kernel[1]);
    return { mapping: 'vector', detail: `${node.kernel[0]}x${node.kernel[1]} window on the vector unit` };
  },
  kernel: pool,
  onnx: {
    MaxPool: (ctx) => importPool(ctx, 'maxpool'),
    AveragePool: (ctx) => importPool(ctx, 'avgpool'),
  },
};

export const GLOBAL_POOL: OperatorDef<GlobalPoolNode> = {
  ops: ['global_avgpool'],
  inferShape(s) {
    const x = s.sh(0);
    if (x.length < 3) s.fail(`input must be [N, C, spatial...], got ${shapeStr(x)}`);
    return [x[0], x[1], ...x.slice(2).map(() => 1)];
  },
  lower(ctx, node) {
    const x = ctx.shape(node.inputs[0]);
    ctx.vector('global_avgpool', ctx.outElements, numel(x) / ctx.outElements);
    return { mapping: 'vector', detail: 'mean over the spatial dims on the vector unit' };
  },
  kernel(ctx) {
    const x = ctx.val(0);
    const nc = ctx.outShape[0] * ctx.outShape[1];
    const hw = x.length / nc;
    const o = new Float32Array(nc);
    for (let i = 0; i < nc; i++) {
      let s = 0;
      for (let j = 0; j < hw; j++) s = ctx.vr(s + x[i * hw + j]);
      o[i] = ctx.vr(s / hw);
    }
    return o;
  },
  onnx: {
    GlobalAveragePool: (ctx) => ctx.add({ op: 'global_avgpool', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out }),
  },
};

function importPool(ctx: OnnxContext, op: PoolNode['op']): void {
  const k = ctx.attrInts('kernel_shape');
  if (!k || k.length !== 2) ctx.bad('kernel_shape must give 2 dims');
  if ((ctx.attrInts('dilations') ?? [1, 1]).some((d) => d !== 1)) ctx.bad('dilated pooling is not supported');
  if (ctx.attrInt('storage_order', 0) !== 0) ctx.bad('storage_order 1 is not supported');
  if (ctx.outputs.length > 1 && ctx.outputs[1] !== '') ctx.bad('the indices output is not supported');
  const autoPad = ctx.attrString('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') ctx.bad(`auto_pad '${autoPad}' is not supported for pooling`);
  const s = ctx.attrInts('strides') ?? [1, 1];
  const p = autoPad === 'VALID' ? [0, 0, 0, 0] : ctx.attrInts('pads') ?? [0, 0, 0, 0];
  ctx.add({
    op, name: ctx.name, inputs: [ctx.input(0)], output: ctx.out,
    kernel: [k![0], k![1]], stride: [s[0], s[1]], pads: [p[0], p[1], p[2], p[3]],
    ceilMode: ctx.attrInt('ceil_mode', 0) === 1, countIncludePad: ctx.attrInt('count_include_pad', 0) === 1,
  });
}

function pool(ctx: KernelContext, node: PoolNode): Float32Array {
  const x = ctx.val(0), xs = ctx.shp(0), os = ctx.outShape, vr = ctx.vr;
  const [n, c, h, w] = xs;
  const [, , oh, ow] = os;
  const [kh, kw] = node.kernel, [sh, sw] = node.stride, [pt, pl, pb, pr] = node.pads;
  const o = ctx.output();
  const isMax = node.op === 'maxpool';
  if (isMax) {
    maxPool(x, o, n * c, h, w, oh, ow, kh, kw, sh, sw, pt, pl);
    return o;
  }
  for (let nc = 0; nc < n * c; nc++) {
    const base = nc * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const y0 = oy * sh - pt, x0 = ox * sw - pl;
        let acc = isMax ? -Infinity : 0;
        let cnt = 0;
        for (let y = Math.max(0, y0); y < Math.min(h, y0 + kh); y++) {
          for (let xx = Math.max(0, x0); xx < Math.min(w, x0 + kw); xx++) {
            const v = x[base + y * w + xx];
            if (isMax) { if (v > acc) acc = v; } else acc = vr(acc + v);
            cnt++;
          }
        }
        if (!isMax) {
          // count_include_pad counts the window clipped to the padded input (PyTorch / ONNX)
          const full = (Math.min(y0 + kh, h + pb) - y0) * (Math.min(x0 + kw, w + pr) - x0);
          acc = vr(acc / (node.countIncludePad ? full : cnt));
        }
        o[(nc * oh + oy) * ow + ox] = acc;
      }
    }
  }
  return o;
}

/**
 * Max pooling: each window (clipped to the input) scanned row by row, the first largest value
 * kept (NaN never wins; -0 and +0 tie, the first stays), as the general loop above scans it;
 * the window's bounds computed once per output rather than per step (issue 21: pooling took
 * 7-9% of an accuracy run on the CNN).
 */
function maxPool(
  x: Float32Array, o: Float32Array, planes: number, h: number, w: number, oh: number, ow: number,
  kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
): void {
  if (kh === 2 && kw === 2 && sh === 2 && sw === 2 && pt === 0 && pl === 0 && 2 * oh <= h && 2 * ow <= w) {
    maxPool2x2(x, o, planes, h, w, oh, ow);
    return;
  }
  for (let nc = 0; nc < planes; nc++) {
    const base = nc * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - pt;
      const ya = y0 > 0 ? y0 : 0, yb = y0 + kh < h ? y0 + kh : h;
      const orow = (nc * oh + oy) * ow;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pl;
        const xa = x0 > 0 ? x0 : 0, xb = x0 + kw < w ? x0 + kw : w;
        let acc = -Infinity;
        for (let y = ya; y < yb; y++) {
          const row = base + y * w;
          for (let xx = xa; xx < xb; xx++) {
            const v = x[row + xx];
            if (v > acc) acc = v;
          }
        }
        o[orow + ox] = acc;
      }
    }
  }
}

/**
 * The usual 2 x 2 window at stride 2 with every window inside the input: the same four
 * comparisons in the same order as the loop above, without its bounds and inner loops.
 */
function maxPool2x2(x: Float32Array, o: Float32Array, planes: number, h: number, w: number, oh: number, ow: number): void {
  for (let nc = 0; nc < planes; nc++) {
    const base = nc * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const r0 = base + 2 * oy * w, r1 = r0 + w;
      const orow = (nc * oh + oy) * ow;
      for (let ox = 0; ox < ow; ox++) {
        const c = 2 * ox;
        let acc = -Infinity;
        const a0 = x[r0 + c], a1 = x[r0 + c + 1], b0 = x[r1 + c], b1 = x[r1 + c + 1];
        if (a0 > acc) acc = a0;
        if (a1 > acc) acc = a1;
        if (b0 > acc) acc = b0;
        if (b1 > acc) acc = b1;
        o[orow + ox] = acc;
      }
    }
  }
}
