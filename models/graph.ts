/**
 * The model graph IR: a small, typed graph of operators with shapes.
 *
 * - Tensors are named; each has a shape, a role and (optionally) data. Layouts follow
 *   PyTorch / ONNX: images NCHW, conv weights OIHW [F, C/groups, kH, kW], linear weights
 *   [N, K] (out x in, y = x W^T + b), sequences [B, S, D].
 * - Nodes are kept in topological order; every node's output shape is inferred when it is
 *   added (`addNode` in operators.ts), so a shape mismatch between layers is an InputError
 *   naming the node.
 * - What a node is (its attributes, shape rule, MACs, lowering, kernel, ONNX import) is its
 *   operator's: one module per operator family in models/ops/, listed in operators.ts.
 * - Weights are optional: a graph whose params have no data can be lowered and timed; one
 *   whose params all have data can also be executed (models/exec/).
 *
 * Counting conventions (what `paramCount` and `graphMacs` report):
 * - params: every element of every tensor of role 'param', each tensor once (tied weights,
 *   like GPT-2's lm head, count once; a `derived` copy, such as an ONNX MatMul weight transposed
 *   into the [N, K] layout, is not counted again): conv/linear weights and biases, batch-norm gamma and
 *   beta, layer-norm gamma and beta, embeddings, class tokens and position embeddings,
 *   binary layers' per-channel scales. Batch-norm running mean/var are 'buffer's (like
 *   PyTorch's `parameters()`), not params.
 * - MACs: multiply-accumulates of the array-class operators only: conv (per output element
 *   C/groups x kH x kW), linear, matmul, and attention's two batched matmuls (Q K^T and A V).
 *   Bias adds, normalization, activations, pooling and the softmax are not MACs (they are
 *   vector-unit work in the lowering).
 */
import { InputError } from '../sim/errors.ts';
import type { GraphNode } from './operators.ts';

export type Shape = readonly number[];
export type DType = 'float32' | 'int64';
/** input: fed at run time; param: learned weight; buffer: non-learned state (BN statistics); const: other constants */
export type TensorRole = 'input' | 'param' | 'buffer' | 'const' | 'activation';

export interface TensorInfo {
  readonly name: string;
  readonly shape: Shape;
  readonly role: TensorRole;
  readonly dtype: DType;
  /** values, row-major (int64 tensors hold their integers as floats) */
  data?: Float32Array;
  /**
   * a copy or transform of another tensor of the model (an ONNX weight transposed into the
   * [N, K] layout, a bias flattened): the parameter count counts its source, not it
   */
  readonly derived?: boolean;
}

/** What every node has; each operator module adds its attributes and its `op` names. */
export interface NodeBase {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly output: string;
}

export interface Graph {
  readonly name: string;
  readonly tensors: Map<string, TensorInfo>;
  /** topological order */
  readonly nodes: GraphNode[];
  readonly inputs: string[];
  readonly outputs: string[];
}

export function emptyGraph(name: string): Graph {
  return { name, tensors: new Map(), nodes: [], inputs: [], outputs: [] };
}

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** An InputError naming the node and its operator. */
export function nodeError(node: { name: string; op: string }, msg: string): never {
  throw new InputError(`node '${node.name}' (${node.op}): ${msg}`);
}

export function tensor(g: Graph, name: string): TensorInfo {
  const t = g.tensors.get(name);
  if (!t) throw new InputError(`graph ${g.name}: unknown tensor '${name}'`);
  return t;
}

export function addTensor(g: Graph, t: TensorInfo): TensorInfo {
  if (g.tensors.has(t.name)) throw new InputError(`graph ${g.name}: tensor '${t.name}' defined twice`);
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d <= 0) throw new InputError(`tensor '${t.name}': bad shape ${shapeStr(t.shape)}`);
  }
  if (t.data && t.data.length !== numel(t.shape)) {
    throw new InputError(`tensor '${t.name}': ${t.data.length} values for shape ${shapeStr(t.shape)}`);
  }
  g.tensors.set(t.name, t);
  if (t.role === 'input') g.inputs.push(t.name);
  return t;
}

/** An axis in [-rank, rank) as a non-negative index (InputError naming the node otherwise). */
export function normAxis(node: { name: string; op: string }, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) nodeError(node, `axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function broadcastShapes(node: { name: string; op: string }, a: Shape, b: Shape): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      nodeError(node, `shapes ${shapeStr(a)} and ${shapeStr(b)} do not broadcast`);
    }
    out.push(Math.max(da, db));
  }
  return out;
}

/** Output size of a sliding window (conv, pool) along one axis. */
export function windowOutput(node: { name: string; op: string }, inSize: number, k: number, stride: number, dil: number, p0: number, p1: number, ceil: boolean): number {
  const span = dil * (k - 1) + 1;
  const num = inSize + p0 + p1 - span;
  if (num < 0) nodeError(node, `window ${k} (dilation ${dil}) larger than the padded input ${inSize + p0 + p1}`);
  let o = (ceil ? Math.ceil(num / stride) : Math.floor(num / stride)) + 1;
  // PyTorch / ONNX: the last window must start inside the input or left padding
  if (ceil && (o - 1) * stride >= inSize + p0) o--;
  return o;
}

export function paramCount(g: Graph): number {
  let n = 0;
  for (const t of g.tensors.values()) if (t.role === 'param' && t.derived !== true) n += numel(t.shape);
  return n;
}

/** A graph's structure as seen once (its node objects, how many tensors), to keep what was derived from it. */
export interface GraphShape {
  readonly nodes: readonly GraphNode[];
  readonly tensorCount: number;
}

export const graphShapeOf = (g: Graph): GraphShape => ({ nodes: [...g.nodes], tensorCount: g.tensors.size });

/** The graph has the same node objects and as many tensors as when `seen` was taken. */
export function sameGraphShape(seen: GraphShape, g: Graph): boolean {
  return seen.tensorCount === g.tensors.size && seen.nodes.length === g.nodes.length && seen.nodes.every((n, i) => n === g.nodes[i]);
}

/** Whether every param, buffer and const has data (the graph can be executed). */
export function hasWeights(g: Graph): boolean {
  for (const t of g.tensors.values()) {
    if ((t.role === 'param' || t.role === 'buffer' || t.role === 'const') && !t.data) return false;
  }
  return true;
}
