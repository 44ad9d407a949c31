/**
 * Functional execution of a graph with weights: each node through its operator's kernel
 * (models/ops/): array-class nodes (conv, linear, matmul, attention's two GEMMs) through an
 * ArrayBackend (the fp32 reference or a PE kind), every other node in the vector format (fp32
 * by default: each elementary result rounded with Math.fround; another float format rounds
 * through the codec after each operation).
 *
 * Tensors are Float32Arrays, row-major, NCHW for images.
 */
import { InputError } from '../../sim/errors.ts';
import { decode, encode } from '../../sim/pe/codec.ts';
import { isFloat, type NumberFormat } from '../../sim/pe/formats.ts';
import { graphShapeOf, hasWeights, numel, sameGraphShape, tensor, type Graph, type GraphShape, type Shape } from '../graph.ts';
import { operatorOf, type GraphNode } from '../operators.ts';
import type { KernelContext } from '../ops/types.ts';
import { fp32Backend, type ArrayBackend } from './backends.ts';
import { disownOutput, OutputLedger, takeOutput } from './output-pool.ts';
import { fusionsOf } from './fusion.ts';

export interface ExecOptions {
  /** array-op arithmetic (default: the fp32 reference) */
  readonly array?: ArrayBackend;
  /** arithmetic of binary conv / linear nodes (default: `array`) */
  readonly binaryArray?: ArrayBackend;
  /**
   * arithmetic of the attention matmuls (default: `array`): attention nodes, and matmuls whose
   * operands are both activations (Q K^T and A V of an exported transformer)
   */
  readonly attentionArray?: ArrayBackend;
  /** format of vector-unit results (default fp32) */
  readonly vectorFormat?: NumberFormat;
  /** keep every intermediate tensor (default: only the graph outputs) */
  readonly keepAll?: boolean;
  /**
   * scale data-scaled operands per token, not per tensor (a causal language model:
   * models/exec/token-scales.ts); default false
   */
  readonly tokenScales?: boolean;
}

export type Tensors = Map<string, Float32Array>;

/** The arithmetic of a run, as every kernel sees it. */
export interface Arithmetic {
  readonly array: ArrayBackend;
  readonly binArray: ArrayBackend;
  readonly attnArray: ArrayBackend;
  /** rounds a vector-unit result into the vector format */
  readonly vr: (x: number) => number;
  /** linear and matmul operands scaled per token (models/exec/token-scales.ts) */
  readonly tokenScales: boolean;
  /**
   * outputs no later node reads may be left uncomputed (a whole-graph run that keeps only the
   * graph outputs: a causal mask's scores, models/exec/read-columns.ts)
   */
  readonly skipUnread?: boolean;
}

/**
 * One node through its operator's kernel, on the given input values and shapes (the graph's, or
 * a slice of positions of them: the KV-cache decoder, models/lm/decoder.ts, runs the kernels on
 * the new positions only, with the arithmetic of a whole-graph run).
 */
export function runKernel(
  g: Graph, node: GraphNode, arith: Arithmetic, val: (j: number) => Float32Array, shapes: readonly Shape[], outShape: Shape,
  take: (n: number) => Float32Array = (n) => new Float32Array(n),
): Float32Array {
  const { vr } = arith;
  const outN = numel(outShape);
  const ctx: KernelContext = {
    g, ...arith, val, outShape, outN,
    has: (j) => node.inputs[j] !== undefined && node.inputs[j] !== '',
    shp: (j) => shapes[j],
    output: () => take(outN),
    map1(f) {
      const x = val(0);
      const o = take(x.length);
      for (let e = 0; e < x.length; e++) o[e] = vr(f(x[e]));
      return o;
    },
  };
  return operatorOf(node.op).kernel(ctx, node);
}

/** The backends and vector rounding of a set of options. */
export function arithmeticOf(opts: ExecOptions): Arithmetic {
  const array = opts.array ?? fp32Backend;
  const binArray = opts.binaryArray ?? array;
  const attnArray = opts.attentionArray ?? array;
  const vf = opts.vectorFormat;
  const vr: (x: number) => number = !vf || vf.name === 'fp32' ? Math.fround : (() => {
    if (!isFloat(vf)) throw new InputError(`vector format must be a float format, got ${vf.name}`);
    return (x: number) => decode(vf, encode(vf, x));
  })();

  return { array, binArray, attnArray, vr, tokenScales: opts.tokenScales ?? false };
}

function missing(node: GraphNode, name: string): never {
  throw new Error(`node '${node.name}': input '${name}' has no value`);
}

/**
 * What a run needs of the graph's structure, the same run after run (a language model's 3,647
 * windows): each node's input and output shapes and the activations whose last reader it is.
 * Kept per graph while its nodes are the same objects and its tensors as many.
 */
interface RunPlan {
  readonly seen: GraphShape;
  readonly shapes: readonly (readonly Shape[])[];
  readonly outShapes: readonly Shape[];
  /** per node: the activations to release after it (last read there, no graph output) */
  readonly releases: readonly (readonly string[])[];
  readonly keep: ReadonlySet<string>;
  /** activations read where a kernel caches by the array (dynamic weights): never reused */
  readonly pinned: ReadonlySet<string>;
}

const runPlans = new WeakMap<Graph, RunPlan>();

function runPlanOf(g: Graph): RunPlan {
  const p = runPlans.get(g);
  if (p && sameGraphShape(p.seen, g)) return p;
  const lastUse = new Map<string, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((x) => lastUse.set(x, i)));
  const keep = new Set(g.outputs);
  const pinned = new Set<string>();
  for (const n of g.nodes) for (const j of operatorOf(n.op).cachedInputs ?? []) if (n.inputs[j]) pinned.add(n.inputs[j]);
  const plan: RunPlan = {
    seen: graphShapeOf(g),
    shapes: g.nodes.map((n) => n.inputs.map((x) => (x === '' ? [] : tensor(g, x).shape))),
    outShapes: g.nodes.map((n) => tensor(g, n.output).shape),
    releases: g.nodes.map((n, i) => n.inputs.filter((x, j) =>
      x !== '' && n.inputs.indexOf(x) === j && lastUse.get(x) === i && !keep.has(x) && tensor(g, x).role === 'activation')),
    keep, pinned,
  };
  runPlans.set(g, plan);
  return plan;
}

/** Runs the graph; returns the outputs (or every tensor with keepAll). */
export function executeGraph(g: Graph, inputs: Readonly<Record<string, Float32Array>>, opts: ExecOptions = {}): Tensors {
  if (!hasWeights(g)) throw new InputError(`graph ${g.name} has no weights: it can be timed but not executed`);
  const plan = runPlanOf(g);
  const arith: Arithmetic = { ...arithmeticOf(opts), skipUnread: !opts.keepAll };

  const vals: Tensors = new Map();
  for (const t of g.tensors.values()) if (t.data) vals.set(t.name, t.data);
  for (const name of g.inputs) {
    const t = tensor(g, name);
    const v = inputs[name];
    if (!v) throw new InputError(`graph ${g.name}: missing input '${name}' ${JSON.stringify(t.shape)}`);
    if (v.length !== numel(t.shape)) throw new InputError(`input '${name}': ${v.length} values, shape [${t.shape.join(', ')}] needs ${numel(t.shape)}`);
    vals.set(name, v);
  }
  const { keep, pinned } = plan;
  // freed activations' arrays are reused (output-pool.ts)
  const ledger = opts.keepAll ? undefined : new OutputLedger();
  // chains one kernel computes with the same bits (fusion.ts): not where every tensor is kept
  const fusions = opts.keepAll || arith.vr !== Math.fround ? undefined : fusionsOf(g);
  const fused = new Set<number>();
  const take = (name: string) => (ledger && !keep.has(name) && !pinned.has(name) ? takeOutput : (n: number) => new Float32Array(n));

  g.nodes.forEach((node, i) => {
    const fusion = fusions?.get(i);
    const chain = fusion?.run((name) => vals.get(name) ?? missing(node, name), take(fusion.output), arith);
    if (fusion && chain) {
      vals.set(fusion.output, chain);
      ledger?.hold(chain);
      for (const j of fusion.rest) fused.add(j);
    } else if (!fused.has(i)) {
      const val = (j: number): Float32Array => vals.get(node.inputs[j]) ?? missing(node, node.inputs[j]);
      const out = runKernel(g, node, arith, val, plan.shapes[i], plan.outShapes[i], take(node.output));
      vals.set(node.output, out);
      ledger?.hold(out);
    }
    if (ledger) {
      for (const x of plan.releases[i]) {
        const v = vals.get(x);
        vals.delete(x);
        if (v && !pinned.has(x)) ledger.release(v);
      }
    }
  });
  if (opts.keepAll) return vals;
  const out: Tensors = new Map();
  for (const o of g.outputs) {
    const v = vals.get(o)!;
    // a view of a reused array leaves with the caller: it never comes back
    disownOutput(v);
    out.set(o, v);
  }
  return out;
}
