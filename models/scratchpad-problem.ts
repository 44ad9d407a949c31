/**
 * The network-level scratchpad problem of a graph (sim/memory/scratchpad.ts defines what a
 * problem and a schedule are): its operators and tensors, sizes in bytes from the word sizes.
 * The rules (which operators move data, what a view or a merged batch norm reads, how a
 * weight is split) are described in sim/memory/scratchpad.ts's header.
 */
import { InputError } from '../sim/errors.ts';
import type { WordBytes } from '../sim/memory/buffers.ts';
import type { SpOp, SpProblem, SpTensorKind } from '../sim/memory/scratchpad.ts';
import { numel, tensor, type Graph, type OpName } from './graph.ts';
import { mergeableBatchNorms } from './merge-batchnorm.ts';

const VIEW_OPS: ReadonlySet<OpName> = new Set<OpName>(['reshape', 'flatten', 'slice', 'concat', 'expand', 'identity']);

export interface ProblemOptions {
  /** a batch norm merged into its conv moves no data (as lowering does); default true */
  readonly mergeBatchNorm?: boolean;
  /**
   * split a conv / linear whose weight is larger than this many bytes into parts along its
   * output channels (each part: the whole input, its slice of the weight and bias, its slice
   * of the output; readers of the output read every part). Default: no split (whole tensors).
   */
  readonly maxWeightBytes?: number;
}

export function scratchpadProblem(g: Graph, words: WordBytes, opts: ProblemOptions = {}): SpProblem {
  const merged = (opts.mergeBatchNorm ?? true) ? mergeableBatchNorms(g) : new Map<string, string>();
  interface Building { name: string; bytes: number; kind: SpTensorKind; producer: number; readers: number[]; isOutput: boolean }
  const tensors: Building[] = [];
  const ops: SpOp[] = [];
  /** graph tensor name -> the scratchpad tensors it stands for */
  const base = new Map<string, number[]>();
  const bytesOf = (elements: number, word: number) => Math.max(1, Math.ceil(elements * word));
  const newTensor = (name: string, bytes: number, kind: SpTensorKind, producer: number): number => {
    tensors.push({ name, bytes, kind, producer, readers: [], isOutput: false });
    return tensors.length - 1;
  };
  const dramTensor = (name: string, word: number): number[] => {
    const known = base.get(name);
    if (known) return known;
    const t = tensor(g, name);
    const id = newTensor(name, bytesOf(numel(t.shape), word), t.role === 'input' ? 'input' : 'weight', -1);
    base.set(name, [id]);
    return [id];
  };
  const resolve = (name: string, word = words.input): number[] => {
    const known = base.get(name);
    if (known) return known;
    const t = tensor(g, name);
    if (t.role === 'activation') throw new InputError(`graph ${g.name}: tensor '${name}' is read before it is produced`);
    return dramTensor(name, word);
  };
  const isDram = (name: string) => tensor(g, name).role !== 'activation';

  for (const node of g.nodes) {
    if (node.op === 'batchnorm' && merged.has(node.name)) {
      base.set(node.output, resolve(node.inputs[0]));
      continue;
    }
    if (VIEW_OPS.has(node.op)) {
      const ins = node.inputs.filter((i) => i !== '');
      if (node.op === 'slice' && !base.has(ins[0]) && isDram(ins[0])) {
        // a slice of a weight or input reads only its part
        const id = newTensor(`${ins[0]}[${node.name}]`, bytesOf(numel(tensor(g, node.output).shape), words.input), tensor(g, ins[0]).role === 'input' ? 'input' : 'weight', -1);
        base.set(node.output, [id]);
      } else {
        const parts = new Set<number>();
        for (const i of node.op === 'concat' ? ins : [ins[0]]) for (const t of resolve(i)) parts.add(t);
        base.set(node.output, [...parts]);
      }
      continue;
    }
    const maxW = opts.maxWeightBytes ?? Infinity;
    if ((node.op === 'conv2d' || node.op === 'binary_conv2d' || node.op === 'linear' || node.op === 'binary_linear') && !base.has(node.inputs[1]) && isDram(node.inputs[1])) {
      const wShape = tensor(g, node.inputs[1]).shape;
      const f = wShape[0];
      const wBytes = bytesOf(numel(wShape), words.weight);
      const parts = Math.min(f, Math.ceil(wBytes / maxW));
      if (parts > 1) {
        const outElems = numel(tensor(g, node.output).shape);
        const ins = resolve(node.inputs[0]);
        const outs: number[] = [];
        for (let i = 0; i < parts; i++) {
          const f0 = Math.floor((i * f) / parts), f1 = Math.floor(((i + 1) * f) / parts);
          const share = (f1 - f0) / f;
          const id = ops.length;
          const reads = new Set<number>(ins);
          reads.add(newTensor(`${node.inputs[1]}[${f0}:${f1}]`, bytesOf(numel(wShape) * share, words.weight), 'weight', -1));
          node.inputs.slice(2).forEach((name) => {
            if (name !== '') reads.add(newTensor(`${name}[${f0}:${f1}]`, bytesOf(numel(tensor(g, name).shape) * share, words.input), 'weight', -1));
          });
          const out = newTensor(`${node.output}[${f0}:${f1}]`, bytesOf(outElems * share, words.input), 'activation', id);
          outs.push(out);
          for (const t of reads) tensors[t].readers.push(id);
          ops.push({ id, name: `${node.name}#${i}`, node: node.name, op: node.op, reads: [...reads], output: out });
        }
        base.set(node.output, outs);
        continue;
      }
    }
    const id = ops.length;
    const reads = new Set<number>();
    node.inputs.forEach((name, slot) => {
      if (name === '') return;
      if (node.op === 'embedding' && slot === 0 && !base.has(name)) {
        // a gather reads ids x width of the table
        const ids = numel(tensor(g, node.inputs[1]).shape);
        const [v, d] = tensor(g, name).shape;
        const tid = newTensor(`${name}[${node.name}]`, bytesOf(Math.min(v, ids) * d, words.input), 'weight', -1);
        reads.add(tid);
        return;
      }
      const weightSlot = slot === 1 && (node.op === 'conv2d' || node.op === 'binary_conv2d' || node.op === 'linear' || node.op === 'binary_linear');
      for (const t of resolve(name, weightSlot ? words.weight : words.input)) reads.add(t);
    });
    const out = newTensor(node.output, bytesOf(numel(tensor(g, node.output).shape), words.input), 'activation', id);
    base.set(node.output, [out]);
    for (const t of reads) tensors[t].readers.push(id);
    ops.push({ id, name: node.name, node: node.name, op: node.op, reads: [...reads], output: out });
  }
  for (const o of g.outputs) {
    for (const t of base.get(o) ?? []) if (tensors[t].kind === 'activation') tensors[t].isOutput = true;
  }
  if (ops.length === 0) throw new InputError(`graph ${g.name}: no operators that move data`);
  return {
    name: g.name,
    tensors: tensors.map((t, id) => ({ id, ...t })),
    ops,
    words,
  };
}
