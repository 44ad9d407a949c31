/**
 * The operator registry: every graph operator's module (models/ops/), by operator name, and
 * what the rest of models/ asks of a node through it: its shape (addNode), its MACs, its
 * lowering (lower.ts), its kernel (exec/executor.ts), how the network scheduler sees it
 * (scratchpad-problem.ts), its GEMM weights (workload.ts) and the ONNX operators that import
 * into it (import/onnx.ts). A new operator is a module in models/ops/ added to OPERATORS and,
 * for its node type, to GraphNode.
 */
import { InputError } from '../sim/errors.ts';
import { addTensor, shapeStr, type Graph, type TensorInfo } from './graph.ts';
import { ATTENTION, type AttentionNode } from './ops/attention.ts';
import { CONV, type Conv2dNode } from './ops/conv.ts';
import { ELEMENTWISE, type BinaryNode } from './ops/elementwise.ts';
import { EINSUM, type EinsumNode } from './ops/einsum.ts';
import { EMBEDDING, type EmbeddingNode } from './ops/embedding.ts';
import { GATHER, type GatherNode } from './ops/gather.ts';
import { LINEAR, type LinearNode } from './ops/linear.ts';
import { MATMUL, type MatMulNode } from './ops/matmul.ts';
import { BATCHNORM, NORM, type BatchNormNode, type NormNode } from './ops/norm.ts';
import { PAD, type PadNode } from './ops/pad.ts';
import { RECURRENT, type RecurrentNode } from './ops/recurrent.ts';
import { REDUCE, type ReduceNode } from './ops/reduce.ts';
import { RESIZE, type ResizeNode } from './ops/resize.ts';
import { GLOBAL_POOL, POOL, type GlobalPoolNode, type PoolNode } from './ops/pool.ts';
import { ROPE, type RopeNode } from './ops/rope.ts';
import { SOFTMAX, type SoftmaxNode } from './ops/softmax.ts';
import { TRANSPOSE, type TransposeNode } from './ops/transpose.ts';
import { WHERE, type WhereNode } from './ops/where.ts';
import type { OnnxImporter, OperatorDef, ShapeContext } from './ops/types.ts';
import { CLIP, HARD_ACTIVATION, UNARY, type ClipNode, type HardActivationNode, type UnaryNode } from './ops/unary.ts';
import {
  CONCAT, EXPAND, FLATTEN, IDENTITY, RESHAPE, SLICE,
  type ConcatNode, type ExpandNode, type FlattenNode, type IdentityNode, type ReshapeNode, type SliceNode,
} from './ops/views.ts';

export type GraphNode =
  | Conv2dNode | LinearNode | MatMulNode | AttentionNode | PoolNode | GlobalPoolNode | BinaryNode
  | UnaryNode | IdentityNode | ClipNode | SoftmaxNode | NormNode | BatchNormNode | EmbeddingNode | ConcatNode
  | ReshapeNode | FlattenNode | TransposeNode | SliceNode | ExpandNode | RopeNode | GatherNode | ReduceNode | PadNode
  | RecurrentNode | HardActivationNode | EinsumNode | ResizeNode | WhereNode;

export type OpName = GraphNode['op'];

/** Every operator module (OperatorDef's methods take the module's own node type). */
const OPERATORS: readonly OperatorDef[] = [
  CONV, LINEAR, MATMUL, ATTENTION, POOL, GLOBAL_POOL, ELEMENTWISE, UNARY, IDENTITY, CLIP, SOFTMAX, NORM, BATCHNORM,
  EMBEDDING, CONCAT, RESHAPE, FLATTEN, TRANSPOSE, SLICE, EXPAND, ROPE, GATHER, REDUCE, PAD, RECURRENT, HARD_ACTIVATION, EINSUM, RESIZE, WHERE,
];

const BY_OP = new Map<string, OperatorDef>();
for (const def of OPERATORS) {
  for (const op of def.ops) {
    if (BY_OP.has(op)) throw new Error(`operator '${op}' is defined twice`);
    BY_OP.set(op, def);
  }
}

const ONNX = new Map<string, OnnxImporter>();
for (const def of OPERATORS) {
  for (const [type, importer] of Object.entries(def.onnx ?? {})) {
    if (ONNX.has(type)) throw new Error(`ONNX operator '${type}' is imported twice`);
    ONNX.set(type, importer);
  }
}

export const OP_NAMES: readonly OpName[] = [...BY_OP.keys()] as OpName[];

/** The module of an operator (every node's `op` has one). */
export function operatorOf(op: string): OperatorDef {
  const def = BY_OP.get(op);
  if (!def) throw new InputError(`unknown operator '${op}'; known: ${OP_NAMES.join(', ')}`);
  return def;
}

/** The importer of an ONNX operator type, or undefined when none is registered. */
export function onnxImporter(opType: string): OnnxImporter | undefined {
  return ONNX.get(opType);
}

/** ONNX operator types with an importer, sorted. */
export function onnxOpTypes(): string[] {
  return [...ONNX.keys()].sort();
}

/** The node computes with +-1 operands on the array (binary conv / linear). */
export function isBinaryNode(node: GraphNode): boolean {
  return (operatorOf(node.op).binary as readonly string[] | undefined)?.includes(node.op) ?? false;
}

/** The output shape of a node, checking its inputs' shapes (InputError naming the node). */
export function inferShape(g: Graph, node: GraphNode): number[] {
  const fail: (msg: string) => never = (msg) => {
    throw new InputError(`node '${node.name}' (${node.op}): ${msg}`);
  };
  const s: ShapeContext = {
    g,
    fail,
    sh(i) {
      const name = node.inputs[i];
      if (name === undefined || name === '') fail(`missing input ${i}`);
      const t = g.tensors.get(name);
      if (!t) return fail(`input '${name}' is not defined before this node`);
      return t.shape;
    },
    has: (i) => node.inputs[i] !== undefined && node.inputs[i] !== '',
    expectShape(i, want, what) {
      const sh = s.sh(i);
      if (sh.length !== want.length || sh.some((d, j) => d !== want[j])) {
        fail(`${what} '${node.inputs[i]}' has shape ${shapeStr(sh)}, expected ${shapeStr(want)}`);
      }
    },
  };
  return operatorOf(node.op).inferShape(s, node);
}

/** Appends a node (its output tensor is created with the inferred shape). */
export function addNode(g: Graph, node: GraphNode): TensorInfo {
  if (g.tensors.has(node.output)) throw new InputError(`node '${node.name}' (${node.op}): output '${node.output}' already defined`);
  const shape = inferShape(g, node);
  g.nodes.push(node);
  return addTensor(g, { name: node.output, shape, role: 'activation', dtype: 'float32' });
}

/** MACs of one node (conventions in graph.ts's header). */
export function nodeMacs(g: Graph, node: GraphNode): number {
  return operatorOf(node.op).macs?.(g, node) ?? 0;
}

export function graphMacs(g: Graph): number {
  let n = 0;
  for (const node of g.nodes) n += nodeMacs(g, node);
  return n;
}
