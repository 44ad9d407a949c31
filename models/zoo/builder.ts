/**
 * A small builder for zoo graphs: layer helpers that create the weight tensors (with seeded
 * random data when asked, otherwise shapes only) and append nodes with inferred shapes.
 *
 * Random weights are for execution and benchmarks, not accuracy: conv / linear weights are
 * He-normal (std sqrt(2 / fan_in)), biases and BN beta/mean 0, gamma/var 1, embeddings and
 * tokens N(0, 0.02^2), norm gammas 1.
 */
import { makeRng, type Rng } from '../../sim/random.ts';
import { addTensor, emptyGraph, numel, tensor, type DType, type Graph, type Shape, type TensorRole } from '../graph.ts';
import { addNode, type GraphNode } from '../operators.ts';
import type { UnaryOp } from '../ops/unary.ts';

export interface BuildOptions {
  /** create random weights (seeded) so the graph can be executed */
  readonly weights?: boolean;
  readonly seed?: number;
}

export type Init = { kind: 'normal'; std: number } | { kind: 'const'; value: number };
const ZEROS: Init = { kind: 'const', value: 0 };
const ONES: Init = { kind: 'const', value: 1 };

export interface ConvOpts {
  readonly out: number;
  readonly k: number | readonly [number, number];
  readonly stride?: number;
  /** symmetric padding; default (k - 1) / 2 * dilation ('same' for odd k at stride 1) */
  readonly pad?: number;
  readonly groups?: number;
  readonly dilation?: number;
  readonly bias?: boolean;
  readonly binary?: boolean;
}

export class GraphBuilder {
  readonly g: Graph;
  private readonly rng: Rng | undefined;

  constructor(name: string, opts: BuildOptions = {}) {
    this.g = emptyGraph(name);
    this.rng = opts.weights ? makeRng(opts.seed ?? 1) : undefined;
  }

  shape(x: string): Shape {
    return tensor(this.g, x).shape;
  }

  input(name: string, shape: Shape, dtype: DType = 'float32'): string {
    addTensor(this.g, { name, shape, role: 'input', dtype });
    return name;
  }

  private tensorWith(name: string, shape: Shape, role: TensorRole, init: Init): string {
    let data: Float32Array | undefined;
    if (this.rng) {
      data = new Float32Array(numel(shape));
      if (init.kind === 'const') data.fill(init.value);
      else for (let i = 0; i < data.length; i++) data[i] = this.rng.normal() * init.std;
    }
    addTensor(this.g, { name, shape, role, dtype: 'float32', ...(data && { data }) });
    return name;
  }

  param(name: string, shape: Shape, init: Init): string {
    return this.tensorWith(name, shape, 'param', init);
  }

  buffer(name: string, shape: Shape, init: Init): string {
    return this.tensorWith(name, shape, 'buffer', init);
  }

  add(node: GraphNode): string {
    addNode(this.g, node);
    return node.output;
  }

  output(...names: string[]): void {
    this.g.outputs.push(...names);
  }

  conv(x: string, name: string, o: ConvOpts): string {
    const c = this.shape(x)[1];
    const [kh, kw] = typeof o.k === 'number' ? [o.k, o.k] : o.k;
    const groups = o.groups ?? 1;
    const dil = o.dilation ?? 1;
    const pad = o.pad ?? Math.floor((kh - 1) / 2) * dil;
    const fanIn = (c / groups) * kh * kw;
    const w = this.param(`${name}.weight`, [o.out, c / groups, kh, kw], { kind: 'normal', std: Math.sqrt(2 / fanIn) });
    const inputs = [x, w];
    if (o.bias) inputs.push(this.param(`${name}.bias`, [o.out], ZEROS));
    if (o.binary) {
      if (!o.bias) inputs.push('');
      inputs.push(this.param(`${name}.scale`, [o.out], { kind: 'const', value: Math.sqrt(2 / fanIn) }));
    }
    return this.add({
      op: o.binary ? 'binary_conv2d' : 'conv2d', name, inputs, output: name,
      stride: [o.stride ?? 1, o.stride ?? 1], pads: [pad, pad, pad, pad], dilation: [dil, dil], groups,
    });
  }

  bn(x: string, name: string, eps = 1e-5): string {
    const c = this.shape(x)[1];
    const inputs = [
      x,
      this.param(`${name}.weight`, [c], ONES),
      this.param(`${name}.bias`, [c], ZEROS),
      this.buffer(`${name}.running_mean`, [c], ZEROS),
      this.buffer(`${name}.running_var`, [c], ONES),
    ];
    return this.add({ op: 'batchnorm', name, inputs, output: name, eps });
  }

  unary(op: UnaryOp, x: string, name: string): string {
    return this.add({ op, name, inputs: [x], output: name });
  }

  relu(x: string, name: string): string {
    return this.unary('relu', x, name);
  }

  clip(x: string, name: string, min: number, max: number): string {
    return this.add({ op: 'clip', name, inputs: [x], output: name, min, max });
  }

  linear(x: string, name: string, out: number, o: { bias?: boolean; binary?: boolean; weight?: string } = {}): string {
    const k = this.shape(x)[this.shape(x).length - 1];
    const w = o.weight ?? this.param(`${name}.weight`, [out, k], { kind: 'normal', std: Math.sqrt(2 / k) });
    const inputs = [x, w];
    if (o.bias ?? true) inputs.push(this.param(`${name}.bias`, [out], ZEROS));
    if (o.binary) {
      if (!(o.bias ?? true)) inputs.push('');
      inputs.push(this.param(`${name}.scale`, [out], { kind: 'const', value: Math.sqrt(2 / k) }));
    }
    return this.add({ op: o.binary ? 'binary_linear' : 'linear', name, inputs, output: name });
  }

  layernorm(x: string, name: string, eps = 1e-5): string {
    const d = this.shape(x)[this.shape(x).length - 1];
    return this.add({
      op: 'layernorm', name, output: name, eps,
      inputs: [x, this.param(`${name}.weight`, [d], ONES), this.param(`${name}.bias`, [d], ZEROS)],
    });
  }

  rmsnorm(x: string, name: string, eps = 1e-6): string {
    const d = this.shape(x)[this.shape(x).length - 1];
    return this.add({ op: 'rmsnorm', name, output: name, eps, inputs: [x, this.param(`${name}.weight`, [d], ONES)] });
  }

  maxpool(x: string, name: string, k: number, stride: number, pad = 0): string {
    return this.add({
      op: 'maxpool', name, inputs: [x], output: name, kernel: [k, k], stride: [stride, stride],
      pads: [pad, pad, pad, pad], ceilMode: false, countIncludePad: false,
    });
  }

  gap(x: string, name: string): string {
    return this.add({ op: 'global_avgpool', name, inputs: [x], output: name });
  }

  binary(op: 'add' | 'sub' | 'mul' | 'div', a: string, b: string, name: string): string {
    return this.add({ op, name, inputs: [a, b], output: name });
  }

  flatten(x: string, name: string, axis = 1): string {
    return this.add({ op: 'flatten', name, inputs: [x], output: name, axis });
  }

  reshape(x: string, name: string, shape: readonly number[]): string {
    return this.add({ op: 'reshape', name, inputs: [x], output: name, shape });
  }

  transpose(x: string, name: string, perm: readonly number[]): string {
    return this.add({ op: 'transpose', name, inputs: [x], output: name, perm });
  }

  slice(x: string, name: string, axis: number, start: number, end: number): string {
    return this.add({ op: 'slice', name, inputs: [x], output: name, axis, start, end });
  }

  concat(xs: readonly string[], name: string, axis: number): string {
    return this.add({ op: 'concat', name, inputs: xs, output: name, axis });
  }

  expand(x: string, name: string, shape: readonly number[]): string {
    return this.add({ op: 'expand', name, inputs: [x], output: name, shape });
  }

  embedding(table: string, ids: string, name: string): string {
    return this.add({ op: 'embedding', name, inputs: [table, ids], output: name });
  }

  embeddingTable(name: string, vocab: number, dim: number): string {
    return this.param(name, [vocab, dim], { kind: 'normal', std: 0.02 });
  }

  attention(q: string, k: string, v: string, name: string, heads: number, o: { kvHeads?: number; causal?: boolean } = {}): string {
    const dh = this.shape(q)[2] / heads;
    return this.add({
      op: 'attention', name, inputs: [q, k, v], output: name, heads, kvHeads: o.kvHeads ?? heads,
      causal: o.causal ?? false, scale: 1 / Math.sqrt(dh),
    });
  }

  softmax(x: string, name: string, axis = -1): string {
    return this.add({ op: 'softmax', name, inputs: [x], output: name, axis });
  }
}
