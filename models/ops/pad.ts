/**
 * Padding: constant, reflect or edge, any rank, pads at the beginning and end of every axis
 * (negative pads crop). On the vector unit, one pass per output element (it writes a new
 * tensor). ONNX Pad (pads and constant value as attributes before opset 11, inputs from it;
 * axes from opset 18); a Pad that adds nothing (DenseNet's transitions export an all-zero Pad
 * before AveragePool) imports as the identity, a view.
 */
import { shapeStr, type NodeBase } from '../graph.ts';
import type { OperatorDef } from './types.ts';

export type PadMode = 'constant' | 'reflect' | 'edge';

export interface PadNode extends NodeBase {
  readonly op: 'pad';
  /** [x1_begin, x2_begin, ..., x1_end, x2_end, ...] (ONNX order) */
  readonly pads: readonly number[];
  readonly mode: PadMode;
  readonly value: number;
}

export const PAD: OperatorDef<PadNode> = {
  ops: ['pad'],
  inferShape(s, node) {
    const x = s.sh(0);
    const r = x.length;
    if (node.pads.length !== 2 * r) s.fail(`${node.pads.length} pads for rank ${r}`);
    const out = x.map((d, i) => d + node.pads[i] + node.pads[r + i]);
    if (out.some((d) => d < 1)) s.fail(`pads ${shapeStr(node.pads)} leave nothing of ${shapeStr(x)}`);
    if (node.mode === 'reflect' && x.some((d, i) => (node.pads[i] > 0 || node.pads[r + i] > 0) && (node.pads[i] >= d || node.pads[r + i] >= d))) {
      s.fail(`reflect pads ${shapeStr(node.pads)} must be smaller than the axes of ${shapeStr(x)}`);
    }
    return out;
  },
  lower(ctx, node) {
    ctx.vector('pad', ctx.outElements, 1);
    return { mapping: 'vector', detail: `${node.mode} padding on the vector unit` };
  },
  kernel(ctx, node) {
    const x = ctx.val(0), xs = ctx.shp(0), os = ctx.outShape;
    const r = xs.length;
    const o = new Float32Array(ctx.outN);
    const idx = new Array<number>(r).fill(0);
    const st = new Array<number>(r);
    for (let d = r - 1, acc = 1; d >= 0; d--) {
      st[d] = acc;
      acc *= xs[d];
    }
    const value = Math.fround(node.value);
    for (let e = 0; e < o.length; e++) {
      let src = 0, inside = true;
      for (let d = 0; d < r; d++) {
        let i = idx[d] - node.pads[d];
        const n = xs[d];
        if (i < 0 || i >= n) {
          if (node.mode === 'constant') inside = false;
          else if (node.mode === 'edge') i = i < 0 ? 0 : n - 1;
          else i = i < 0 ? -i : 2 * (n - 1) - i;
        }
        src += i * st[d];
      }
      o[e] = inside ? x[src] : value;
      for (let d = r - 1; d >= 0; d--) {
        if (++idx[d] < os[d]) break;
        idx[d] = 0;
      }
    }
    return o;
  },
  onnx: {
    Pad(ctx) {
      const r = ctx.rank(0);
      const m = ctx.attrString('mode', 'constant');
      if (m !== 'constant' && m !== 'reflect' && m !== 'edge') ctx.bad(`mode '${m}' is not supported (constant, reflect, edge)`);
      const mode = m as PadMode;
      let pads: number[];
      let value = 0;
      if (ctx.opset < 11) {
        pads = ctx.attrInts('pads') ?? ctx.bad('pads are required');
        value = ctx.attrFloat('value', 0);
      } else {
        const given = Array.from(ctx.constData(1));
        if (ctx.input(2) !== '') value = ctx.constData(2)[0] ?? 0;
        const axes = ctx.input(3) !== '' ? Array.from(ctx.constData(3), (a) => (a < 0 ? a + r : a)) : undefined;
        if (axes === undefined) pads = given;
        else {
          pads = new Array<number>(2 * r).fill(0);
          axes.forEach((a, i) => {
            pads[a] = given[i];
            pads[r + a] = given[axes.length + i];
          });
        }
      }
      if (pads.length !== 2 * r) ctx.bad(`${pads.length} pads for an input of rank ${r}`);
      if (pads.every((p) => p === 0)) {
        ctx.add({ op: 'identity', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out });
        return;
      }
      ctx.add({ op: 'pad', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, pads, mode, value });
    },
  },
};

