/**
 * What the machine is given to run: the array layers (each with how often it runs), the
 * vector-unit work, and, for models with a graph, what a network-level scratchpad schedule
 * needs. models/ builds it from a zoo model, an ONNX file, a topology CSV or a GEMM; the
 * pipeline (sim/pipeline.ts) takes it as it is.
 */
import type { WordBytes } from '../memory/buffers.ts';
import type { SpProblem } from '../memory/scratchpad.ts';
import type { Layer } from './layer.ts';
import type { VectorWork } from './vector.ts';

export interface Workload {
  readonly name: string;
  readonly layers: readonly Layer[];
  /** times each layer runs (batch, groups, heads): same shape, different operands */
  readonly repeats: readonly number[];
  readonly vectorOps: readonly VectorWork[];
  /**
   * per layer: +-1 weights (a binary conv / linear, or one whose weights are all +-1); absent
   * for sources without a graph
   */
  readonly binary?: readonly boolean[];
  /** per layer, the model's weights in the GEMM's B layout (K x N), where it has them (MST reuse) */
  readonly weights?: readonly (Float32Array | undefined)[];
  /** sources with a graph: what a network-level scratchpad schedule needs */
  readonly network?: NetworkWorkload;
}

export interface NetworkWorkload {
  /** the graph node each array layer comes from: a schedule's traffic is charged by node */
  readonly layerNodes: readonly string[];
  /** the scratchpad problem of the graph at these word sizes (whole tensors, or weights split above `maxWeightBytes`) */
  problem(words: WordBytes, opts: { readonly maxWeightBytes?: number }): SpProblem;
}
