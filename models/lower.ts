/**
 * Lowering: graph -> array ops (GEMMs and convolutions-as-GEMM, the layer descriptors of
 * sim/workload/layer.ts that the array simulates) and vector ops (element-wise work on a
 * vector unit with its own throughput). Each operator's module (models/ops/) decides how its
 * nodes lower: onto the array (conv, linear, matmul, attention's two GEMMs), onto the vector
 * unit (activations, norms, pooling, softmax, ...: `elements` outputs x `opsPerElement`
 * passes), nowhere (views: address arithmetic), or merged into the conv before it (a batch
 * norm, `mergeBatchNorm`, default on; reported as 'folded'). Bias adds of conv / linear
 * happen at the array's output (in the accumulator), free.
 */
import type { VectorWork } from '../sim/workload/vector.ts';
import { macs as layerMacs, type Layer } from '../sim/workload/layer.ts';
import { numel, tensor, type Graph } from './graph.ts';
import { graphMacs, nodeMacs, operatorOf, type OpName } from './operators.ts';
import type { LowerContext } from './ops/types.ts';
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
  | 'relu' | 'gelu' | 'gelu_tanh' | 'sigmoid' | 'silu' | 'tanh' | 'erf' | 'sqrt' | 'sign' | 'neg' | 'abs' | 'exp' | 'log'
  | 'reciprocal' | 'clip' | 'hardsigmoid' | 'hardswish' | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'min' | 'max'
  | 'softmax' | 'layernorm' | 'rmsnorm' | 'batchnorm' | 'maxpool' | 'avgpool' | 'global_avgpool' | 'embedding'
  | 'transpose' | 'rope' | 'scale' | 'where' | 'depthwise_conv' | 'reduce' | 'pad' | 'resize' | 'lstm' | 'gru';

/** Vector-unit work of one node: the simulator's VectorWork, its `op` one of the kinds above. */
export interface VectorOp extends VectorWork {
  readonly op: VectorKind;
}

/** where a node went: the array, the vector unit, merged into the conv before it (a batch norm), or nowhere (a view) */
export type NodeMapping = 'array' | 'vector' | 'folded' | 'view';

export interface NodeLowering {
  readonly node: string;
  readonly op: OpName;
  readonly mapping: NodeMapping;
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

export function lowerGraph(g: Graph, opts: LowerOptions = {}): Lowered {
  const merged = (opts.mergeBatchNorm ?? true) ? mergeableBatchNorms(g) : new Map<string, string>();
  const arrayOps: ArrayOp[] = [];
  const vectorOps: VectorOp[] = [];
  const nodes: NodeLowering[] = [];
  const shape = (name: string) => tensor(g, name).shape;

  for (const node of g.nodes) {
    const before = arrayOps.length;
    let vecElems = 0;
    const ctx: LowerContext = {
      g,
      options: opts,
      merged,
      shape,
      outElements: numel(shape(node.output)),
      array(layer, repeat, part, binary = false) {
        arrayOps.push({ node: node.name, op: node.op, layer, repeat, macs: layerMacs(layer) * repeat, binary, part });
      },
      vector(op, elements, opsPerElement = 1) {
        vectorOps.push({ name: node.name, op, elements, opsPerElement, afterLayers: arrayOps.length });
        vecElems += elements;
      },
    };
    const { mapping, detail } = operatorOf(node.op).lower(ctx, node);
    nodes.push({
      node: node.name, op: node.op, mapping, detail, macs: nodeMacs(g, node),
      arrayOps: arrayOps.length - before, vectorElements: vecElems,
    });
  }
  return { name: g.name, arrayOps, vectorOps, nodes, summary: summarize(nodes, arrayOps, vectorOps, graphMacs(g)) };
}

export function summarize(nodes: readonly NodeLowering[], arrayOps: readonly ArrayOp[], vectorOps: readonly VectorOp[], modelMacs: number): LoweringSummary {
  const count = (m: NodeMapping) => nodes.filter((n) => n.mapping === m).length;
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
