/** What the two array engines take and give: one contract, so tests can hold them equal. */
import type { Accumulate } from '../arch/schema.ts';
import type { Layer } from '../workload/layer.ts';
import type { PeKind } from '../pe/types.ts';
import type { Mapping } from '../dataflows/mapping.ts';
import type { PsumStore } from './psum.ts';

export interface SramCounts {
  ifmap_reads: number;
  filter_reads: number;
  /** partial sums read back into the array */
  ofmap_reads: number;
  /** partial sums and outputs written */
  ofmap_writes: number;
}

/** Operand values for a functional run: bit patterns of the PE's input and weight formats. */
export interface Operands {
  readonly pe: PeKind;
  readonly psum: PsumStore;
  /** ws / is: where the partial sums of row folds are added (ordered-gemm.ts); default 'top' */
  readonly accumulate?: Accumulate;
  /** A (im2col, padding already filled with the PE's zero), M x K row-major */
  readonly a: Float64Array;
  /** B, K x N row-major */
  readonly b: Float64Array;
}

export interface EngineInput {
  readonly layer: Layer;
  readonly mapping: Mapping;
  readonly operands?: Operands;
  /** count padding entries of A as SRAM reads too (SCALE-Sim counts its -1 requests) */
  readonly countPadReads?: boolean;
  /**
   * Observer of every output and partial-sum write (reference engine): the cycle counted from
   * the start of the GEMM (folds back to back, no stalls), the M x N output index, and the
   * bits stored (functional runs). The RTL co-simulation compares these, cycle for cycle.
   */
  readonly onWrite?: (cycle: number, index: number, bits: number | undefined) => void;
}

export interface EngineResult {
  /** cycles of each fold, in fold order (fc outer, fr inner), without stalls */
  readonly foldCycles: Int32Array;
  readonly computeCycles: number;
  readonly macs: number;
  readonly sram: SramCounts;
  /** output bit patterns in the partial-sum format, M x N row-major (functional runs) */
  readonly out?: Float64Array;
}

export type Engine = (input: EngineInput) => EngineResult;
