import { describe, expect, it } from 'vitest';
import { executeGraph } from '../../models/exec/executor.ts';
import { gemmView, type ConvLayer } from '../../sim/workload/layer.ts';
import { lowerGraph } from '../../models/lower.ts';
import { runVector, totalVectorCycles } from '../../sim/workload/vector.ts';
import { GraphBuilder } from '../../models/zoo/builder.ts';
import { buildZooModel } from '../../models/zoo/index.ts';
import { makeRng } from '../../sim/random.ts';
import { im2col } from '../../sim/workload/im2col.ts';
import { relError } from './onnx-builder.ts';

interface ConvCase {
  n: number; c: number; h: number; w: number; f: number; kh: number; kw: number;
  stride: [number, number]; pads: [number, number, number, number]; dil: [number, number]; groups: number;
}

/** direct 7-loop convolution, NCHW / OIHW, float64 */
function directConv(x: Float32Array, wt: Float32Array, p: ConvCase, oh: number, ow: number): Float64Array {
  const cg = p.c / p.groups, fg = p.f / p.groups;
  const out = new Float64Array(p.n * p.f * oh * ow);
  for (let n = 0; n < p.n; n++) for (let f = 0; f < p.f; f++) {
    const g = Math.floor(f / fg);
    for (let y = 0; y < oh; y++) for (let xo = 0; xo < ow; xo++) {
      let s = 0;
      for (let ci = 0; ci < cg; ci++) for (let i = 0; i < p.kh; i++) for (let j = 0; j < p.kw; j++) {
        const iy = y * p.stride[0] + i * p.dil[0] - p.pads[0];
        const ix = xo * p.stride[1] + j * p.dil[1] - p.pads[1];
        if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
        s += x[((n * p.c + g * cg + ci) * p.h + iy) * p.w + ix] * wt[((f * cg + ci) * p.kh + i) * p.kw + j];
      }
      out[((n * p.f + f) * oh + y) * ow + xo] = s;
    }
  }
  return out;
}

const CASES: ConvCase[] = [
  { n: 2, c: 6, h: 11, w: 9, f: 4, kh: 3, kw: 2, stride: [2, 3], pads: [1, 2, 2, 0], dil: [2, 1], groups: 2 },
  { n: 1, c: 4, h: 8, w: 8, f: 8, kh: 3, kw: 3, stride: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1], groups: 4 },
  { n: 1, c: 5, h: 7, w: 10, f: 5, kh: 3, kw: 3, stride: [2, 2], pads: [0, 1, 1, 2], dil: [1, 3], groups: 5 }, // depthwise
  { n: 1, c: 3, h: 9, w: 9, f: 7, kh: 5, kw: 5, stride: [2, 1], pads: [2, 2, 2, 2], dil: [2, 2], groups: 1 },
];

describe('lowering a padded, strided, dilated, grouped convolution', () => {
  CASES.forEach((p, ci) => {
    it(`case ${ci}: the array op (im2col view) and the executor both equal a direct convolution`, () => {
      const b = new GraphBuilder('conv', { weights: true, seed: 5 + ci });
      const x = b.input('x', [p.n, p.c, p.h, p.w]);
      const w = b.param('w', [p.f, p.c / p.groups, p.kh, p.kw], { kind: 'normal', std: 1 });
      b.add({ op: 'conv2d', name: 'conv', inputs: [x, w], output: 'y', stride: p.stride, pads: p.pads, dilation: p.dil, groups: p.groups });
      b.output('y');
      const g = b.g;
      const [, , oh, ow] = g.tensors.get('y')!.shape;
      const rng = makeRng(100 + ci);
      const xd = Float32Array.from({ length: p.n * p.c * p.h * p.w }, () => rng.normal());
      const wd = g.tensors.get('w')!.data!;
      const ref = directConv(xd, wd, p, oh, ow);

      const l = lowerGraph(g);
      expect(l.arrayOps).toHaveLength(1);
      const op = l.arrayOps[0];
      expect(op.repeat).toBe(p.groups * p.n);
      const layer = op.layer as ConvLayer;
      expect(layer).toMatchObject({
        kind: 'conv2d', inH: p.h, inW: p.w, channels: p.c / p.groups, filters: p.f / p.groups,
        strideH: p.stride[0], strideW: p.stride[1], dilationH: p.dil[0], dilationW: p.dil[1],
        padTop: p.pads[0], padLeft: p.pads[1], padBottom: p.pads[2], padRight: p.pads[3],
      });
      const gv = gemmView(layer);
      expect(gv.m).toBe(oh * ow);
      expect(op.macs).toBe(p.n * p.f * oh * ow * (p.c / p.groups) * p.kh * p.kw);

      // run every repeat of the layer through the simulator's im2col (HWC ifmap) and a GEMM
      const cg = p.c / p.groups, fg = p.f / p.groups;
      for (let n = 0; n < p.n; n++) for (let gr = 0; gr < p.groups; gr++) {
        const hwc = new Float64Array(p.h * p.w * cg);
        for (let c = 0; c < cg; c++) for (let y = 0; y < p.h; y++) for (let xx = 0; xx < p.w; xx++) {
          hwc[(y * p.w + xx) * cg + c] = xd[((n * p.c + gr * cg + c) * p.h + y) * p.w + xx];
        }
        const { a } = im2col(layer, gv.m, gv.k, hwc, 0);
        for (let m = 0; m < gv.m; m++) for (let f = 0; f < fg; f++) {
          let s = 0;
          for (let k = 0; k < gv.k; k++) {
            const ch = k % cg, pos = Math.floor(k / cg), i = Math.floor(pos / p.kw), j = pos % p.kw;
            s += a[m * gv.k + k] * wd[(((gr * fg + f) * cg + ch) * p.kh + i) * p.kw + j];
          }
          const want = ref[((n * p.f + gr * fg + f) * oh) * ow + m];
          expect(Math.abs(s - want)).toBeLessThan(1e-9 * (1 + Math.abs(want)));
        }
      }
      // the functional executor (im2col + fp32 GEMM)
      const y = executeGraph(g, { x: xd }).get('y')!;
      expect(relError(y, ref)).toBeLessThan(1e-6);
    });
  });
});

describe('lowering rules', () => {
  it('depthwise: one small GEMM per channel, or the vector unit on request', () => {
    const g = buildZooModel('mobilenet_v2');
    const l = lowerGraph(g);
    const dw = l.arrayOps.find((o) => o.node === 'features.2.dw.conv')!;
    expect(dw.repeat).toBe(96);
    expect(gemmView(dw.layer)).toEqual({ m: 56 * 56, n: 1, k: 9 });
    const lv = lowerGraph(g, { depthwise: 'vector' });
    expect(lv.summary.arrayMacShare).toBeLessThan(1);
    expect(lv.summary.arrayMacShare).toBeGreaterThan(0.9);
    expect(lv.vectorOps.some((v) => v.op === 'depthwise_conv')).toBe(true);
  });

  it('batch norm after a conv is folded; elsewhere (and on request) it costs vector cycles', () => {
    const g = buildZooModel('resnet18');
    const l = lowerGraph(g);
    expect(l.nodes.filter((n) => n.op === 'batchnorm').every((n) => n.mapping === 'folded')).toBe(true);
    const u = lowerGraph(g, { mergeBatchNorm: false });
    expect(u.nodes.filter((n) => n.op === 'batchnorm').every((n) => n.mapping === 'vector')).toBe(true);
    expect(totalVectorCycles(u.vectorOps)).toBeGreaterThan(totalVectorCycles(l.vectorOps));
  });

  it('attention: Q K^T and A V as batched GEMMs per head, softmax on the vector unit', () => {
    const l = lowerGraph(buildZooModel('bert_base:seq=128,batch=2'));
    const qk = l.arrayOps.filter((o) => o.part === 'qk');
    const av = l.arrayOps.filter((o) => o.part === 'av');
    expect(qk).toHaveLength(12);
    expect(av).toHaveLength(12);
    expect(qk[0].repeat).toBe(24);
    expect(gemmView(qk[0].layer)).toEqual({ m: 128, n: 128, k: 64 });
    expect(gemmView(av[0].layer)).toEqual({ m: 128, n: 64, k: 128 });
    const sm = l.vectorOps.find((v) => v.name === 'layer.0.attn')!;
    expect(sm.elements).toBe(24 * 128 * 128);
    // projections use the whole batch as M
    expect(gemmView(l.arrayOps.find((o) => o.node === 'layer.0.attn.q')!.layer)).toEqual({ m: 256, n: 768, k: 768 });
    // layer names are unique (the simulator reports per layer)
    expect(new Set(l.arrayOps.map((o) => o.layer.name)).size).toBe(l.arrayOps.length);
  });

  it('vector cycles follow the throughput', () => {
    const op = { name: 'n', op: 'relu' as const, elements: 1000, opsPerElement: 1 };
    expect(runVector(op, 16).cycles).toBe(63);
    expect(runVector(op, 1).cycles).toBe(1000);
    expect(() => runVector(op, 0)).toThrow(/positive/);
  });

  it('a lowering report: nodes, shares, mapping of each node', () => {
    const l = lowerGraph(buildZooModel('vit_b16'));
    expect(l.summary.arrayMacShare).toBe(1);
    expect(l.summary.arrayNodes + l.summary.vectorNodes + l.summary.foldedNodes + l.summary.viewNodes).toBe(l.summary.nodes);
    expect(l.nodes.find((n) => n.node === 'patch_embed')!.detail).toContain('GEMM 196x768x768');
  });
});
