/**
 * What a dataflow is to the simulator: one object per dataflow (os.ts, ws.ts, is.ts), as
 * SCALE-Sim has one compute class per dataflow. Everything that differs between dataflows
 * lives in that object: how a GEMM maps onto the array, how long a fold takes, what crosses
 * the array's edges in every cycle (the reference engine moves those values and the SRAM
 * traces print the same events), the closed-form SRAM counts and access windows of a fold
 * (fast engine), how each operand's DRAM traffic depends on the fold loop, the order in which
 * products are added, which registers a MAC toggles and which operand EN-T encodes (costs),
 * and SCALE-Sim's per-dataflow reporting rules.
 *
 * Vocabulary. A GEMM is A (M x K, the input / ifmap side) times B (K x N, the weight /
 * filter side) = C (M x N). Its operand matrices are laid on the array as `sr` spatial rows x
 * `sc` spatial columns x `t` time steps; a *fold* is one pass of the array over an R x C
 * tile of the spatial dimensions (fold loop: column folds outside, row folds inside, SCALE-Sim's
 * order). A *slot* is a position in a stream: the values of one slot enter the array's edge
 * lanes skewed by one cycle per lane.
 */
import type { Dataflow } from '../arch/schema.ts';
import type { SramCounts } from '../array/types.ts';
import type { Footprints, WordBytes } from '../memory/buffers.ts';
import type { GemmView } from '../workload/layer.ts';
import type { Mapping } from './mapping.ts';

/** The GEMM operand a stream carries: A (inputs) or B (weights). */
export type Operand = 'a' | 'b';

/** No slot / no element. */
export const NONE = -1;

/** One fold of a layer: its place in the fold loop and how much of the array it uses. */
export interface Fold {
  readonly fr: number;
  readonly fc: number;
  /** rows and columns of the array this fold uses */
  readonly ru: number;
  readonly cu: number;
  /** first spatial row / column of the fold (fr * R, fc * C) */
  readonly r0: number;
  readonly c0: number;
}

/**
 * What crosses the array's edges in one cycle of a fold. Lanes of unused rows or columns
 * still carry slots (the wavefront crosses the whole physical array), without data.
 */
export interface EdgeEvents {
  /** this cycle belongs to the stationary preload (the top edge carries `topOperand` rows) */
  preload: boolean;
  /** left edge, per row: the slot entering (os: k; ws / is: the streamed index) or NONE */
  readonly rowSlot: Int32Array;
  /**
   * top edge, per column: os: the slot (k) of B entering; ws / is: during the preload, the
   * stationary row j entering (rows enter bottom row first), afterwards the partial-sum slot
   * entering the column (zero in the first row fold, read back from the ofmap buffer after)
   */
  readonly colSlot: Int32Array;
  /** per column: the output slot written to the ofmap buffer this cycle, or NONE */
  readonly outSlot: Int32Array;
}

/** Per-operand DRAM demand of a fold, before the buffers keep anything (memory/traffic.ts). */
export interface FoldDemand {
  /** bytes of the ifmap / filter the fold reads */
  readonly ifmap: number;
  readonly filter: number;
  /** outputs the fold produces: written once, or accumulated over the row folds (partial sums) */
  readonly outputs: number;
}

/**
 * How an operand's tiles recur in the fold loop (fc outer, fr inner):
 *  'sweep'  it depends on fr only: swept again for every fc; what the buffer keeps resident
 *           (a fixed part of the whole operand) is not fetched again;
 *  'tile'   it depends on fc only: reused across the inner loop if its tile fits;
 *  'none'   it depends on both: every fold reads its own.
 */
export type Recurrence = 'sweep' | 'tile' | 'none';

/** First and last access cycle of each buffer within one fold. */
export interface FoldWindows {
  readonly ifmap: readonly [number, number];
  readonly filter: readonly [number, number];
  readonly ofmap: readonly [number, number];
}

export interface DataflowRules {
  readonly name: Dataflow;
  /** what stays in the PEs during a fold */
  readonly stationary: 'output' | 'weight' | 'input';
  /**
   * the operand that streams in along the rows from the left edge (the broadcast operand:
   * EN-T Booth-encodes it once per row)
   */
  readonly rowOperand: Operand;
  /**
   * the operand that enters at the top edge: streamed (os) or preloaded (ws, is); after a
   * preload the top edge carries partial sums, which flow down the columns
   */
  readonly topOperand: Operand;

  /** spatial rows, spatial columns and time extent of a GEMM's operand matrices */
  dims(g: GemmView): { readonly sr: number; readonly sc: number; readonly t: number };
  /** cycles of one fold on an R x C array, t time steps (every fold of a layer takes the same) */
  foldCycles(rows: number, cols: number, t: number): number;
  /** cycles at the start of a fold spent preloading the stationary operand (0 for os) */
  preloadCycles(rows: number): number;

  /** the edge events of cycle `tau` of a fold (mp.rows, mp.cols and mp.t lanes and slots) */
  edges(mp: Mapping, tau: number, ev: EdgeEvents): void;
  /** index into A (m * K + k) or B (k * N + n), see `rowOperand`, of row lane `r`'s value of slot `slot` */
  rowElement(mp: Mapping, f: Fold, r: number, slot: number): number;
  /** index into the operand entering at the top of column `c` (os: B at slot k; ws / is: the stationary operand's row `slot`) */
  colElement(mp: Mapping, f: Fold, c: number, slot: number): number;
  /** index into C (m * N + n) of the output of column `c`, slot `slot` (os: the slot is the array row) */
  outElement(mp: Mapping, f: Fold, c: number, slot: number): number;

  /**
   * Closed-form SRAM accesses of a fold, added to `out`. `realA(m0, m1, k0, k1)` counts the
   * entries of A in that rectangle that are read (padding is not, unless counted). `f` is
   * valid during the call only (the fast engine passes one object rewritten per fold).
   */
  foldSram(mp: Mapping, f: Fold, realA: (m0: number, m1: number, k0: number, k1: number) => number, out: SramCounts): void;
  /** first and last access cycle of each buffer within a fold using ru rows and cu columns */
  windows(mp: Mapping, ru: number, cu: number): FoldWindows;

  /** how the ifmap and the filter recur in the fold loop */
  readonly recurrence: { readonly ifmap: Recurrence; readonly filter: Recurrence };
  /** DRAM demand of a fold using ru rows and cu columns (bytes), from the layer's footprints */
  demand(mp: Mapping, ru: number, cu: number, fp: Footprints, w: WordBytes): FoldDemand;
  /** outputs accumulate over the row folds (partial sums leave the array between folds) */
  readonly accumulatesAcrossRowFolds: boolean;

  /** products added into an output before its partial sum leaves the array (os: all K; ws / is: R) */
  productsPerPass(rows: number, k: number): number;

  /** the PE registers every MAC writes (operands hopping to the next PE, the accumulator) */
  readonly macRegisters: readonly ('input' | 'weight' | 'acc')[];
  /** the value on each array edge that needs skew / deskew registers (row edge, column edge) */
  readonly skewed: { readonly row: 'input' | 'weight'; readonly col: 'weight' | 'acc' };
  /** array-edge lanes the ifmap and filter buffers feed each cycle (the smallest useful buffer row) */
  edgeLanes(rows: number, cols: number): { readonly ifmap: number; readonly filter: number };

  /** SCALE-Sim v2's reporting rules for this dataflow (sim/conventions.ts) */
  readonly scaleSim: {
    /** its "Compute Util": mean over folds of (PEs used x T) / (R x C x its per-fold cycle count) */
    computeUtil(mp: Mapping): number;
    /** ofmap writes it counts per fold beyond the outputs */
    extraOfmapWritesPerFold(rows: number, cols: number): number;
  };
}
