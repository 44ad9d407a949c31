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
 *   into the attention weights first, A V = (A diag(s)) (diag(1/s) V), both products rounded to
 *   fp32 as the vector unit computes them, then A diag(s) is scaled per query and diag(1/s) V
 *   quantizes with scale 1.
 * A masked key's weight is exactly 0, so it adds nothing to any sum and sets no scale: the cache
 * (models/lm/decoder.ts) and the full window compute the same bits.
 */
import type { GraphNode } from '../operators.ts';
import type { Graph } from '../graph.ts';
import type { ArrayBackend, OperandScale } from './backends.ts';

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
 * A diag(s) and diag(1/s) V, each product rounded to fp32; undefined when every key's scale is 1.
 */
export function foldKeyScales(backend: ArrayBackend, a: Float32Array, v: Float32Array, m: number, keys: number, n: number): { a: Float32Array; v: Float32Array } | undefined {
  const s = new Float64Array(keys);
  let all1 = true;
  for (let j = 0; j < keys; j++) {
    s[j] = backend.scale(v.subarray(j * n, (j + 1) * n), 'weight');
    if (s[j] !== 1) all1 = false;
  }
  if (all1) return undefined;
  const af = new Float32Array(m * keys), vf = new Float32Array(keys * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < keys; j++) af[i * keys + j] = a[i * keys + j] * s[j];
  for (let j = 0; j < keys; j++) for (let e = 0; e < n; e++) vf[j * n + e] = v[j * n + e] / s[j];
  return { a: af, v: vf };
}

/** Whether a matmul's A is a softmax's output: attention weights, whose columns are keys. */
export function multipliesAttentionWeights(g: Graph, node: GraphNode): boolean {
  const a = node.inputs[0];
  return g.nodes.some((n) => n.output === a && n.op === 'softmax');
}
