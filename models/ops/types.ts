/**
 * What an operator is: one object per operator (or family of operators) in models/ops/,
 * listed in models/operators.ts. It says everything the rest of models/ needs about its
 * nodes: the output shape (checking the inputs), the MACs, how it lowers onto the array or
 * the vector unit, how it executes (its kernel), how the network scheduler sees its tensors
 * and which ONNX operators import into it. Adding an operator is adding a module here and
 * listing it in operators.ts; nothing else switches on operator names.
 */
import type { onnx as OnnxTypes } from 'onnx-proto';
import type { Layer } from '../../sim/workload/layer.ts';
import type { ArrayBackend } from '../exec/backends.ts';
import type { Graph, NodeBase, Shape, TensorInfo } from '../graph.ts';
import type { LowerOptions, NodeMapping, VectorKind } from '../lower.ts';
import type { GraphNode } from '../operators.ts';
import type { ConstValue } from '../import/const-eval.ts';

/** What a shape rule sees of a node's inputs. */
export interface ShapeContext {
  readonly g: Graph;
  /** shape of input i (InputError naming the node when it is missing or not yet defined) */
  sh(i: number): Shape;
  /** input i is given (not absent, not '') */
  has(i: number): boolean;
  /** InputError unless input i has exactly this shape */
  expectShape(i: number, want: Shape, what: string): void;
  /** InputError naming the node */
  fail(msg: string): never;
}

/** What lowering gives an operator: where to put array and vector-unit work. */
export interface LowerContext {
  readonly g: Graph;
  readonly options: LowerOptions;
  /** batch norms merged into the conv before them (batchnorm node -> conv node) */
  readonly merged: ReadonlyMap<string, string>;
  shape(tensorName: string): Shape;
  /** elements of the node's output */
  readonly outElements: number;
  /** a GEMM or convolution on the array, run `repeat` times; `part` names it within the node */
  array(layer: Layer, repeat: number, part: string, binary?: boolean): void;
  /** vector-unit work: `elements` outputs, `opsPerElement` passes (default 1) */
  vector(kind: VectorKind, elements: number, opsPerElement?: number): void;
}

/** How a node was lowered, for people and for `zoo show`. */
export interface Lowering {
  readonly mapping: NodeMapping;
  readonly detail: string;
}

/** What a kernel sees: its inputs' values and shapes, the arithmetic of the run. */
export interface KernelContext {
  readonly g: Graph;
  /** array-op arithmetic: regular, of binary nodes, of the attention matmuls */
  readonly array: ArrayBackend;
  readonly binArray: ArrayBackend;
  readonly attnArray: ArrayBackend;
  /** rounds a vector-unit result into the vector format */
  readonly vr: (x: number) => number;
  /** linear and matmul operands scaled per token, not per tensor (models/exec/token-scales.ts) */
  readonly tokenScales: boolean;
  /** outputs no later node reads may be left uncomputed (models/exec/read-columns.ts) */
  readonly skipUnread?: boolean;
  val(i: number): Float32Array;
  has(i: number): boolean;
  shp(i: number): Shape;
  readonly outShape: Shape;
  readonly outN: number;
  /**
   * an array of outN values for the node's output, reused from an earlier tensor (contents
   * undefined: the kernel writes every element)
   */
  output(): Float32Array;
  /** input 0 mapped element-wise through f, each result rounded by `vr` */
  map1(f: (x: number) => number): Float32Array;
}

export type NodeProto = OnnxTypes.INodeProto;

/** What an ONNX importer sees of one ONNX node while the graph is being built. */
export interface OnnxContext {
  readonly g: Graph;
  readonly node: NodeProto;
  readonly opset: number;
  /** node name (or OpType_index) */
  readonly name: string;
  /** the node's outputs; `out` is the first */
  readonly outputs: readonly string[];
  readonly out: string;
  /** the name of input i ('' when absent) */
  input(i: number): string;
  /** the tensor of input i (defined before this node) */
  info(i: number): TensorInfo;
  rank(i: number): number;
  /** input i is a constant: an initializer, a Constant, or folded at import (a shape computation) */
  isConst(i: number): boolean;
  /** the value of a constant input, with its data type and true shape ([] for a scalar) */
  constValue(i: number): ConstValue;
  /** the data of a constant input (InputError naming the node when it is computed from the graph inputs) */
  constData(i: number): ArrayLike<number>;
  /** InputError naming the ONNX node */
  bad(msg: string): never;
  /** a constant output of the node (a Dropout's all-true mask in inference) */
  defineConst(name: string, value: ConstValue): void;
  /** appends a graph node (its shape is inferred) */
  add(node: GraphNode): TensorInfo;
  attrInt(name: string, def: number): number;
  attrFloat(name: string, def: number): number;
  attrInts(name: string): number[] | undefined;
  attrFloats(name: string): number[] | undefined;
  attrString(name: string, def: string): string;
  attrStrings(name: string): string[] | undefined;
  /** input i is a 2-D float constant (a weight) */
  isWeight(i: number): boolean;
  /** a transposed copy [N, K] of a 2-D weight [K, N], added once (`derived`: not counted as parameters); returns its name */
  transposedWeight(t: TensorInfo): string;
  /** a weight made from the model's data (a reshaped bias, a gate's slice): added once, `derived`; returns its name */
  derivedTensor(name: string, shape: readonly number[], data: Float32Array): string;
}

export type OnnxImporter = (ctx: OnnxContext) => void;

export interface OperatorDef<N extends NodeBase & { readonly op: string } = GraphNode> {
  /** the graph operators this module defines */
  readonly ops: readonly N['op'][];
  /** the output shape, checking the inputs' shapes */
  inferShape(s: ShapeContext, node: N): number[];
  /** multiply-accumulates (array-class operators; default 0) */
  macs?(g: Graph, node: N): number;
  /** array ops and vector work of the node (LowerContext), and how it was mapped */
  lower(ctx: LowerContext, node: N): Lowering;
  /** the node's output values */
  kernel(ctx: KernelContext, node: N): Float32Array;
  /**
   * input slots whose arrays the kernel (or its backend) caches derived data by, as weights are
   * the same arrays run after run: an activation there is never reused for another tensor
   */
  readonly cachedInputs?: readonly number[];
  /** how the network-level scratchpad problem (models/scratchpad-problem.ts) sees the node */
  readonly scratchpad?: {
    /** moves no data: its output is its first input's tensor, or all of its inputs' */
    readonly view?: 'first' | 'all';
    /** the input slot holding an array weight: sized at the weight word, split along output channels */
    readonly weightSlot?: number;
    /** elements actually read from input `slot` when it is a weight or graph input read in part */
    partialRead?(g: Graph, node: N, slot: number): number | undefined;
  };
  /** operators of this module whose array operands are +-1 (an XNOR array runs them) */
  readonly binary?: readonly N['op'][];
  /** the array op's weights in the GEMM's B layout (K x N row-major), where the node has them */
  gemmWeights?(g: Graph, node: N, layer: Layer): Float32Array | undefined;
  /** ONNX operator types that import into this operator, by op type */
  readonly onnx?: Readonly<Record<string, OnnxImporter>>;
}
