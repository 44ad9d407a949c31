/**
 * The vector unit: element-wise and reduction work that is not a matrix product (activations,
 * softmax, normalization, pooling, residual adds). It processes `throughput` element-operations
 * per cycle (an arch field) and, in this model, runs between array layers, not overlapped.
 */
import { InputError } from '../errors.ts';

/** element-operations per cycle of the vector unit, unless the arch says otherwise */
export const DEFAULT_VECTOR_THROUGHPUT = 16;

/** One operator's work on the vector unit (what lowering produces and the run charges). */
export interface VectorWork {
  /** the graph node it comes from */
  readonly name: string;
  /** its kind (relu, softmax, layernorm, ...): models/lower.ts names them */
  readonly op: string;
  /** output elements */
  readonly elements: number;
  /** passes over the elements (softmax: max, exp, sum, divide = 4; a pool: its window) */
  readonly opsPerElement: number;
  /**
   * where it runs in the model's order: after this many of the workload's array layers
   * (0: before the first); absent: after all of them. Timelines place it there; the cycle
   * count does not depend on it (the vector unit and the array take turns).
   */
  readonly afterLayers?: number;
}

export interface VectorResult {
  readonly name: string;
  readonly op: string;
  readonly elements: number;
  readonly element_ops: number;
  readonly cycles: number;
  /** VectorWork.afterLayers */
  readonly after_layers?: number;
}

export function vectorCycles(elementOps: number, throughput: number): number {
  if (!(throughput > 0)) throw new InputError(`vector throughput must be positive, got ${throughput}`);
  return Math.ceil(elementOps / throughput);
}

/** Cycles of the vector unit for a list of work, op by op (each rounds up to whole cycles). */
export function totalVectorCycles(work: readonly VectorWork[], throughput = DEFAULT_VECTOR_THROUGHPUT): number {
  return work.reduce((s, w) => s + runVector(w, throughput).cycles, 0);
}

export function runVector(work: VectorWork, throughput: number): VectorResult {
  const elementOps = work.elements * work.opsPerElement;
  return {
    name: work.name, op: work.op, elements: work.elements, element_ops: elementOps, cycles: vectorCycles(elementOps, throughput),
    ...(work.afterLayers !== undefined && { after_layers: work.afterLayers }),
  };
}
