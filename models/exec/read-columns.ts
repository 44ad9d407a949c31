/**
 * Which outputs of a matmul anything reads: a causal language model's scores Q K^T go through a
 * scale and then Where(mask, -inf, scores), which throws away every score above the diagonal,
 * half of Q K^T's products. `readColumns` finds that pattern in the graph and gives, per row i
 * of the m x n matmul, the count of leading columns some later node reads (those where the
 * mask is false, up to the last one); the matmul's kernel may leave the rest uncomputed. The
 * logits do not change: the skipped scores never reach them.
 *
 * The pattern, each tensor read by the next node only and none a graph output:
 *   matmul -> (mul | div by a one-element constant)* -> where(constant cond, x, chain)
 * with the chain as Where's third input (taken where cond is false), cond's last two
 * dimensions m x n and every other dimension 1 (the same mask for every batch and head), and
 * Where's output the matmul's shape.
 */
import { numel, tensor, type Graph } from '../graph.ts';
import type { GraphNode } from '../operators.ts';

const cache = new WeakMap<Graph, Map<string, Int32Array | null>>();

/** Per row of the matmul `node`'s m x n result, how many leading columns are read; undefined if all may be. */
export function readColumns(g: Graph, node: GraphNode): Int32Array | undefined {
  let byNode = cache.get(g);
  if (!byNode) cache.set(g, (byNode = new Map()));
  let r = byNode.get(node.name);
  if (r === undefined) byNode.set(node.name, (r = find(g, node) ?? null));
  return r ?? undefined;
}

function find(g: Graph, node: GraphNode): Int32Array | undefined {
  if (node.op !== 'matmul') return undefined;
  const shape = tensor(g, node.output).shape;
  if (shape.length < 2) return undefined;
  const m = shape[shape.length - 2], n = shape[shape.length - 1];
  const outputs = new Set(g.outputs);
  const readers = (t: string) => g.nodes.filter((x) => x.inputs.includes(t));
  const isScalar = (t: string) => tensor(g, t).data !== undefined && numel(tensor(g, t).shape) === 1;
  let t = node.output;
  for (;;) {
    if (outputs.has(t)) return undefined;
    const next = readers(t);
    if (next.length !== 1) return undefined;
    const c = next[0];
    const ins = c.inputs;
    if (c.op === 'mul' && ins.length === 2 && (ins[0] === t ? isScalar(ins[1]) : ins[1] === t && isScalar(ins[0]))) {
      t = c.output;
      continue;
    }
    if (c.op === 'div' && ins.length === 2 && ins[0] === t && ins[1] !== t && isScalar(ins[1])) {
      t = c.output;
      continue;
    }
    if (c.op !== 'where' || ins.length !== 3 || ins[2] !== t || ins[0] === t || ins[1] === t) return undefined;
    const cond = tensor(g, ins[0]);
    const cs = cond.shape;
    if (!cond.data || cs.length < 2 || cs[cs.length - 2] !== m || cs[cs.length - 1] !== n || cs.slice(0, -2).some((d) => d !== 1)) return undefined;
    const ws = tensor(g, c.output).shape;
    if (ws.length !== shape.length || ws.some((d, i) => d !== shape[i])) return undefined;
    const cols = new Int32Array(m);
    let skipped = false;
    for (let i = 0; i < m; i++) {
      let last = -1;
      for (let j = 0; j < n; j++) if (cond.data[i * n + j] === 0) last = j;
      cols[i] = last + 1;
      if (cols[i] < n) skipped = true;
    }
    return skipped ? cols : undefined;
  }
}
