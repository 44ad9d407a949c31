/**
 * What weight stationary and input stationary share: R cycles of preload push the stationary
 * operand in from the top, bottom row first (row j enters at cycle R - 1 - j, so after R
 * cycles every row holds its own); then the other operand streams in from the left, slot s
 * entering row r at stream cycle s + r, while partial sums enter each column at the top at
 * stream cycle s + c (zero in the first row fold, the stored partial sum after), move down one
 * row per cycle adding one product in every used row, and are written when they leave the
 * bottom row, at stream cycle s + (R - 1) + c.
 *   Fold length F = 2R + C + T - 2 (preload R, then the last slot leaves the far corner at
 *   stream cycle (T - 1) + (R - 1) + (C - 1)); SCALE-Sim v2's demand matrices have this length.
 *   Products: K is cut into passes of R rows (one row fold each); each pass adds its products
 *   down a column starting from the partial sum the previous pass stored.
 */
import { mappingEfficiency } from './efficiency.ts';
import { NONE, type DataflowRules } from './types.ts';

type StationaryRules = Omit<DataflowRules, 'name' | 'stationary' | 'rowOperand' | 'topOperand' | 'dims' | 'rowElement' | 'colElement' | 'outElement' | 'foldSram' | 'recurrence' | 'demand' | 'macRegisters' | 'skewed' | 'edgeLanes'>;

export function stationaryRules(): StationaryRules {
  return {
    foldCycles: (rows, cols, t) => 2 * rows + cols + t - 2,
    preloadCycles: (rows) => rows,
    edges(mp, tau, ev) {
      const R = mp.rows, T = mp.t;
      if (tau < R) {
        ev.preload = true;
        ev.rowSlot.fill(NONE);
        ev.colSlot.fill(R - 1 - tau);
        ev.outSlot.fill(NONE);
        return;
      }
      ev.preload = false;
      const s = tau - R;
      for (let r = 0; r < R; r++) ev.rowSlot[r] = s - r >= 0 && s - r < T ? s - r : NONE;
      for (let c = 0; c < mp.cols; c++) {
        ev.colSlot[c] = s - c >= 0 && s - c < T ? s - c : NONE;
        const out = s - (R - 1) - c;
        ev.outSlot[c] = out >= 0 && out < T ? out : NONE;
      }
    },
    windows(mp, ru, cu) {
      const R = mp.rows, T = mp.t;
      const preload: [number, number] = [R - ru, R - 1];
      const stream: [number, number] = [R, R + T - 1 + ru - 1];
      const out: [number, number] = [R + R - 1, R + T - 1 + R - 1 + cu - 1];
      return mp.rules.topOperand === 'b' ? { ifmap: stream, filter: preload, ofmap: out } : { ifmap: preload, filter: stream, ofmap: out };
    },
    accumulatesAcrossRowFolds: true,
    productsPerPass: (rows) => rows,
    scaleSim: {
      // its per-fold cycle count: the demand length plus C - 1
      computeUtil: (mp) => (mappingEfficiency(mp) * mp.t) / (2 * mp.rows + 2 * mp.cols + mp.t - 3),
      extraOfmapWritesPerFold: () => 0,
    },
  };
}
