/**
 * Lowering: graph -> array ops (GEMMs and convolutions-as-GEMM, the layer descriptors of
 * sim/workload/layer.ts that the array simulates) and vector ops (element-wise work on a vector
 * unit with its own throughput).
 *
 * Mapping rules:
 * - conv2d, groups 1: one ConvLayer with the node's real padding, stride and dilation
 *   (im2col on the array); `repeat` = batch.
 * - grouped conv (groups g): one ConvLayer of C/g channels and F/g filters, `repeat` = g x
 *   batch. Depthwise (g = C) is therefore one small GEMM per channel (K = kH*kW, N = F/C):
 *   its poor utilization of the array shows honestly. `depthwise: 'vector'` puts depthwise
 *   convs on the vector unit instead.
 * - linear: GEMM M = rows (all leading dims), N = out, K = in.
 * - matmul: GEMM per batch element, `repeat` = broadcast batch size.
 * - attention: Q K^T (M = Sq, N = Skv, K = dh) and A V (M = Sq, N = dh, K = Skv), each
 *   `repeat` = B x heads, plus the score scale + mask + softmax on the vector unit.
 * - binary conv / linear: as conv / linear, flagged `binary` (an XNOR array runs them), plus
 *   the sign of the activations and the per-channel scale on the vector unit.
 * - batchnorm directly after a conv (its only consumer) is folded into the conv's weights
 *   and bias at no cost (`mergeBatchNorm`, default on; reported as 'folded'); elsewhere it is a vector op.
 * - reshape, flatten, slice, concat, expand, identity are views (address arithmetic, free);
 *   transpose moves every element through the vector unit.
 * - everything else is a vector op of `elements` outputs x `opsPerElement` passes.
 *
 * Bias adds of conv / linear happen at the array's output (in the accumulator), free.
 */
import type { VectorWork } from '../sim/workload/vector.ts';
import { convLayer, gemmLayer, macs as layerMacs, type Layer } from '../sim/workload/layer.ts';
import { graphMacs, nodeMacs, numel, tensor, type Graph, type OpName } from './graph.ts';
import { mergeableBatchNorms } from './merge-batchnorm.ts';

export interface ArrayOp {
  /** graph node this op comes from */
  readonly node: string;
  readonly op: OpName;
  /** what the array computes once; `layer.name` is unique within a model */
  readonly layer: Layer;
  /** how many times it runs (batch, groups, heads): same shape, different operands */
  readonly repeat: number;
  /** layer MACs x repeat */
  readonly macs: number;
  /** operands are +-1 (binary conv / linear): an XNOR array can run it */
  readonly binary: boolean;
  /** what part of the node: 'gemm', 'qk', 'av', ... */
  readonly part: string;
}

export type VectorKind =
  | 'relu' | 'gelu' | 'sigmoid' | 'silu' | 'tanh' | 'erf' | 'sqrt' | 'sign' | 'clip' | 'add' | 'sub' | 'mul' | 'div'
  | 'softmax' | 'layernorm' | 'rmsnorm' | 'batchnorm' | 'maxpool' | 'avgpool' | 'global_avgpool' | 'embedding'
  | 'transpose' | 'rope' | 'scale' | 'depthwise_conv';

/** Vector-unit work of one node: the simulator's VectorWork, its `op` one of the kinds above. */
export interface VectorOp extends VectorWork {
  readonly op: VectorKind;
}

export type Mapping = 'array' | 'vector' | 'folded' | 'view';

export interface NodeLowering {
  readonly node: string;
  readonly op: OpName;
  readonly mapping: Mapping;
  /** how it was mapped, for people */
  readonly detail: string;
  readonly macs: number;
  readonly arrayOps: number;
  readonly vectorElements: number;
}

export interface LoweringSummary {
  readonly nodes: number;
  readonly arrayNodes: number;
  readonly vectorNodes: number;
  readonly foldedNodes: number;
  readonly viewNodes: number;
  /** MACs of the model's array-class nodes (graph count) */
  readonly modelMacs: number;
  /** MACs that landed on the array */
  readonly arrayMacs: number;
  readonly arrayMacShare: number;
  /** share of the nodes that do work (not views or folded) mapped to the array */
  readonly arrayNodeShare: number;
  /** vector-unit element operations (elements x passes) */
  readonly vectorOps: number;
}

export interface Lowered {
  readonly name: string;
  readonly arrayOps: ArrayOp[];
  readonly vectorOps: VectorOp[];
  readonly nodes: NodeLowering[];
  readonly summary: LoweringSummary;
}

export interface LowerOptions {
  /** merge a batch norm into the conv before it (models/merge-batchnorm.ts); default true */
  readonly mergeBatchNorm?: boolean;
  readonly depthwise?: 'array' | 'vector';
}

/** passes per element of each vector op kind (a simple cost model, see the header) */
const PASSES: Readonly<Partial<Record<VectorKind, number>>> = {
  softmax: 4, layernorm: 5, rmsnorm: 3, batchnorm: 2, rope: 3, embedding: 1, gelu: 1, silu: 1,
};

export function lowerGraph(g: Graph, opts: LowerOptions = {}): Lowered {
  const merged = (opts.mergeBatchNorm ?? true) ? mergeableBatchNorms(g) : new Map<string, string>();
  const arrayOps: ArrayOp[] = [];
  const vectorOps: VectorOp[] = [];
  const nodes: NodeLowering[] = [];
  const shape = (name: string) => tensor(g, name).shape;

  for (const node of g.nodes) {
    const nm = nodeMacs(g, node);
    const outElems = numel(shape(node.output));
    const before = arrayOps.length;
    let vecElems = 0;
    const vec = (op: VectorKind, elements: number, opsPerElement = PASSES[op] ?? 1) => {
      vectorOps.push({ name: node.name, op, elements, opsPerElement });
      vecElems += elements;
    };
    const arr = (layer: Layer, repeat: number, part: string, binary = false) => {
      arrayOps.push({ node: node.name, op: node.op, layer, repeat, macs: layerMacs(layer) * repeat, binary, part });
    };
    let mapping: Mapping;
    let detail: string;
    switch (node.op) {
      case 'conv2d':
      case 'binary_conv2d': {
        const [n, c, h, w] = shape(node.inputs[0]);
        const [f, cg, kh, kw] = shape(node.inputs[1]);
        const gr = node.groups;
        const depthwise = gr > 1 && cg === 1;
        const binary = node.op === 'binary_conv2d';
        const [pt, pl, pb, pr] = node.pads;
        if (depthwise && opts.depthwise === 'vector') {
          mapping = 'vector';
          vec('depthwise_conv', outElems, kh * kw);
          detail = `depthwise ${kh}x${kw} on the vector unit (${kh * kw} MACs per output)`;
          break;
        }
        const layer = convLayer({
          name: node.name, inH: h, inW: w, kH: kh, kW: kw, channels: cg, filters: f / gr,
          strideH: node.stride[0], strideW: node.stride[1], dilationH: node.dilation[0], dilationW: node.dilation[1],
          padding: { top: pt, left: pl, bottom: pb, right: pr },
        }, `node '${node.name}' (${node.op})`);
        arr(layer, gr * n, 'gemm', binary);
        if (binary) {
          vec('sign', n * c * h * w);
          if (node.inputs[3] !== undefined && node.inputs[3] !== '') vec('mul', outElems);
        }
        const o = shape(node.output);
        const gv = `GEMM ${o[2] * o[3]}x${f / gr}x${cg * kh * kw}`;
        detail = depthwise
          ? `depthwise: ${gv} per channel x ${gr}${n > 1 ? ` x batch ${n}` : ''}`
          : gr > 1 ? `grouped conv: ${gv} per group x ${gr}${n > 1 ? ` x batch ${n}` : ''}`
            : `conv im2col ${gv}${n > 1 ? ` x batch ${n}` : ''}`;
        if (binary) detail += ' (binary)';
        mapping = 'array';
        break;
      }
      case 'linear':
      case 'binary_linear': {
        const x = shape(node.inputs[0]);
        const [nOut, k] = shape(node.inputs[1]);
        const m = numel(x) / k;
        const binary = node.op === 'binary_linear';
        arr(gemmLayer(node.name, m, nOut, k, `node '${node.name}'`), 1, 'gemm', binary);
        if (binary) {
          vec('sign', numel(x));
          if (node.inputs[3] !== undefined && node.inputs[3] !== '') vec('mul', outElems);
        }
        mapping = 'array';
        detail = `GEMM ${m}x${nOut}x${k}${binary ? ' (binary)' : ''}`;
        break;
      }
      case 'matmul': {
        const a = shape(node.inputs[0]);
        const o = shape(node.output);
        const m = o[o.length - 2], nOut = o[o.length - 1], k = a[a.length - 1];
        const rep = numel(o.slice(0, -2));
        arr(gemmLayer(node.name, m, nOut, k, `node '${node.name}'`), rep, 'gemm');
        mapping = 'array';
        detail = `GEMM ${m}x${nOut}x${k}${rep > 1 ? ` x ${rep} (batched)` : ''}`;
        break;
      }
      case 'attention': {
        const q = shape(node.inputs[0]), k = shape(node.inputs[1]);
        const [b, sq, d] = q;
        const skv = k[1];
        const dh = d / node.heads;
        const rep = b * node.heads;
        arr(gemmLayer(`${node.name}/qk`, sq, skv, dh, `node '${node.name}'`), rep, 'qk');
        vec('softmax', rep * sq * skv, PASSES.softmax! + 1 + (node.causal ? 1 : 0)); // + scale (+ mask)
        arr(gemmLayer(`${node.name}/av`, sq, dh, skv, `node '${node.name}'`), rep, 'av');
        mapping = 'array';
        detail = `attention ${node.heads} heads${node.kvHeads !== node.heads ? ` (${node.kvHeads} kv)` : ''}: ` +
          `Q.K^T GEMM ${sq}x${skv}x${dh} x ${rep}, softmax ${rep * sq * skv} on vector, A.V GEMM ${sq}x${dh}x${skv} x ${rep}`;
        break;
      }
      case 'batchnorm': {
        const into = merged.get(node.name);
        if (into !== undefined) {
          mapping = 'folded';
          detail = `folded into ${into}`;
        } else {
          mapping = 'vector';
          vec('batchnorm', outElems);
          detail = 'scale and shift on the vector unit';
        }
        break;
      }
      case 'reshape': case 'flatten': case 'slice': case 'concat': case 'expand': case 'identity':
        mapping = 'view';
        detail = 'view (address arithmetic, no data movement)';
        break;
      case 'maxpool':
      case 'avgpool':
        mapping = 'vector';
        vec(node.op, outElems, node.kernel[0] * node.kernel[1]);
        detail = `${node.kernel[0]}x${node.kernel[1]} window on the vector unit`;
        break;
      case 'global_avgpool': {
        const x = shape(node.inputs[0]);
        mapping = 'vector';
        vec('global_avgpool', outElems, numel(x) / outElems);
        detail = 'mean over the spatial dims on the vector unit';
        break;
      }
      default:
        mapping = 'vector';
        vec(node.op, outElems);
        detail = `${node.op} on the vector unit`;
    }
    nodes.push({
      node: node.name, op: node.op, mapping, detail, macs: nm,
      arrayOps: arrayOps.length - before, vectorElements: vecElems,
    });
  }
  return { name: g.name, arrayOps, vectorOps, nodes, summary: summarize(nodes, arrayOps, vectorOps, graphMacs(g)) };
}

export function summarize(nodes: readonly NodeLowering[], arrayOps: readonly ArrayOp[], vectorOps: readonly VectorOp[], modelMacs: number): LoweringSummary {
  const count = (m: Mapping) => nodes.filter((n) => n.mapping === m).length;
  const arrayMacs = arrayOps.reduce((s, o) => s + o.macs, 0);
  const arrayNodes = count('array'), vectorNodes = count('vector');
  return {
    nodes: nodes.length, arrayNodes, vectorNodes, foldedNodes: count('folded'), viewNodes: count('view'),
    modelMacs, arrayMacs,
    arrayMacShare: modelMacs > 0 ? arrayMacs / modelMacs : 0,
    arrayNodeShare: arrayNodes + vectorNodes > 0 ? arrayNodes / (arrayNodes + vectorNodes) : 0,
    vectorOps: vectorOps.reduce((s, o) => s + o.elements * o.opsPerElement, 0),
  };
}

/** Lowering of a list of layers that came without a graph (a SCALE-Sim topology). */
export function lowerLayers(name: string, layers: readonly Layer[]): Lowered {
  const arrayOps: ArrayOp[] = layers.map((layer) => ({
    node: layer.name, op: layer.kind === 'gemm' ? 'linear' : 'conv2d', layer, repeat: 1, macs: layerMacs(layer), binary: false, part: 'gemm',
  }));
  const nodes: NodeLowering[] = arrayOps.map((o) => {
    const l = o.layer;
    const detail = l.kind === 'gemm' ? `GEMM ${l.m}x${l.n}x${l.k}` : `conv ${l.inH}x${l.inW}x${l.channels}, ${l.kH}x${l.kW}x${l.filters} /${l.strideH}`;
    return { node: o.node, op: o.op, mapping: 'array', detail, macs: o.macs, arrayOps: 1, vectorElements: 0 };
  });
  const total = arrayOps.reduce((s, o) => s + o.macs, 0);
  return { name, arrayOps, vectorOps: [], nodes, summary: summarize(nodes, arrayOps, [], total) };
}
