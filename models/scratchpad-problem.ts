/**
 * The network-level scratchpad problem of a graph (sim/memory/scratchpad.ts defines what a
 * problem and a schedule are): its operators and tensors, sizes in bytes from the word sizes.
 * The rules (which operators move data, what a view or a merged batch norm reads, how a
 * weight is split) are described in sim/memory/scratchpad.ts's header.
 */
import { InputError } from '../sim/errors.ts';
import type { WordBytes } from '../sim/memory/buffers.ts';
import type { SpOp, SpProblem, SpTensorKind } from '../sim/memory/scratchpad.ts';
import { numel, tensor, type Graph } from './graph.ts';
import { operatorOf } from './operators.ts';
import { mergeableBatchNorms } from './merge-batchnorm.ts';

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

  const kindOf = (name: string): SpTensorKind => (tensor(g, name).role === 'input' ? 'input' : 'weight');

  for (const node of g.nodes) {
    if (merged.has(node.name)) {
      // a batch norm merged into its conv: its output is the conv's
      base.set(node.output, resolve(node.inputs[0]));
      continue;
    }
    const sp = operatorOf(node.op).scratchpad;
    if (sp?.view !== undefined) {
      const ins = node.inputs.filter((i) => i !== '');
      const part = sp.partialRead?.(g, node, 0);
      if (part !== undefined && !base.has(ins[0]) && isDram(ins[0])) {
        // a view of part of a weight or graph input reads only that part
        base.set(node.output, [newTensor(`${ins[0]}[${node.name}]`, bytesOf(part, words.input), kindOf(ins[0]), -1)]);
      } else {
        const parts = new Set<number>();
        for (const i of sp.view === 'all' ? ins : [ins[0]]) for (const t of resolve(i)) parts.add(t);
        base.set(node.output, [...parts]);
      }
      continue;
    }
    const maxW = opts.maxWeightBytes ?? Infinity;
    const ws = sp?.weightSlot;
    if (ws !== undefined && !base.has(node.inputs[ws]) && isDram(node.inputs[ws])) {
      const wShape = tensor(g, node.inputs[ws]).shape;
      const f = wShape[0];
      const wBytes = bytesOf(numel(wShape), words.weight);
      const parts = Math.min(f, Math.ceil(wBytes / maxW));
      if (parts > 1) {
        // inputs before the weight are the activations every part reads; after it, per-channel parameters
        const outElems = numel(tensor(g, node.output).shape);
        const ins = node.inputs.slice(0, ws).filter((n) => n !== '').flatMap((n) => resolve(n));
        const outs: number[] = [];
        for (let i = 0; i < parts; i++) {
          const f0 = Math.floor((i * f) / parts), f1 = Math.floor(((i + 1) * f) / parts);
          const share = (f1 - f0) / f;
          const id = ops.length;
          const reads = new Set<number>(ins);
          reads.add(newTensor(`${node.inputs[ws]}[${f0}:${f1}]`, bytesOf(numel(wShape) * share, words.weight), 'weight', -1));
          node.inputs.slice(ws + 1).forEach((name) => {
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
      const part = sp?.partialRead?.(g, node, slot);
      if (part !== undefined && !base.has(name) && isDram(name)) {
        reads.add(newTensor(`${name}[${node.name}]`, bytesOf(part, words.input), kindOf(name), -1));
        return;
      }
      for (const t of resolve(name, slot === ws ? words.weight : words.input)) reads.add(t);
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
