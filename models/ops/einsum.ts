/**
 * Einsum of two operands as a batched matrix product (the attention patterns PyTorch exports:
 * 'bhqd,bhkd->bhqk', 'bhqk,bhkd->bhqd', 'bid,jd->bij', ...). Every label is a batch label (in
 * both operands and the output), a contracted label (in both operands, not the output), or a
 * free label of one operand (in it and the output); '...' stands for the same leading axes in
 * every term. Diagonals (a label twice in one operand), sums over a label of one operand alone,
 * broadcasting of batch labels and more than two operands are refused.
 *
 * The node holds the equation with '...' spelled out as labels. Lowering: one GEMM
 * M (free labels of A) x N (free labels of B) x K (contracted), `repeat` = the product of the
 * batch labels; the address generators read the operands in their own layouts, so no transpose
 * is charged. Execution: operands gathered into [batch, M, K] and [batch, K, N], one GEMM per
 * batch element through the array arithmetic (the attention arithmetic when both operands are
 * activations, as for matmul), K added in the order of the contracted labels as A lists them.
 */
import { gemmLayer } from '../../sim/workload/layer.ts';
import { cachedStridedOffsets, strides } from '../exec/kernel-util.ts';
import { checkTokenScalable } from '../exec/token-scales.ts';
import { shapeStr, tensor, type NodeBase, type Shape } from '../graph.ts';
import type { OperatorDef } from './types.ts';

export interface EinsumNode extends NodeBase {
  readonly op: 'einsum';
  /** 'ab,bc->ac': explicit output, no ellipsis */
  readonly equation: string;
}

interface Plan {
  readonly a: string;
  readonly b: string;
  readonly out: string;
  readonly batch: string;
  readonly m: string;
  readonly n: string;
  readonly k: string;
  readonly size: ReadonlyMap<string, number>;
}

/** Spells out '...' and an implicit output; throws a message on what is not a two-operand contraction. */
export function normalizeEquation(eq: string, ranks: readonly number[]): string {
  const s = eq.replace(/\s+/g, '');
  const [lhs, rhs] = s.includes('->') ? s.split('->') : [s, undefined];
  const terms = lhs.split(',');
  if (terms.length !== 2 || ranks.length !== 2) throw new Error(`only two operands are supported, got '${eq}'`);
  const used = new Set(s.replace(/[^a-zA-Z]/g, ''));
  const spare = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((c) => !used.has(c));
  // '...' covers the same trailing-aligned axes in every term (numpy's broadcasting alignment)
  const ellDims = terms.map((t, i) => (t.includes('...') ? ranks[i] - t.replace('...', '').length : 0));
  if (ellDims.some((d) => d < 0)) throw new Error(`'${eq}' has more labels than an operand has axes`);
  const ell = Math.max(0, ...ellDims);
  const expand = (t: string, dims: number): string => (t.includes('...') ? t.replace('...', spare.slice(ell - dims, ell).join('')) : t);
  const a = expand(terms[0], ellDims[0]), b = expand(terms[1], ellDims[1]);
  if (!/^[a-zA-Z]*$/.test(a + b)) throw new Error(`bad labels in '${eq}'`);
  let out: string;
  if (rhs === undefined) {
    const once = [...new Set(a + b)].filter((c) => (a + b).split(c).length === 2 && !spare.includes(c)).sort();
    out = spare.slice(0, ell).join('') + once.join('');
  } else out = rhs.includes('...') ? rhs.replace('...', spare.slice(0, ell).join('')) : rhs;
  if (!/^[a-zA-Z]*$/.test(out)) throw new Error(`bad output labels in '${eq}'`);
  return `${a},${b}->${out}`;
}

function plan(eq: string, as: Shape, bs: Shape, fail: (msg: string) => never): Plan {
  const [lhs, out] = eq.split('->');
  const [a, b] = lhs.split(',');
  if (a.length !== as.length || b.length !== bs.length) fail(`'${eq}' does not fit operands ${shapeStr(as)} and ${shapeStr(bs)}`);
  for (const t of [a, b, out]) if (new Set(t).size !== t.length) fail(`a label repeated within '${t}' (a diagonal) is not supported`);
  const size = new Map<string, number>();
  const note = (t: string, sh: Shape) => [...t].forEach((c, i) => {
    const prev = size.get(c);
    if (prev !== undefined && prev !== sh[i]) fail(`label '${c}' has sizes ${prev} and ${sh[i]} (broadcasting is not supported)`);
    size.set(c, sh[i]);
  });
  note(a, as);
  note(b, bs);
  for (const c of out) if (!size.has(c)) fail(`output label '${c}' is in no operand`);
  const inA = (c: string) => a.includes(c), inB = (c: string) => b.includes(c), inO = (c: string) => out.includes(c);
  for (const c of size.keys()) if (!inO(c) && !(inA(c) && inB(c))) fail(`label '${c}' is summed within one operand, which is not supported`);
  const batch = [...out].filter((c) => inA(c) && inB(c)).join('');
  const m = [...a].filter((c) => inO(c) && !inB(c)).join('');
  const n = [...b].filter((c) => inO(c) && !inA(c)).join('');
  const k = [...a].filter((c) => inB(c) && !inO(c)).join('');
  return { a, b, out, batch, m, n, k, size };
}

const extent = (p: Plan, labels: string) => [...labels].reduce((s, c) => s * p.size.get(c)!, 1);

/** offsets into an operand with labels `t` for every index of the label list `order`, row-major */
function offsets(p: Plan, t: string, order: string): Int32Array {
  const st = strides([...t].map((c) => p.size.get(c)!));
  return cachedStridedOffsets([...order].map((c) => p.size.get(c)!), [...order].map((c) => st[t.indexOf(c)]));
}

export const EINSUM: OperatorDef<EinsumNode> = {
  ops: ['einsum'],

  inferShape(s, node) {
    const p = plan(node.equation, s.sh(0), s.sh(1), s.fail);
    const out = [...p.out].map((c) => p.size.get(c)!);
    return out.length === 0 ? [1] : out;
  },

  macs(g, node) {
    const p = plan(node.equation, tensor(g, node.inputs[0]).shape, tensor(g, node.inputs[1]).shape, (m) => {
      throw new Error(m);
    });
    return extent(p, p.batch) * extent(p, p.m) * extent(p, p.n) * extent(p, p.k);
  },

  lower(ctx, node) {
    const p = plan(node.equation, ctx.shape(node.inputs[0]), ctx.shape(node.inputs[1]), (m) => {
      throw new Error(m);
    });
    const [rep, m, n, k] = [p.batch, p.m, p.n, p.k].map((l) => extent(p, l));
    ctx.array(gemmLayer(node.name, m, n, k, `node '${node.name}'`), rep, 'gemm');
    return { mapping: 'array', detail: `einsum ${node.equation}: GEMM ${m}x${n}x${k}${rep > 1 ? ` x ${rep} (batched)` : ''}` };
  },

  kernel(ctx, node) {
    const a = ctx.val(0), b = ctx.val(1);
    const p = plan(node.equation, ctx.shp(0), ctx.shp(1), (m) => {
      throw new Error(m);
    });
    const [nb, m, n, k] = [p.batch, p.m, p.n, p.k].map((l) => extent(p, l));
    // A as [batch][m][k], B as [batch][k][n], the output written back in its label order
    const aOff = offsets(p, p.a, p.batch + p.m + p.k);
    const bOff = offsets(p, p.b, p.batch + p.k + p.n);
    const oOff = offsets(p, p.out, p.batch + p.m + p.n);
    const bIsWeight = tensor(ctx.g, node.inputs[1]).data !== undefined;
    const backend = bIsWeight ? ctx.array : ctx.attnArray;
    // refused before a run by checkTokenScalable; a direct kernel call is refused here
    if (ctx.tokenScales) checkTokenScalable(ctx.g, [backend]);
    const sa = backend.scale(a, 'input'), sb = backend.scale(b, 'weight');
    const ab = new Float32Array(m * k);
    const o = new Float32Array(ctx.outN);
    for (let i = 0; i < nb; i++) {
      for (let e = 0; e < m * k; e++) ab[e] = a[aOff[i * m * k + e]];
      // a B array of its own per batch element: backends cache a B's quantized layout by the
      // array (weights are the same arrays call after call), so a refilled one would read stale
      const bb = new Float32Array(k * n);
      for (let e = 0; e < k * n; e++) bb[e] = b[bOff[i * k * n + e]];
      const c = backend.gemm(ab, bb, m, n, k, sa, sb, undefined, { once: !bIsWeight });
      for (let e = 0; e < m * n; e++) o[oOff[i * m * n + e]] = c[e];
    }
    return o;
  },

  onnx: {
    Einsum(ctx) {
      const inputs = (ctx.node.input ?? []).filter((i) => i !== '');
      if (inputs.length !== 2) ctx.bad(`only two operands are supported, got ${inputs.length}`);
      let equation: string;
      try {
        equation = normalizeEquation(ctx.attrString('equation', ''), [ctx.rank(0), ctx.rank(1)]);
      } catch (e) {
        return ctx.bad((e as Error).message);
      }
      ctx.add({ op: 'einsum', name: ctx.name, inputs, output: ctx.out, equation });
    },
  },
};
