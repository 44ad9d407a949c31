/**
 * Execution-only fusions: a chain of graph nodes computed by one kernel with exactly the bits
 * the chain's kernels give one after another, so that a whole-graph run does not copy each
 * intermediate tensor into and out of the vector unit's module. The graph, and with it
 * lowering, cycles and energy, is unchanged. A fusion applies where the vector unit rounds to
 * fp32 and the chain's intermediate tensors are read by the chain alone (never with `keepAll`,
 * which keeps them all), and it may decline (the WebAssembly rows off, a tensor below their
 * size): then every node runs.
 *
 * A linear layer and its bias as an exported graph has them (MatMul, then Add of a constant of
 * the output's last dimension, either operand first): the linear node with that bias, which the
 * array backend adds as fp32 results are written (ArrayBackend.gemmFp32's bias), each sum a
 * binary32 addition as the add node's.
 *
 * An attention's scores as an exported causal model has them: s * c (a scalar), Where(mask, fill,
 * ...) or Where(mask, ..., fill) with a constant mask over the scores' last two axes and a
 * scalar fill, then softmax over the last axis: vector-rows.wat's maskScale (the multiplication
 * in binary32, the select by the mask) and softmax on the one copy.
 *
 * GELU as PyTorch exports it (erf form, ONNX opset 17): d = x / c1, e = erf(d), a = e + c2,
 * m = x * a, y = m * c3 with scalar constants (sqrt 2, 1 and 0.5 in an export; any values
 * here), add's and mul's operands in either order (both operations are commutative in
 * binary32). Computed as vector-rows.wat's erf with its GELU steps, each a binary32 operation
 * as the vector unit's div, add and mul rows compute it. Where the GELU (PyTorch's constants) is
 * read by a linear layer alone, as its activations, and that layer's GEMM rounds each activation
 * into a narrow float format at scale 1 (ArrayBackend.inputRounding: the fp8 kinds), any value
 * that rounds there as the chain's own does gives the same GEMM: vector-rows.wat geluNarrow's
 * fp32 figure, rounded into the format, where an allowance for its difference from the chain
 * cannot change that rounding, else the chain's value (test/lm/gelu-narrow-all.ts compares the
 * two on every fp32 input). The tensor between them then holds those values.
 */
import { graphShapeOf, numel, sameGraphShape, tensor, type Graph, type GraphShape } from '../graph.ts';
import type { GraphNode } from '../operators.ts';
import { runKernel, type Arithmetic } from './executor.ts';
import { GELU_EXPORTED, vectorRows, type GeluConstants } from './wasm/vector-rows.ts';

export interface Fusion {
  /** the chain's nodes after its first, which do not run when the fusion does */
  readonly rest: readonly number[];
  /** the chain's last output, the one tensor the fusion computes */
  readonly output: string;
  /** that output from the chain's inputs (`val` by tensor name), or undefined where the fusion declines */
  run(val: (name: string) => Float32Array, take: (n: number) => Float32Array, arith: Arithmetic): Float32Array | undefined;
}

const plans = new WeakMap<Graph, { seen: GraphShape; fusions: ReadonlyMap<number, Fusion> }>();

/** The graph's fusions by the index of each chain's first node (found again if its nodes or tensors change). */
export function fusionsOf(g: Graph): ReadonlyMap<number, Fusion> {
  const p = plans.get(g);
  if (p && sameGraphShape(p.seen, g)) return p.fusions;
  const fusions = findFusions(g);
  plans.set(g, { seen: graphShapeOf(g), fusions });
  return fusions;
}

function findFusions(g: Graph): ReadonlyMap<number, Fusion> {
  const readers = new Map<string, number[]>();
  g.nodes.forEach((n, i) => n.inputs.forEach((x) => x !== '' && readers.set(x, [...(readers.get(x) ?? []), i])));
  const outputs = new Set(g.outputs);
  /** the one node that reads `name` (an intermediate tensor: no graph output), if it has that op */
  const soleReader = (name: string, op: string): [number, GraphNode] | undefined => {
    const r = readers.get(name);
    if (outputs.has(name) || r === undefined || r.length !== 1 || g.nodes[r[0]].op !== op) return undefined;
    return [r[0], g.nodes[r[0]]];
  };
  const scalar = (name: string): number | undefined => {
    const d = g.tensors.get(name)?.data;
    return d !== undefined && d.length === 1 ? d[0] : undefined;
  };
  /** a binary node's operand other than `name`, when `name` is one of its two */
  const other = (n: GraphNode, name: string): string | undefined =>
    n.inputs.length !== 2 ? undefined : n.inputs[0] === name ? n.inputs[1] : n.inputs[1] === name ? n.inputs[0] : undefined;
  const size = (name: string) => numel(g.tensors.get(name)?.shape ?? []);

  const found = new Map<number, Fusion>();
  g.nodes.forEach((lin, i) => {
    if (lin.op !== 'linear' || lin.inputs.length !== 2) return;
    const add = soleReader(lin.output, 'add');
    const b = add && other(add[1], lin.output);
    const bias = b === undefined ? undefined : g.tensors.get(b);
    const n = g.tensors.get(lin.output)?.shape.at(-1);
    if (!add || !bias?.data || bias.data.length !== n || bias.shape.at(-1) !== n || size(add[1].output) !== size(lin.output)) return;
    const node: GraphNode = { ...lin, inputs: [...lin.inputs, b!], output: add[1].output };
    const shapes = node.inputs.map((t) => tensor(g, t).shape), out = tensor(g, node.output).shape;
    found.set(i, {
      rest: [add[0]],
      output: add[1].output,
      run: (val, take, arith) => runKernel(g, node, arith, (j) => val(node.inputs[j]), shapes, out, take),
    });
  });
  g.nodes.forEach((mul, i) => {
    if (mul.op !== 'mul' || mul.inputs.length !== 2) return;
    // the scores either side of the scalar
    const [sc, c] = scalar(mul.inputs[0]) !== undefined ? [mul.inputs[1], mul.inputs[0]] : mul.inputs;
    const scale = scalar(c);
    const where = soleReader(mul.output, 'where');
    const soft = where && soleReader(where[1].output, 'softmax');
    if (scale === undefined || g.tensors.get(sc)?.data !== undefined || !where || !soft) return;
    const [cond, wx, wy] = where[1].inputs;
    const fillIf = wy === mul.output;
    const fill = scalar(fillIf ? wx : wy);
    const mask = g.tensors.get(cond);
    const shape = g.tensors.get(sc)?.shape ?? [];
    const len = shape.at(-1) ?? 0, axis = (soft[1] as GraphNode & { axis: number }).axis;
    // the mask a constant over the scores' last two axes (leading 1s), repeating over the rest
    const maskShape = mask?.shape.filter((d, k, all) => d !== 1 || k >= all.length - 2) ?? [];
    if (fill === undefined || (!fillIf && wx !== mul.output) || !mask?.data || len === 0 || (axis !== -1 && axis !== shape.length - 1)) return;
    if (maskShape.length !== 2 || maskShape[1] !== len || maskShape[0] !== shape.at(-2) || size(where[1].output) !== size(sc) || size(soft[1].output) !== size(sc)) return;
    const masked = { scale, mask: mask.data, fill, fillIf };
    const n = size(sc);
    found.set(i, {
      rest: [where[0], soft[0]],
      output: soft[1].output,
      run(val, take) {
        const rows = vectorRows(), o = rows && take(n);
        return o && rows.softmax(val(sc), o, n / len, len, masked) ? o : undefined;
      },
    });
  });
  g.nodes.forEach((div, i) => {
    if (div.op !== 'div' || div.inputs.length !== 2) return;
    const [x, c1name] = div.inputs;
    const div0 = scalar(c1name);
    if (div0 === undefined || g.tensors.get(x)?.data !== undefined) return;
    const erf = soleReader(div.output, 'erf');
    const add = erf && soleReader(erf[1].output, 'add');
    const add0 = add && scalar(other(add[1], erf[1].output) ?? '');
    const mul = add && soleReader(add[1].output, 'mul');
    const mul1 = mul && soleReader(mul[1].output, 'mul');
    const mul0 = mul1 && scalar(other(mul1[1], mul[1].output) ?? '');
    if (!erf || !add || add0 === undefined || !mul || other(mul[1], add[1].output) !== x || !mul1 || mul0 === undefined) return;
    const n = size(x);
    if ([div.output, erf[1].output, add[1].output, mul[1].output, mul1[1].output].some((t) => size(t) !== n)) return;
    const constants = { div: div0, add: add0, mul: mul0 };
    // read by a linear layer alone, as its activations: where that layer's GEMM rounds them into a
    // narrow float format at once, values that round there as the chain's do are enough
    const reader = soleReader(mul1[1].output, 'linear');
    const rounded = reader?.[1].inputs[0] === mul1[1].output && reader[1].inputs[1] !== mul1[1].output &&
      (Object.keys(GELU_EXPORTED) as (keyof GeluConstants)[]).every((c) => constants[c] === GELU_EXPORTED[c]);
    found.set(i, {
      rest: [erf[0], add[0], mul[0], mul1[0]],
      output: mul1[1].output,
      run(val, take, arith) {
        const rows = vectorRows(), o = rows && take(n);
        const f = rounded ? arith.array?.inputRounding?.() : undefined;
        return o && (f ? rows.geluNarrow(val(x), o, f) : rows.erf(val(x), o, constants)) ? o : undefined;
      },
    });
  });
  return found;
}
