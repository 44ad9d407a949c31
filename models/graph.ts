/**
 * The model graph IR: a small, typed graph of operators with shapes.
 *
 * - Tensors are named; each has a shape, a role and (optionally) data. Layouts follow
 *   PyTorch / ONNX: images NCHW, conv weights OIHW [F, C/groups, kH, kW], linear weights
 *   [N, K] (out x in, y = x W^T + b), sequences [B, S, D].
 * - Nodes are kept in topological order; every node's output shape is inferred when it is
 *   added (`addNode`), so a shape mismatch between layers is an InputError naming the node.
 * - Weights are optional: a graph whose params have no data can be lowered and timed; one
 *   whose params all have data can also be executed (models/exec/).
 *
 * Counting conventions (what `paramCount` and `graphMacs` report):
 * - params: every element of every tensor of role 'param', each tensor once (tied weights,
 *   like GPT-2's lm head, count once): conv/linear weights and biases, batch-norm gamma and
 *   beta, layer-norm gamma and beta, embeddings, class tokens and position embeddings,
 *   binary layers' per-channel scales. Batch-norm running mean/var are 'buffer's (like
 *   PyTorch's `parameters()`), not params.
 * - MACs: multiply-accumulates of the array-class operators only: conv (per output element
 *   C/groups x kH x kW), linear, matmul, and attention's two batched matmuls (Q K^T and A V).
 *   Bias adds, normalization, activations, pooling and the softmax are not MACs (they are
 *   vector-unit work in the lowering).
 */
import { InputError } from '../sim/errors.ts';

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
}

interface NodeBase {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly output: string;
}

/** inputs: x [N,C,H,W], w [F,C/groups,kH,kW], bias? [F]; binary: alpha [F] after bias ('' when no bias) */
export interface Conv2dNode extends NodeBase {
  readonly op: 'conv2d' | 'binary_conv2d';
  readonly stride: readonly [number, number];
  /** [top, left, bottom, right] (ONNX order) */
  readonly pads: readonly [number, number, number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

/** inputs: x [..., K], w [N, K], bias? [N]; binary: alpha [N] after bias ('' when no bias) */
export interface LinearNode extends NodeBase {
  readonly op: 'linear' | 'binary_linear';
}

/** inputs: a [..., M, K], b [..., K, N] (batch dims broadcast) */
export interface MatMulNode extends NodeBase {
  readonly op: 'matmul';
}

/**
 * Multi-head scaled dot-product attention on projected q, k, v:
 * q [B, Sq, H*dh], k and v [B, Skv, Hkv*dh] (Hkv divides H: grouped-query attention).
 * Causal: query i sees keys j <= Skv - Sq + i (a KV cache of Skv - Sq earlier tokens).
 */
export interface AttentionNode extends NodeBase {
  readonly op: 'attention';
  readonly heads: number;
  readonly kvHeads: number;
  readonly causal: boolean;
  /** score scale, usually 1/sqrt(dh) */
  readonly scale: number;
}

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

/** element-wise with numpy broadcasting */
export interface BinaryNode extends NodeBase {
  readonly op: 'add' | 'sub' | 'mul' | 'div';
}

export type UnaryOp = 'relu' | 'gelu' | 'sigmoid' | 'silu' | 'tanh' | 'erf' | 'sqrt' | 'identity' | 'sign';
export interface UnaryNode extends NodeBase {
  readonly op: UnaryOp;
}

export interface ClipNode extends NodeBase {
  readonly op: 'clip';
  readonly min: number;
  readonly max: number;
}

export interface SoftmaxNode extends NodeBase {
  readonly op: 'softmax';
  readonly axis: number;
}

/** over the last axis; inputs x, gamma, beta? (rmsnorm: x, gamma) */
export interface NormNode extends NodeBase {
  readonly op: 'layernorm' | 'rmsnorm';
  readonly eps: number;
}

/** inputs x [N,C,...], gamma, beta, mean, var */
export interface BatchNormNode extends NodeBase {
  readonly op: 'batchnorm';
  readonly eps: number;
}

/** inputs table [V, D], ids [...] -> [..., D] */
export interface EmbeddingNode extends NodeBase {
  readonly op: 'embedding';
}

export interface ConcatNode extends NodeBase {
  readonly op: 'concat';
  readonly axis: number;
}

/** target shape; 0 copies the input dim, -1 is inferred (ONNX semantics) */
export interface ReshapeNode extends NodeBase {
  readonly op: 'reshape';
  readonly shape: readonly number[];
}

export interface FlattenNode extends NodeBase {
  readonly op: 'flatten';
  readonly axis: number;
}

export interface TransposeNode extends NodeBase {
  readonly op: 'transpose';
  readonly perm: readonly number[];
}

/** x[..., start:end, ...] along one axis, step 1 */
export interface SliceNode extends NodeBase {
  readonly op: 'slice';
  readonly axis: number;
  readonly start: number;
  readonly end: number;
}

/** numpy broadcast of x to `shape` */
export interface ExpandNode extends NodeBase {
  readonly op: 'expand';
  readonly shape: readonly number[];
}

/** rotary position embedding on x [B, S, H*dh], positions offset..offset+S-1, rotate-half pairing */
export interface RopeNode extends NodeBase {
  readonly op: 'rope';
  readonly heads: number;
  readonly offset: number;
  readonly base: number;
}

export type GraphNode =
  | Conv2dNode | LinearNode | MatMulNode | AttentionNode | PoolNode | GlobalPoolNode | BinaryNode
  | UnaryNode | ClipNode | SoftmaxNode | NormNode | BatchNormNode | EmbeddingNode | ConcatNode
  | ReshapeNode | FlattenNode | TransposeNode | SliceNode | ExpandNode | RopeNode;

export type OpName = GraphNode['op'];

export const OP_NAMES: readonly OpName[] = [
  'conv2d', 'binary_conv2d', 'linear', 'binary_linear', 'matmul', 'attention', 'maxpool', 'avgpool',
  'global_avgpool', 'add', 'sub', 'mul', 'div', 'relu', 'gelu', 'sigmoid', 'silu', 'tanh', 'erf', 'sqrt',
  'identity', 'sign', 'clip', 'softmax', 'layernorm', 'rmsnorm', 'batchnorm', 'embedding', 'concat',
  'reshape', 'flatten', 'transpose', 'slice', 'expand', 'rope',
];

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

function fail(node: { name: string; op: string }, msg: string): never {
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

function normAxis(node: GraphNode, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(node, `axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function broadcastShapes(node: GraphNode, a: Shape, b: Shape): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      fail(node, `shapes ${shapeStr(a)} and ${shapeStr(b)} do not broadcast`);
    }
    out.push(Math.max(da, db));
  }
  return out;
}

function convOut(node: GraphNode, inSize: number, k: number, stride: number, dil: number, p0: number, p1: number, ceil: boolean): number {
  const span = dil * (k - 1) + 1;
  const num = inSize + p0 + p1 - span;
  if (num < 0) fail(node, `window ${k} (dilation ${dil}) larger than the padded input ${inSize + p0 + p1}`);
  let o = (ceil ? Math.ceil(num / stride) : Math.floor(num / stride)) + 1;
  // PyTorch / ONNX: the last window must start inside the input or left padding
  if (ceil && (o - 1) * stride >= inSize + p0) o--;
  return o;
}

/** The output shape of a node, checking its inputs' shapes (InputError naming the node). */
export function inferShape(g: Graph, node: GraphNode): number[] {
  const sh = (i: number): Shape => {
    const name = node.inputs[i];
    if (name === undefined || name === '') fail(node, `missing input ${i}`);
    const t = g.tensors.get(name);
    if (!t) fail(node, `input '${name}' is not defined before this node`);
    return t.shape;
  };
  const has = (i: number) => node.inputs[i] !== undefined && node.inputs[i] !== '';
  const expectShape = (i: number, want: Shape, what: string) => {
    const s = sh(i);
    if (s.length !== want.length || s.some((d, j) => d !== want[j])) {
      fail(node, `${what} '${node.inputs[i]}' has shape ${shapeStr(s)}, expected ${shapeStr(want)}`);
    }
  };
  switch (node.op) {
    case 'conv2d':
    case 'binary_conv2d': {
      const x = sh(0), w = sh(1);
      if (x.length !== 4) fail(node, `input must be NCHW, got ${shapeStr(x)}`);
      if (w.length !== 4) fail(node, `weight must be [F, C/groups, kH, kW], got ${shapeStr(w)}`);
      const [n, c, h, wd] = x;
      const [f, cg, kh, kw] = w;
      if (!Number.isInteger(node.groups) || node.groups < 1) fail(node, `bad groups ${node.groups}`);
      if (c % node.groups !== 0 || f % node.groups !== 0) fail(node, `channels ${c} / filters ${f} not divisible by groups ${node.groups}`);
      if (cg * node.groups !== c) {
        fail(node, `input has ${c} channels but the weight expects ${cg * node.groups} (${cg} per group x ${node.groups} groups)`);
      }
      if (has(2)) expectShape(2, [f], 'bias');
      if (node.op === 'binary_conv2d' && has(3)) expectShape(3, [f], 'scale');
      for (const v of [...node.stride, ...node.dilation]) if (!Number.isInteger(v) || v < 1) fail(node, 'stride and dilation must be positive integers');
      for (const v of node.pads) if (!Number.isInteger(v) || v < 0) fail(node, 'pads must be non-negative integers');
      const oh = convOut(node, h, kh, node.stride[0], node.dilation[0], node.pads[0], node.pads[2], false);
      const ow = convOut(node, wd, kw, node.stride[1], node.dilation[1], node.pads[1], node.pads[3], false);
      if (oh < 1 || ow < 1) fail(node, 'empty output');
      return [n, f, oh, ow];
    }
    case 'linear':
    case 'binary_linear': {
      const x = sh(0), w = sh(1);
      if (w.length !== 2) fail(node, `weight must be [N, K], got ${shapeStr(w)}`);
      if (x.length < 1 || x[x.length - 1] !== w[1]) {
        fail(node, `input ${shapeStr(x)} has ${x[x.length - 1]} features, the weight ${shapeStr(w)} expects ${w[1]}`);
      }
      if (has(2)) expectShape(2, [w[0]], 'bias');
      if (node.op === 'binary_linear' && has(3)) expectShape(3, [w[0]], 'scale');
      return [...x.slice(0, -1), w[0]];
    }
    case 'matmul': {
      const a = sh(0), b = sh(1);
      if (a.length < 2 || b.length < 2) fail(node, `operands must have rank >= 2, got ${shapeStr(a)} x ${shapeStr(b)}`);
      const k = a[a.length - 1];
      if (b[b.length - 2] !== k) fail(node, `inner dimensions differ: ${shapeStr(a)} x ${shapeStr(b)}`);
      const batch = broadcastShapes(node, a.slice(0, -2), b.slice(0, -2));
      return [...batch, a[a.length - 2], b[b.length - 1]];
    }
    case 'attention': {
      const q = sh(0), k = sh(1), v = sh(2);
      if (q.length !== 3 || k.length !== 3 || v.length !== 3) fail(node, 'q, k, v must be [B, S, D]');
      if (k[0] !== q[0] || v[0] !== q[0]) fail(node, `batch sizes differ: ${shapeStr(q)}, ${shapeStr(k)}, ${shapeStr(v)}`);
      if (k[1] !== v[1] || k[2] !== v[2]) fail(node, `k ${shapeStr(k)} and v ${shapeStr(v)} differ`);
      if (node.heads < 1 || q[2] % node.heads !== 0) fail(node, `width ${q[2]} not divisible by ${node.heads} heads`);
      if (node.kvHeads < 1 || node.heads % node.kvHeads !== 0) fail(node, `${node.heads} heads not divisible by ${node.kvHeads} kv heads`);
      const dh = q[2] / node.heads;
      if (k[2] !== dh * node.kvHeads) fail(node, `k/v width ${k[2]} != ${node.kvHeads} kv heads x head size ${dh}`);
      if (node.causal && k[1] < q[1]) fail(node, `causal attention needs at least as many keys (${k[1]}) as queries (${q[1]})`);
      return [...q];
    }
    case 'maxpool':
    case 'avgpool': {
      const x = sh(0);
      if (x.length !== 4) fail(node, `input must be NCHW, got ${shapeStr(x)}`);
      const oh = convOut(node, x[2], node.kernel[0], node.stride[0], 1, node.pads[0], node.pads[2], node.ceilMode);
      const ow = convOut(node, x[3], node.kernel[1], node.stride[1], 1, node.pads[1], node.pads[3], node.ceilMode);
      return [x[0], x[1], oh, ow];
    }
    case 'global_avgpool': {
      const x = sh(0);
      if (x.length < 3) fail(node, `input must be [N, C, spatial...], got ${shapeStr(x)}`);
      return [x[0], x[1], ...x.slice(2).map(() => 1)];
    }
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
      return broadcastShapes(node, sh(0), sh(1));
    case 'relu': case 'gelu': case 'sigmoid': case 'silu': case 'tanh': case 'erf': case 'sqrt': case 'identity':
    case 'sign': case 'clip':
      return [...sh(0)];
    case 'softmax': {
      const x = sh(0);
      normAxis(node, node.axis, x.length);
      return [...x];
    }
    case 'layernorm':
    case 'rmsnorm': {
      const x = sh(0);
      const d = x[x.length - 1];
      expectShape(1, [d], 'gamma');
      if (has(2)) expectShape(2, [d], 'beta');
      return [...x];
    }
    case 'batchnorm': {
      const x = sh(0);
      if (x.length < 2) fail(node, `input must be [N, C, ...], got ${shapeStr(x)}`);
      for (let i = 1; i <= 4; i++) expectShape(i, [x[1]], ['', 'gamma', 'beta', 'mean', 'var'][i]);
      return [...x];
    }
    case 'embedding': {
      const t = sh(0), ids = sh(1);
      if (t.length !== 2) fail(node, `table must be [V, D], got ${shapeStr(t)}`);
      return [...ids, t[1]];
    }
    case 'concat': {
      if (node.inputs.length < 1) fail(node, 'no inputs');
      const first = sh(0);
      const axis = normAxis(node, node.axis, first.length);
      const out = [...first];
      for (let i = 1; i < node.inputs.length; i++) {
        const s = sh(i);
        if (s.length !== first.length || s.some((d, j) => j !== axis && d !== first[j])) {
          fail(node, `input '${node.inputs[i]}' ${shapeStr(s)} does not match ${shapeStr(first)} outside axis ${axis}`);
        }
        out[axis] += s[axis];
      }
      return out;
    }
    case 'reshape': {
      const x = sh(0);
      const out = node.shape.map((d, i) => (d === 0 ? x[i] : d));
      const known = out.filter((d) => d !== -1);
      const free = out.length - known.length;
      if (free > 1) fail(node, `more than one -1 in ${shapeStr(node.shape)}`);
      const total = numel(x);
      const kn = numel(known);
      if (free === 1) {
        if (kn === 0 || total % kn !== 0) fail(node, `cannot reshape ${shapeStr(x)} to ${shapeStr(node.shape)}`);
        out[out.indexOf(-1)] = total / kn;
      }
      if (out.some((d) => d === undefined || !Number.isInteger(d) || d < 1) || numel(out) !== total) {
        fail(node, `cannot reshape ${shapeStr(x)} (${total} elements) to ${shapeStr(node.shape)}`);
      }
      return out;
    }
    case 'flatten': {
      const x = sh(0);
      const axis = node.axis < 0 ? node.axis + x.length : node.axis;
      if (axis < 0 || axis > x.length) fail(node, `axis ${node.axis} out of range`);
      return [numel(x.slice(0, axis)), numel(x.slice(axis))];
    }
    case 'transpose': {
      const x = sh(0);
      const p = node.perm;
      if (p.length !== x.length || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
        fail(node, `perm ${shapeStr(p)} is not a permutation of rank ${x.length}`);
      }
      return p.map((i) => x[i]);
    }
    case 'slice': {
      const x = sh(0);
      const axis = normAxis(node, node.axis, x.length);
      const d = x[axis];
      const s = Math.max(0, Math.min(d, node.start < 0 ? node.start + d : node.start));
      const e = Math.max(0, Math.min(d, node.end < 0 ? node.end + d : node.end));
      if (e <= s) fail(node, `empty slice [${node.start}:${node.end}] of axis ${axis} (size ${d})`);
      const out = [...x];
      out[axis] = e - s;
      return out;
    }
    case 'expand':
      return broadcastShapes(node, sh(0), node.shape);
    case 'rope': {
      const x = sh(0);
      if (x.length !== 3) fail(node, `input must be [B, S, D], got ${shapeStr(x)}`);
      if (x[2] % node.heads !== 0 || (x[2] / node.heads) % 2 !== 0) fail(node, `width ${x[2]} not ${node.heads} heads of even size`);
      return [...x];
    }
  }
}

/** Appends a node (its output tensor is created with the inferred shape). */
export function addNode(g: Graph, node: GraphNode): TensorInfo {
  if (g.tensors.has(node.output)) fail(node, `output '${node.output}' already defined`);
  const shape = inferShape(g, node);
  g.nodes.push(node);
  return addTensor(g, { name: node.output, shape, role: 'activation', dtype: 'float32' });
}

export function paramCount(g: Graph): number {
  let n = 0;
  for (const t of g.tensors.values()) if (t.role === 'param') n += numel(t.shape);
  return n;
}

/** [start, end) of a slice along an axis of size `dim` (negative indices count from the end, clamped) */
export function sliceRange(node: SliceNode, dim: number): [number, number] {
  const s = Math.max(0, Math.min(dim, node.start < 0 ? node.start + dim : node.start));
  const e = Math.max(0, Math.min(dim, node.end < 0 ? node.end + dim : node.end));
  return [s, e];
}

/** MACs of one node (conventions in the header). */
export function nodeMacs(g: Graph, node: GraphNode): number {
  const out = () => tensor(g, node.output).shape;
  switch (node.op) {
    case 'conv2d':
    case 'binary_conv2d': {
      const w = tensor(g, node.inputs[1]).shape;
      return numel(out()) * w[1] * w[2] * w[3];
    }
    case 'linear':
    case 'binary_linear':
      return numel(out()) * tensor(g, node.inputs[1]).shape[1];
    case 'matmul': {
      const a = tensor(g, node.inputs[0]).shape;
      return numel(out()) * a[a.length - 1];
    }
    case 'attention': {
      const q = tensor(g, node.inputs[0]).shape, k = tensor(g, node.inputs[1]).shape;
      // Q K^T: B*H*Sq*Skv*dh, A V: the same
      return 2 * q[0] * q[1] * k[1] * q[2];
    }
    default:
      return 0;
  }
}

export function graphMacs(g: Graph): number {
  let n = 0;
  for (const node of g.nodes) n += nodeMacs(g, node);
  return n;
}

/** Whether every param, buffer and const has data (the graph can be executed). */
export function hasWeights(g: Graph): boolean {
  for (const t of g.tensors.values()) {
    if ((t.role === 'param' || t.role === 'buffer' || t.role === 'const') && !t.data) return false;
  }
  return true;
}

