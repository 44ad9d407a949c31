/**
 * Mapping a GEMM (M x K times K x N) onto an R x C array, per dataflow:
 *   os: rows = M (output pixels), cols = N (filters), time = K
 *   ws: rows = K,                 cols = N (filters), time = M (pixels)
 *   is: rows = K,                 cols = M (pixels),  time = N (filters)
 * The spatial dimensions are cut into folds of at most R x C; the loop order is SCALE-Sim's:
 * column folds outside, row folds inside (fold index = fc * rowFolds + fr).
 *
 * Fold timing (every fold of a layer takes the same number of cycles, whatever part of the
 * array it uses, because operands and partial sums cross the whole physical array):
 *   os: F = T + R + C - 2        (skewed operands meet in PE(r,c) at cycle k + r + c)
 *   ws, is: F = 2R + C + T - 2   (R cycles of stationary preload, then the skewed stream;
 *                                 partial sums leave the bottom of the last physical row)
 * These are the lengths of SCALE-Sim v2's demand matrices per fold; the reference engine
 * reproduces them by moving every operand through the registers.
 */
import type { Dataflow } from '../arch/schema.ts';
import type { GemmView } from '../workload/layer.ts';

export interface Mapping {
  readonly dataflow: Dataflow;
  readonly rows: number;
  readonly cols: number;
  /** GEMM the layer puts on the array */
  readonly gemm: GemmView;
  /** spatial rows, spatial cols and temporal extent of the operand matrices */
  readonly sr: number;
  readonly sc: number;
  readonly t: number;
  readonly rowFolds: number;
  readonly colFolds: number;
  readonly folds: number;
  /** cycles of one fold */
  readonly foldCycles: number;
}

export function mapGemm(gemm: GemmView, rows: number, cols: number, dataflow: Dataflow): Mapping {
  const { m, n, k } = gemm;
  const [sr, sc, t] = dataflow === 'os' ? [m, n, k] : dataflow === 'ws' ? [k, n, m] : [k, m, n];
  const rowFolds = Math.ceil(sr / rows);
  const colFolds = Math.ceil(sc / cols);
  const foldCycles = dataflow === 'os' ? t + rows + cols - 2 : 2 * rows + cols + t - 2;
  return { dataflow, rows, cols, gemm, sr, sc, t, rowFolds, colFolds, folds: rowFolds * colFolds, foldCycles };
}

/** rows of the array fold fr uses */
export function rowsUsed(mp: Mapping, fr: number): number {
  return Math.min(mp.rows, mp.sr - fr * mp.rows);
}

/** columns of the array fold fc uses */
export function colsUsed(mp: Mapping, fc: number): number {
  return Math.min(mp.cols, mp.sc - fc * mp.cols);
}

/**
 * Mapping efficiency, SCALE-Sim's definition: the mean over folds of the fraction of PEs the
 * fold maps. It factors: mean rows used / R times mean cols used / C.
 */
export function mappingEfficiency(mp: Mapping): number {
  return (mp.sr / mp.rowFolds / mp.rows) * (mp.sc / mp.colFolds / mp.cols);
}

/**
 * SCALE-Sim's compute utilization: the mean over folds of (PEs used x T) / (R x C x its
 * per-fold cycle count), where that count is the demand length plus C - 1 (os: T + R + C - 2,
 * ws/is: 2R + 2C + T - 3). Kept only for parity; bitweave's own utilization is MACs over
 * PE-cycles.
 */
export function scaleSimComputeUtil(mp: Mapping): number {
  const cyc = mp.dataflow === 'os' ? mp.t + mp.rows + mp.cols - 2 : 2 * mp.rows + 2 * mp.cols + mp.t - 3;
  return (mappingEfficiency(mp) * mp.t) / cyc;
}
