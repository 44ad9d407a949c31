/**
 * Per-token scales: how a causal language model's operands are scaled by PEs whose formats need
 * a data-dependent scale (int8 and the other integer, binary and ternary kinds; float, L-Mul and
 * block kinds scale nothing here, block kinds scaling by block as they quantize).
 *
 * A scale taken over a whole tensor of a window mixes every position: one large activation late
 * in the window changes how every earlier position rounds, so a position's logits would depend on
 * the characters after it, and a KV-cache decoder, which has only the past, could not compute
 * them. Per token, every scale is taken over one position's values (the dynamic per-token
 * activation scaling of LLM.int8(), Dettmers et al. 2022, arXiv:2208.07339, and SmoothQuant,
 * Xiao et al. 2023, arXiv:2211.10438), and each position's results depend on it and the
 * positions before it only:
 * - a linear layer: A (activations) one scale per row (per token), B (weights) one per tensor;
 * - Q K^T: Q one scale per query (row of A), K^T one per key (column of B);
 * - A V (attention weights times values): the keys are V's rows, along the GEMM's K, where a
 *   scale cannot be factored out of the sum; each key's scale s_j (over its row of V) is folded
 *   into the attention weights first, A V = (A diag(s)) (diag(1/s) V), both products rounded by
 *   the vector unit (fp32 by default), then A diag(s) is scaled per query and diag(1/s) V
 *   quantizes with scale 1.
 * The same in a fused attention node (ops/attention.ts); an einsum is refused (its axes say
 * nothing of which is the tokens').
 * A masked key's weight is exactly 0, so it adds nothing to any sum and sets no scale: the cache
 * (models/lm/decoder.ts) and the full window compute the same bits.
 */
import { InputError } from '../../sim/errors.ts';
import { operatorOf, type GraphNode } from '../operators.ts';
import { tensor, type Graph } from '../graph.ts';
import type { ArrayBackend, OperandScale } from './backends.ts';
import { sameShape } from './kernel-util.ts';

/** One scale per row of A (m x k): each row's own tensor scale; 1 when every row's is 1. */
export function rowScales(backend: ArrayBackend, a: Float32Array, m: number, k: number): OperandScale {
  const s = new Float64Array(m);
  let all1 = true;
  for (let r = 0; r < m; r++) {
    s[r] = backend.scale(a.subarray(r * k, (r + 1) * k), 'input');
    if (s[r] !== 1) all1 = false;
  }
  return all1 ? 1 : s;
}

/** One scale per column of B (k x n); 1 when every column's is 1. */
export function columnScales(backend: ArrayBackend, b: Float32Array, k: number, n: number): OperandScale {
  const s = new Float64Array(n), col = new Float32Array(k);
  let all1 = true;
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < k; p++) col[p] = b[p * n + j];
    s[j] = backend.scale(col, 'weight');
    if (s[j] !== 1) all1 = false;
  }
  return all1 ? 1 : s;
}

/**
 * A (m x keys) times V (keys x n) with each key's scale (over its row of V) folded into A:
 * A diag(s) and diag(1/s) V, each product rounded by the vector unit (`vr`); undefined when
 * every key's scale is 1.
 */
export function foldKeyScales(
  backend: ArrayBackend, a: Float32Array, v: Float32Array, m: number, keys: number, n: number, vr: (x: number) => number,
): { a: Float32Array; v: Float32Array } | undefined {
  const s = new Float64Array(keys);
  let all1 = true;
  for (let j = 0; j < keys; j++) {
    s[j] = backend.scale(v.subarray(j * n, (j + 1) * n), 'weight');
    if (s[j] !== 1) all1 = false;
  }
  if (all1) return undefined;
  const af = new Float32Array(m * keys), vf = new Float32Array(keys * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < keys; j++) af[i * keys + j] = vr(a[i * keys + j] * s[j]);
  for (let j = 0; j < keys; j++) for (let e = 0; e < n; e++) vf[j * n + e] = vr(v[j * n + e] / s[j]);
  return { a: af, v: vf };
}

/**
 * Whether a matmul's A is attention weights (whose columns are keys): a softmax's output, or
 * one passed on unchanged in shape (a Dropout or Cast imports as identity).
 */
export function multipliesAttentionWeights(g: Graph, node: GraphNode): boolean {
  let x = node.inputs[0];
  for (;;) {
    const p = g.nodes.find((n) => n.output === x);
    if (!p) return false;
    if (p.op === 'softmax') return true;
    if (operatorOf(p.op).scratchpad?.view !== 'first' || !sameShape(tensor(g, p.inputs[0]).shape, tensor(g, p.output).shape)) return false;
    x = p.inputs[0];
  }
}

const probed = new WeakMap<ArrayBackend, boolean>();

/**
 * Whether a backend scales operands by their data (integer, binary, ternary formats), probed
 * once: float, L-Mul and block kinds take scale 1 whatever the data, and skip per-token work.
 */
export function scalesByData(backend: ArrayBackend): boolean {
  let r = probed.get(backend);
  if (r === undefined) probed.set(backend, (r = backend.scale(Float32Array.of(2), 'input') !== 1));
  return r;
}

/**
 * Refuses, before any work, a graph run with per-token scales whose data-scaled arithmetic
 * reaches an operator that scales per tensor only (einsum: its axes say nothing of tokens).
 */
export function checkTokenScalable(g: Graph, backends: readonly ArrayBackend[]): void {
  if (!backends.some(scalesByData)) return;
  const n = g.nodes.find((x) => x.op === 'einsum');
  if (n) {
    throw new InputError(
      `node '${n.name}' (einsum): per-token scales (a language model's integer arithmetic) are defined for linear, matmul and attention nodes only; ` +
        'an einsum would scale its operands over every position, making earlier positions depend on later ones',
    );
  }
}
