/**
 * Merging batch norms into convolutions: a batchnorm right after a conv (the conv's only
 * consumer) becomes part of the conv's weights and bias, w' = w * s, b' = (b - mean) * s +
 * beta, s = gamma / sqrt(var + eps): what an accelerator runs. Lowering reports such a node
 * with the mapping 'folded' and `zoo show --fold-bn` switches it (names kept for the CLI's
 * sake; in the code "fold" is the array's: one pass over a tile, sim/dataflows/).
 * Works on graphs with or without weights; returns a new graph, the input is unchanged.
 */
import { addTensor, emptyGraph, type Graph, type TensorInfo } from './graph.ts';
import { addNode, type GraphNode } from './operators.ts';

/** The nodes that read each tensor. */
export function consumers(g: Graph): Map<string, GraphNode[]> {
  const m = new Map<string, GraphNode[]>();
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (i === '') continue;
      const list = m.get(i) ?? [];
      list.push(n);
      m.set(i, list);
    }
  }
  return m;
}

/** batchnorm nodes that merge into the conv producing their input (conv's only consumer): bn -> conv. */
export function mergeableBatchNorms(g: Graph): Map<string, string> {
  const producer = new Map<string, GraphNode>();
  for (const n of g.nodes) producer.set(n.output, n);
  const cons = consumers(g);
  const out = new Map<string, string>();
  for (const n of g.nodes) {
    if (n.op !== 'batchnorm') continue;
    const p = producer.get(n.inputs[0]);
    if (p && (p.op === 'conv2d' || p.op === 'binary_conv2d') && (cons.get(p.output)?.length ?? 0) === 1 && !g.outputs.includes(p.output)) {
      out.set(n.name, p.name);
    }
  }
  return out;
}

export function mergeBatchNorms(g: Graph): Graph {
  const byName = new Map(g.nodes.map((n) => [n.name, n] as const));
  // binary convs keep their batchnorm (sign(w * s) loses s)
  const folds = new Map([...mergeableBatchNorms(g)].filter(([, conv]) => byName.get(conv)?.op === 'conv2d'));
  if (folds.size === 0) return g;
  // conv name -> its batchnorm
  const bnOf = new Map<string, GraphNode>();
  for (const [bn, conv] of folds) bnOf.set(conv, byName.get(bn)!);
  const out = emptyGraph(g.name);
  const replaced = new Set<string>();
  for (const n of g.nodes) {
    const bn = bnOf.get(n.name);
    if (bn) for (const i of [...bn.inputs.slice(1), ...n.inputs.slice(1)]) replaced.add(i);
  }
  // tensors used by nodes that survive keep their entries; BN params that only fed folded BNs go
  const usedElsewhere = new Set<string>();
  for (const n of g.nodes) if (!folds.has(n.name) && !bnOf.has(n.name)) for (const i of n.inputs) usedElsewhere.add(i);
  for (const t of g.tensors.values()) {
    if (t.role === 'activation') continue;
    if (replaced.has(t.name) && !usedElsewhere.has(t.name)) continue;
    addTensor(out, t);
  }
  out.inputs.splice(0, out.inputs.length, ...g.inputs);
  const get = (name: string): TensorInfo => g.tensors.get(name)!;
  for (const n of g.nodes) {
    if (folds.has(n.name)) continue; // the conv before it already produces its output
    const inputs = n.inputs;
    const bn = bnOf.get(n.name);
    if (!bn || n.op !== 'conv2d') {
      addNode(out, n);
      continue;
    }
    const w = get(inputs[1]);
    const f = w.shape[0];
    const per = w.shape[1] * w.shape[2] * w.shape[3];
    const eps = bn.op === 'batchnorm' ? bn.eps : 1e-5;
    const [gamma, beta, mean, variance] = bn.inputs.slice(1).map(get);
    const biasName = inputs[2] !== undefined && inputs[2] !== '' ? inputs[2] : undefined;
    const withData = w.data && gamma.data && beta.data && mean.data && variance.data;
    let wData: Float32Array | undefined, bData: Float32Array | undefined;
    if (withData) {
      wData = new Float32Array(w.data!.length);
      bData = new Float32Array(f);
      const b0 = biasName ? get(biasName).data : undefined;
      for (let o = 0; o < f; o++) {
        const s = gamma.data![o] / Math.sqrt(variance.data![o] + eps);
        for (let i = 0; i < per; i++) wData[o * per + i] = w.data![o * per + i] * s;
        bData[o] = ((b0 ? b0[o] : 0) - mean.data![o]) * s + beta.data![o];
      }
    }
    const wName = `${w.name}.folded`;
    const bName = `${n.name}.bias.folded`;
    addTensor(out, { name: wName, shape: w.shape, role: 'param', dtype: 'float32', ...(wData && { data: wData }) });
    addTensor(out, { name: bName, shape: [f], role: 'param', dtype: 'float32', ...(bData && { data: bData }) });
    addNode(out, { ...n, inputs: [inputs[0], wName, bName], output: bn.output });
  }
  out.outputs.push(...g.outputs);
  return out;
}
