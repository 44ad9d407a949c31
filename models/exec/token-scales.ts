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
 *
 * Block formats (MX, NVFP4) scale by block as they quantize, 32 (16) elements along K. Every
 * block is then within one position (a row of activations, of Q, a column of K^T, one query's
 * weights over 32 keys), except in A V, where K is the keys: a block of V spans 32 keys, and a
 * query's block of its own position would hold later keys too (their weights are 0, but their
 * values set the block's scale). Per token, each query reads V over the keys up to its own
 * position only (`causalBlockValues`: its last block shorter, as the cache has it). NVFP4's FP32
 * tensor scale is taken per row of A (per token, per query), per column of an activation B (per
 * key of K^T; per channel of V over the keys the query reads) and per tensor of weights
 * (`GemmUse.tokens`).
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
 * A (m x keys) times V (keys x n) for a block PE (`backend.blockSize`), per token: query r (the
 * position keys - m + r) multiplies V over keys 0 .. keys - m + r only, whose blocks (and NVFP4
 * column scales) are taken over those keys: what a KV cache holding them computes, a GEMM of
 * one row over them. Undefined, and nothing computed, when A is not causal (a weight of a key
 * after its query's position is not 0): such attention has no later keys to leave out.
 *
 * Computed as one GEMM over all the keys, whose outputs are those of the one-row GEMMs wherever
 * V's columns quantize their first rows as they do alone (`samePrefix`: the query's block of
 * keys has the same scale cut at the query as whole; the later keys' products are 0 and add
 * nothing to a block's exact sum); the other outputs of a query (a block whose largest value
 * comes after it) are computed again as that one-row GEMM, over those columns.
 */
export function causalBlockValues(
  backend: ArrayBackend, a: Float32Array, v: Float32Array, m: number, keys: number, n: number, out?: Float64Array,
): Float64Array | undefined {
  const past = keys - m;
  if (past < 0 || !backend.samePrefix) return undefined;
  for (let r = 0; r < m; r++) for (let j = past + r + 1; j < keys; j++) if (a[r * keys + j] !== 0) return undefined;
  const use = { once: true, tokens: true };
  const c = backend.gemm(a, v, m, n, keys, 1, 1, out, use);
  // one query (a decode step) reads every key: nothing to recompute
  if (m === 1) return c;
  const same = backend.samePrefix(v, keys, n);
  const cols = new Int32Array(n);
  for (let r = 0; r < m; r++) {
    const len = past + r + 1;
    if (len === keys) continue;
    let w = 0;
    for (let j = 0; j < n; j++) if (same[(len - 1) * n + j] === 0) cols[w++] = j;
    if (w === 0) continue;
    const vc = new Float32Array(len * w);
    for (let p = 0; p < len; p++) for (let x = 0; x < w; x++) vc[p * w + x] = v[p * n + cols[x]];
    const row = backend.gemm(a.subarray(r * keys, r * keys + len), vc, 1, w, len, 1, 1, undefined, use);
    for (let x = 0; x < w; x++) c[r * n + cols[x]] = row[x];
  }
  return c;
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
 * Refuses, before any work, a graph run with per-token scales whose data-scaled or block-scaled
 * arithmetic reaches an operator that scales over its whole operands only (einsum: its axes say
 * nothing of tokens).
 */
export function checkTokenScalable(g: Graph, backends: readonly ArrayBackend[]): void {
  if (!backends.some((b) => scalesByData(b) || b.blockSize !== undefined)) return;
  const n = g.nodes.find((x) => x.op === 'einsum');
  if (n) {
    throw new InputError(
      `node '${n.name}' (einsum): per-token scales (a language model's integer and block-format arithmetic) are defined for linear, matmul and attention nodes only; ` +
        'an einsum would scale its operands over every position, making earlier positions depend on later ones',
    );
  }
}
