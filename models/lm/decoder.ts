/**
 * KV-cache decoding of a causal transformer language model imported from ONNX: a prefill of the
 * prompt, then one token at a time, each new position's attention reading the cached keys and
 * values of the positions before it instead of recomputing them.
 *
 * The decoder runs the imported graph itself, not a re-implementation of the model: every node
 * runs through its operator's kernel (`runKernel`, the executor's) with the run's arithmetic,
 * on the new positions only. Position-wise nodes (the embedding, the position embedding's add,
 * layer norms, linear layers, activations, residual adds) take `[1, n, ...]` instead of
 * `[1, T, ...]`, and a constant that spans the positions (a learned position embedding
 * `[T, D]`) gives its rows of the new positions. Each attention core (the head split, Q K^T, the
 * scale, the causal mask, the softmax, A V, the head merge) is found in the graph by its shape
 * (`planDecoder`) and computed from the cache: scores of the new queries against every cached
 * key, the mask's rows of the new positions, the softmax, and the matmul with the cached values
 * — through the same matmul, scale and softmax kernels on the shorter rows.
 *
 * Why the cache gives the same bits as a full recompute of the window: in a full run, a query's
 * scores of future keys are exactly -inf after the mask, their softmax weights exactly 0, and
 * their products with the values exactly 0, so leaving them out changes no sum; each output of
 * a GEMM is a dot product over K whose order does not depend on how many rows or columns there
 * are; and every other node works position by position. This holds for every PE whose operands
 * are scaled per token or not at all: the float kinds, L-Mul, the integer kinds, which a language
 * model scales per token, and the block formats (MX, NVFP4), whose blocks run along K: in A V the
 * keys, so each query multiplies V in blocks over the keys up to its own position only (the
 * block of its position cut there, as the cache has it), and NVFP4's FP32 scale is taken per
 * token (models/exec/token-scales.ts; the decoder always scales so, a full run with
 * `tokenScales`).
 */
import { InputError } from '../../sim/errors.ts';
import { arithmeticOf, runKernel, type Arithmetic, type ExecOptions } from '../exec/executor.ts';
import { numel, tensor, type Graph, type Shape } from '../graph.ts';
import { sameShape } from '../exec/kernel-util.ts';
import type { GraphNode } from '../operators.ts';
import { lmShape, type LmShape } from './model.ts';

/** One attention core of the graph: its inputs (the q, k, v projections) and its output. */
interface AttentionCore {
  /** tensors [1, T, D] of the q, k and v projections */
  readonly q: string;
  readonly k: string;
  readonly v: string;
  readonly heads: number;
  readonly headDim: number;
  readonly scores: GraphNode;
  /** the scale of the scores (mul or div by a constant), if any */
  readonly scale?: GraphNode;
  /** the causal mask [T, T] (nonzero: the fill value replaces the score) and its fill value */
  readonly mask?: { readonly cond: Float32Array; readonly fill: number };
  readonly softmax: GraphNode;
  readonly values: GraphNode;
  /** the merged heads [1, T, D]: where the core's result goes */
  readonly output: string;
}

export interface DecoderPlan {
  readonly g: Graph;
  readonly lm: LmShape;
  readonly cores: readonly AttentionCore[];
  /** output tensor -> its core */
  readonly coreOf: ReadonlyMap<string, AttentionCore>;
  /** tensors computed inside the cores (skipped: the core computes its output from the cache) */
  readonly inside: ReadonlySet<string>;
}

const POSITION_WISE = new Set([
  'embedding', 'add', 'sub', 'mul', 'div', 'pow', 'min', 'max', 'relu', 'gelu', 'gelu_tanh', 'sigmoid', 'silu', 'tanh', 'erf',
  'sqrt', 'sign', 'neg', 'abs', 'exp', 'log', 'reciprocal', 'clip', 'identity', 'layernorm', 'rmsnorm', 'linear',
]);

/** element-wise with numpy broadcasting: a constant operand may span the positions (a position embedding) */
const BROADCASTING = new Set(['add', 'sub', 'mul', 'div', 'pow', 'min', 'max']);

/**
 * Finds the attention cores and checks that every other node works position by position;
 * InputError naming the node where the graph is not a decoder this can cache.
 */
export function planDecoder(g: Graph, what = g.name): DecoderPlan {
  const lm = lmShape(g, what);
  const t = lm.context;
  const producer = new Map<string, GraphNode>();
  const consumers = new Map<string, GraphNode[]>();
  for (const n of g.nodes) {
    producer.set(n.output, n);
    for (const x of n.inputs) consumers.set(x, [...(consumers.get(x) ?? []), n]);
  }
  const bad = (node: GraphNode, why: string): never => {
    throw new InputError(`${what}: node '${node.name}' (${node.op}): ${why}; the KV-cache decoder needs a causal transformer (position-wise layers and attention cores: head split, Q K^T, scale, causal mask, softmax, A V, head merge)`);
  };
  const isConst = (x: string) => tensor(g, x).data !== undefined;
  const only = (x: string, op: string, from: GraphNode): GraphNode => {
    const p = producer.get(x);
    if (!p || p.op !== op) return bad(from, `input '${x}' is not a ${op}`);
    return p;
  };
  /** reshape [1, T, D] -> [1, T, H, hd] then transpose by `perm`: the projection it splits */
  const split = (x: string, perm: readonly number[], from: GraphNode): { proj: string; heads: number; headDim: number; nodes: GraphNode[] } => {
    const tr = only(x, 'transpose', from);
    if (tr.op !== 'transpose' || !sameShape(tr.perm, perm)) return bad(tr, `expected the head split's transpose (${perm.join(', ')})`);
    const rs = only(tr.inputs[0], 'reshape', tr);
    const s = tensor(g, rs.output).shape, src = tensor(g, rs.inputs[0]).shape;
    if (s.length !== 4 || s[0] !== 1 || s[1] !== t || src.length !== 3 || src[1] !== t || s[2] * s[3] !== src[2]) {
      return bad(rs, `expected a head split [1, ${t}, D] -> [1, ${t}, H, D/H], got [${src.join(', ')}] -> [${s.join(', ')}]`);
    }
    return { proj: rs.inputs[0], heads: s[2], headDim: s[3], nodes: [tr, rs] };
  };

  const cores: AttentionCore[] = [];
  const inside = new Set<string>();
  for (const sm of g.nodes) {
    if (sm.op !== 'softmax') continue;
    const xs = tensor(g, sm.output).shape;
    if (xs.length !== 4 || xs[2] !== t || xs[3] !== t || sm.axis !== 3) bad(sm, `expected a softmax over the keys of scores [1, H, ${t}, ${t}]`);
    let s = sm.inputs[0];
    const coreNodes: GraphNode[] = [sm];
    let mask: AttentionCore['mask'];
    const maskNode = producer.get(s);
    if (maskNode?.op === 'where') {
      const [c, f, y] = maskNode.inputs;
      const cs = tensor(g, c).shape;
      if (!isConst(c) || !isConst(f) || numel(tensor(g, f).shape) !== 1 || numel(cs) !== t * t || cs[cs.length - 1] !== t) {
        bad(maskNode, `expected a constant mask [${t}, ${t}] and a constant fill value`);
      }
      const cond = tensor(g, c).data!;
      for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) if (cond[i * t + j] === 0) bad(maskNode, `the mask lets query ${i} see key ${j}: not causal`);
      mask = { cond, fill: tensor(g, f).data![0] };
      coreNodes.push(maskNode);
      s = y;
    } else {
      bad(sm, 'no causal mask (Where) before the softmax');
    }
    let scale: GraphNode | undefined;
    const sc = producer.get(s);
    if ((sc?.op === 'mul' || sc?.op === 'div') && isConst(sc.inputs[1]) && numel(tensor(g, sc.inputs[1]).shape) === 1) {
      scale = sc;
      coreNodes.push(sc);
      s = sc.inputs[0];
    }
    const scores = only(s, 'matmul', sm);
    const q = split(scores.inputs[0], [0, 2, 1, 3], scores);
    const k = split(scores.inputs[1], [0, 2, 3, 1], scores);
    const av = (consumers.get(sm.output) ?? [])[0];
    if (!av || av.op !== 'matmul' || av.inputs[0] !== sm.output || consumers.get(sm.output)!.length !== 1) bad(sm, 'its output is not the A of one A V matmul');
    const v = split(av.inputs[1], [0, 2, 1, 3], av);
    const merge = (consumers.get(av.output) ?? [])[0];
    if (merge?.op !== 'transpose' || !sameShape(merge.perm, [0, 2, 1, 3])) bad(av, 'its output is not merged by a transpose (0, 2, 1, 3)');
    const rs = (consumers.get(merge.output) ?? [])[0];
    const os = rs ? tensor(g, rs.output).shape : [];
    if (rs?.op !== 'reshape' || !sameShape(os, [1, t, q.heads * q.headDim])) bad(merge, `the merged heads are not reshaped to [1, ${t}, ${q.heads * q.headDim}]`);
    if (k.heads !== q.heads || v.heads !== q.heads || k.headDim !== q.headDim || v.headDim !== q.headDim) bad(scores, 'q, k and v split into different heads');
    coreNodes.push(scores, av, merge, ...q.nodes, ...k.nodes, ...v.nodes);
    for (const n of coreNodes) {
      inside.add(n.output);
      // a core's inner tensors feed nothing outside it
      for (const c of consumers.get(n.output) ?? []) if (c !== merge && c !== rs && !coreNodes.includes(c)) bad(c, `reads '${n.output}' from inside an attention core`);
    }
    cores.push({
      q: q.proj, k: k.proj, v: v.proj, heads: q.heads, headDim: q.headDim, scores, ...(scale && { scale }), ...(mask && { mask }),
      softmax: sm, values: av, output: rs.output,
    });
    inside.add(merge.output);
  }
  if (cores.length === 0) throw new InputError(`${what}: no attention (softmax over [1, H, T, T] scores) found: not a transformer the KV-cache decoder can run`);
  const coreOf = new Map(cores.map((c) => [c.output, c]));
  for (const n of g.nodes) {
    if (inside.has(n.output) || coreOf.has(n.output)) continue;
    if (!POSITION_WISE.has(n.op)) bad(n, 'not a position-wise operator');
    const s = tensor(g, n.output).shape;
    if (s.length < 2 || s[0] !== 1 || s[1] !== t) bad(n, `output [${s.join(', ')}] is not [1, ${t}, ...]`);
    if (n.op === 'layernorm' || n.op === 'rmsnorm') {
      if (n.axis !== undefined && n.axis !== s.length - 1) bad(n, 'normalizes over more than the last axis');
    }
    for (const x of n.inputs) {
      if (x === '' || isConst(x) || x === lm.input) continue;
      const xs = tensor(g, x).shape;
      if (xs.length < 2 || xs[0] !== 1 || xs[1] !== t) bad(n, `input '${x}' [${xs.join(', ')}] is not [1, ${t}, ...]`);
    }
  }
  return { g, lm, cores, coreOf, inside };
}

/** A shape with its position axis (axis 1 of [1, T, ...]) set to n. */
const rows = (s: Shape, n: number): number[] => [s[0], n, ...s.slice(2)];

/**
 * A constant input of a position-wise node, for positions [p0, p0 + n): the rows of the
 * positions when it spans them (its axis aligned with the output's position axis has T
 * entries), else as it is (broadcast to every position).
 */
function constRows(data: Float32Array, shape: Shape, outRank: number, t: number, p0: number, n: number): { data: Float32Array; shape: Shape } {
  const axis = shape.length - (outRank - 1);
  if (axis < 0 || shape[axis] !== t) return { data, shape };
  const inner = numel(shape.slice(axis + 1)), outer = numel(shape.slice(0, axis));
  const out = new Float32Array(outer * n * inner);
  for (let o = 0; o < outer; o++) out.set(data.subarray((o * t + p0) * inner, (o * t + p0 + n) * inner), o * n * inner);
  const sh = [...shape];
  sh[axis] = n;
  return { data: out, shape: sh };
}

/** The decoding state: the cached keys and values of every attention core. */
export class KvDecoder {
  private readonly arith: Arithmetic;
  /** per core: keys and values [H, T, hd] of the positions fed so far */
  private readonly keys: Float32Array[];
  private readonly values: Float32Array[];
  private fed = 0;

  constructor(readonly plan: DecoderPlan, opts: ExecOptions = {}) {
    // per-token scales (models/exec/token-scales.ts): what makes data-scaled kinds causal
    this.arith = arithmeticOf({ ...opts, tokenScales: true });
    const { context: t } = plan.lm;
    this.keys = plan.cores.map((c) => new Float32Array(c.heads * t * c.headDim));
    this.values = plan.cores.map((c) => new Float32Array(c.heads * t * c.headDim));
  }

  /** positions fed so far */
  get length(): number {
    return this.fed;
  }

  reset(): void {
    this.fed = 0;
  }

  /**
   * Feeds tokens at the next positions (a prompt's prefill, or one token); returns their logits
   * [n, V]: row i scores the token after position length + i.
   */
  feed(tokens: ArrayLike<number>): Float32Array {
    const { g, lm, coreOf, inside } = this.plan;
    const t = lm.context, n = tokens.length, p0 = this.fed;
    if (n < 1) throw new InputError('no tokens to feed');
    if (p0 + n > t) throw new InputError(`the model's context is ${t} tokens: ${p0} fed, ${n} more do not fit`);
    const vals = new Map<string, { data: Float32Array; shape: Shape }>();
    vals.set(lm.input, { data: Float32Array.from(tokens), shape: [1, n] });
    for (const node of g.nodes) {
      if (inside.has(node.output)) continue;
      const core = coreOf.get(node.output);
      const outShape = rows(tensor(g, node.output).shape, n);
      if (core) {
        const i = this.plan.cores.indexOf(core);
        vals.set(node.output, { data: this.attend(core, i, vals, p0, n), shape: outShape });
        continue;
      }
      const ins = node.inputs.map((x) => {
        if (x === '') return { data: new Float32Array(0), shape: [] as Shape };
        const v = vals.get(x);
        if (v) return v;
        const ti = tensor(g, x);
        // weights (embedding tables, linear and norm parameters) are whole; broadcast operands give their positions' rows
        return BROADCASTING.has(node.op) ? constRows(ti.data!, ti.shape, outShape.length, t, p0, n) : { data: ti.data!, shape: ti.shape };
      });
      vals.set(node.output, { data: runKernel(g, node, this.arith, (j) => ins[j].data, ins.map((v) => v.shape), outShape), shape: outShape });
    }
    this.fed += n;
    return vals.get(lm.output)!.data;
  }

  /** One attention core for the new positions [p0, p0 + n), with the cache. */
  private attend(c: AttentionCore, i: number, vals: Map<string, { data: Float32Array; shape: Shape }>, p0: number, n: number): Float32Array {
    const { g } = this.plan;
    const t = this.plan.lm.context, h = c.heads, hd = c.headDim, d = h * hd, len = p0 + n;
    const q = vals.get(c.q)!.data, k = vals.get(c.k)!.data, v = vals.get(c.v)!.data;
    const kc = this.keys[i], vc = this.values[i];
    // append the new positions' keys and values: [H, T, hd]
    for (let p = 0; p < n; p++) {
      for (let hh = 0; hh < h; hh++) {
        kc.set(k.subarray(p * d + hh * hd, p * d + hh * hd + hd), (hh * t + p0 + p) * hd);
        vc.set(v.subarray(p * d + hh * hd, p * d + hh * hd + hd), (hh * t + p0 + p) * hd);
      }
    }
    // the operands as the graph's matmuls see them: q [1, H, n, hd], k^T [1, H, hd, len], v [1, H, len, hd]
    const qh = new Float32Array(h * n * hd), kt = new Float32Array(h * hd * len), vh = new Float32Array(h * len * hd);
    for (let hh = 0; hh < h; hh++) {
      for (let p = 0; p < n; p++) qh.set(q.subarray(p * d + hh * hd, p * d + hh * hd + hd), (hh * n + p) * hd);
      for (let j = 0; j < len; j++) {
        const src = (hh * t + j) * hd;
        for (let e = 0; e < hd; e++) kt[(hh * hd + e) * len + j] = kc[src + e];
      }
      vh.set(vc.subarray(hh * t * hd, hh * t * hd + len * hd), hh * len * hd);
    }
    const sShape = [1, h, n, len];
    const run = (node: GraphNode, inputs: Float32Array[], shapes: Shape[], out: Shape) =>
      runKernel(g, node, this.arith, (j) => inputs[j], shapes, out);
    let s = run(c.scores, [qh, kt], [[1, h, n, hd], [1, h, hd, len]], sShape);
    if (c.scale) {
      const ci = tensor(g, c.scale.inputs[1]);
      s = run(c.scale, [s, ci.data!], [sShape, ci.shape], sShape);
    }
    if (c.mask) {
      const { cond, fill } = c.mask;
      for (let hh = 0; hh < h; hh++) {
        for (let p = 0; p < n; p++) {
          const row = (p0 + p) * t;
          for (let j = 0; j < len; j++) if (cond[row + j] !== 0) s[(hh * n + p) * len + j] = fill;
        }
      }
    }
    const a = run(c.softmax, [s], [sShape], sShape);
    const y = run(c.values, [a, vh], [sShape, [1, h, len, hd]], [1, h, n, hd]);
    // merge the heads: [1, H, n, hd] -> [1, n, D]
    const out = new Float32Array(n * d);
    for (let hh = 0; hh < h; hh++) for (let p = 0; p < n; p++) out.set(y.subarray((hh * n + p) * hd, (hh * n + p + 1) * hd), p * d + hh * hd);
    return out;
  }
}
