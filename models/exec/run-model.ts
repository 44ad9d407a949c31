/**
 * A model on the user's data through one or more PE setups, beside the fp32 reference executor
 * (what `bitweave exec` prints, dumps and pins): the outputs of every run, their error figures
 * against the reference (error-figures.ts) and, when asked, every node's values and figures
 * and where the error jumps.
 *
 * A PE setup is a set of array backends (the array's ops, the attention matmuls, the binary
 * layers): the executor (executor.ts) runs each node through its operator's kernel and each
 * array op through a backend, so the arithmetic is swappable without touching this file.
 *
 * Samples: a model exported with a static batch of 1 and given N samples (inputs.ts) runs one
 * sample at a time; the outputs (and node values) are put together along the first axis (a
 * tensor whose first axis is not 1 gets a new leading axis of N).
 */
import { InputError } from '../../sim/errors.ts';
import { tensor, type Graph } from '../graph.ts';
import type { ArrayBackend } from './backends.ts';
import {
  errorFigures, firstJump, largestJump, nodeJump, tensorHash, type ErrorFigures, type Jump, type NodeError,
} from './error-figures.ts';
import { executeGraph, type Tensors } from './executor.ts';

/** The arithmetic of one run (undefined: the fp32 reference). */
export interface PeSetup {
  /** how the run is named in reports and baselines (the PE kind, with the attention PE if it differs) */
  readonly label: string;
  readonly array?: ArrayBackend;
  readonly attention?: ArrayBackend;
  readonly binary?: ArrayBackend;
}

export interface ExecRequest {
  /** imported with the per-sample input shapes */
  readonly graph: Graph;
  /** every sample, by input name */
  readonly inputs: ReadonlyMap<string, Float32Array>;
  /** samples run one at a time (1: the inputs are fed as they are) */
  readonly samples: number;
  readonly setups: readonly PeSetup[];
  /** keep every node's values and figures (for --dump) */
  readonly nodes: boolean;
  /** scale data-scaled operands per token (a causal language model: exec/token-scales.ts) */
  readonly tokenScales?: boolean;
}

export interface OutputResult {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
  /** tensorHash of the values */
  readonly hash: string;
}

export interface ComparedOutput extends OutputResult {
  readonly figures: ErrorFigures;
}

export interface SetupResult {
  readonly label: string;
  readonly outputs: readonly ComparedOutput[];
  /** with `nodes`: every node in graph order */
  readonly nodes?: readonly NodeError[];
  readonly nodeValues?: ReadonlyMap<string, Float32Array>;
  readonly firstJump?: Jump;
  readonly largestJump?: Jump;
}

export interface ExecResult {
  readonly reference: { readonly outputs: readonly OutputResult[]; readonly nodeValues?: ReadonlyMap<string, Float32Array> };
  readonly runs: readonly SetupResult[];
}

/** The shape of a tensor over every sample. */
export function sampledShape(shape: readonly number[], samples: number): number[] {
  if (samples === 1) return [...shape];
  return shape[0] === 1 ? [samples, ...shape.slice(1)] : [samples, ...shape];
}

/** Refuses a per-sample run whose outputs have no leading batch axis to put the samples on. */
export function checkSampled(g: Graph, samples: number): void {
  if (samples === 1) return;
  for (const o of g.outputs) {
    const sh = tensor(g, o).shape;
    if (sh[0] !== 1) {
      throw new InputError(
        `the model has a static batch of 1 and ${samples} samples were given, but output '${o}' [${sh.join(', ')}] has no leading batch axis ` +
          'to put them on: export the model with a dynamic batch axis, or run one sample at a time',
      );
    }
  }
}

/** Runs the graph on every sample with one arithmetic; values of the outputs (and of every node with keepAll). */
function runAll(req: ExecRequest, setup: PeSetup | undefined): Tensors {
  const g = req.graph;
  const opts = {
    ...(setup?.array && { array: setup.array }),
    ...(setup?.attention && { attentionArray: setup.attention }),
    ...(setup?.binary && { binaryArray: setup.binary }),
    ...(req.tokenScales && { tokenScales: true }),
    keepAll: req.nodes,
  };
  if (req.samples === 1) return executeGraph(g, Object.fromEntries(req.inputs), opts);
  const parts: Tensors[] = [];
  for (let s = 0; s < req.samples; s++) {
    const feed: Record<string, Float32Array> = {};
    for (const [name, v] of req.inputs) {
      const per = v.length / req.samples;
      feed[name] = v.subarray(s * per, (s + 1) * per);
    }
    parts.push(executeGraph(g, feed, opts));
  }
  const out: Tensors = new Map();
  for (const [name, first] of parts[0]) {
    const t = g.tensors.get(name);
    // constants and inputs are not per-sample results
    if (t && t.role !== 'activation' && !g.outputs.includes(name)) continue;
    const all = new Float32Array(first.length * req.samples);
    parts.forEach((p, s) => all.set(p.get(name)!, s * first.length));
    out.set(name, all);
  }
  return out;
}

export function runModel(req: ExecRequest): ExecResult {
  const g = req.graph;
  checkSampled(g, req.samples);
  const shapeOf = (name: string) => sampledShape(tensor(g, name).shape, req.samples);
  const ref = runAll(req, undefined);
  const reference = {
    outputs: g.outputs.map((name) => {
      const values = ref.get(name)!;
      return { name, shape: shapeOf(name), values, hash: tensorHash(values) };
    }),
    ...(req.nodes && { nodeValues: ref }),
  };
  const runs = req.setups.map((setup): SetupResult => {
    const got = runAll(req, setup);
    const outputs = g.outputs.map((name) => {
      const values = got.get(name)!;
      return { name, shape: shapeOf(name), values, hash: tensorHash(values), figures: errorFigures(values, ref.get(name)!) };
    });
    if (!req.nodes) return { label: setup.label, outputs };
    const snr = new Map<string, number>();
    const nodes: NodeError[] = g.nodes.map((node) => {
      const figures = errorFigures(got.get(node.output)!, ref.get(node.output)!);
      snr.set(node.output, figures.snr_db);
      // graph inputs and constants are exact: only computed tensors count
      const inputs = node.inputs.filter((i) => i !== '' && snr.has(i)).map((i) => snr.get(i)!);
      return { node: node.name, op: node.op, output: node.output, shape: shapeOf(node.output), figures, ...nodeJump(figures.snr_db, inputs) };
    });
    const first = firstJump(nodes), largest = largestJump(nodes);
    return {
      label: setup.label, outputs, nodes, nodeValues: got,
      ...(first && { firstJump: first }), ...(largest && { largestJump: largest }),
    };
  });
  return { reference, runs };
}

