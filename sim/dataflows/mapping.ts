/**
 * Mapping a GEMM (M x K times K x N) onto an R x C array: the dataflow (os.ts, ws.ts, is.ts)
 * decides which GEMM dimensions are the spatial rows, the spatial columns and time; the
 * spatial dimensions are cut into folds of at most R x C, in SCALE-Sim's loop order: column
 * folds outside, row folds inside (fold index = fc * rowFolds + fr). Every fold of a layer
 * takes the same number of cycles, whatever part of the array it uses, because operands and
 * partial sums cross the whole physical array.
 */
import type { Dataflow } from '../arch/schema.ts';
import type { GemmView } from '../workload/layer.ts';
import { dataflowRules } from './index.ts';
import type { DataflowRules, Fold } from './types.ts';

export interface Mapping {
  readonly dataflow: Dataflow;
  /** the dataflow's rules */
  readonly rules: DataflowRules;
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
  const rules = dataflowRules(dataflow);
  const { sr, sc, t } = rules.dims(gemm);
  const rowFolds = Math.ceil(sr / rows);
  const colFolds = Math.ceil(sc / cols);
  return {
    dataflow, rules, rows, cols, gemm, sr, sc, t, rowFolds, colFolds, folds: rowFolds * colFolds,
    foldCycles: rules.foldCycles(rows, cols, t),
  };
}

/** rows of the array fold fr uses */
export function rowsUsed(mp: Mapping, fr: number): number {
  return Math.min(mp.rows, mp.sr - fr * mp.rows);
}

/** columns of the array fold fc uses */
export function colsUsed(mp: Mapping, fc: number): number {
  return Math.min(mp.cols, mp.sc - fc * mp.cols);
}

/** A Fold whose fields a loop may rewrite (one object for every fold of a layer). */
export type MutableFold = { -readonly [K in keyof Fold]: Fold[K] };

/** Writes fold (fr, fc) into `f` and returns it. */
export function setFold(mp: Mapping, fr: number, fc: number, f: MutableFold): Fold {
  f.fr = fr;
  f.fc = fc;
  f.ru = rowsUsed(mp, fr);
  f.cu = colsUsed(mp, fc);
  f.r0 = fr * mp.rows;
  f.c0 = fc * mp.cols;
  return f;
}

export function foldAt(mp: Mapping, fr: number, fc: number): Fold {
  return setFold(mp, fr, fc, { fr: 0, fc: 0, ru: 0, cu: 0, r0: 0, c0: 0 });
}

/** Every fold in loop order (column folds outside, row folds inside). */
export function* folds(mp: Mapping): Generator<Fold> {
  for (let fc = 0; fc < mp.colFolds; fc++) for (let fr = 0; fr < mp.rowFolds; fr++) yield foldAt(mp, fr, fc);
}
