/**
 * Output stationary: every PE keeps one output and accumulates it; A streams in from the
 * left, B from the top.
 *   rows = M (output pixels), cols = N (filters), time = K.
 *   A[m][k] enters row r (pixel m0 + r) at the left edge at cycle k + r and moves right;
 *   B[k][n] enters column c at the top at cycle k + c and moves down; PE(r, c) adds its k-th
 *   product at cycle k + r + c and writes its output after the K-th.
 *   Fold length F = T + R + C - 2: the last operands meet in the far corner at cycle
 *   (T - 1) + (R - 1) + (C - 1). This is the length of SCALE-Sim v2's demand matrices per fold
 *   (systolic_compute_os.py); the reference engine measures it by moving the operands.
 *   Products: one PE adds k = 0 .. K-1 in order; the output leaves the array once.
 */
import { mappingEfficiency } from './efficiency.ts';
import { NONE, type DataflowRules } from './types.ts';

const slotAt = (tau: number, lane: number, t: number) => {
  const s = tau - lane;
  return s >= 0 && s < t ? s : NONE;
};

export const OS: DataflowRules = {
  name: 'os',
  stationary: 'output',
  rowOperand: 'a',
  topOperand: 'b',
  dims: (g) => ({ sr: g.m, sc: g.n, t: g.k }),
  foldCycles: (rows, cols, t) => t + rows + cols - 2,
  preloadCycles: () => 0,

  edges(mp, tau, ev) {
    ev.preload = false;
    for (let r = 0; r < mp.rows; r++) ev.rowSlot[r] = slotAt(tau, r, mp.t);
    for (let c = 0; c < mp.cols; c++) {
      ev.colSlot[c] = slotAt(tau, c, mp.t);
      // PE(r, c) finishes at cycle (T - 1) + r + c: column c writes row tau - (T - 1) - c
      const r = tau - (mp.t - 1) - c;
      ev.outSlot[c] = r >= 0 && r < mp.rows ? r : NONE;
    }
  },
  rowElement: (mp, f, r, k) => (r < f.ru ? (f.r0 + r) * mp.gemm.k + k : NONE),
  colElement: (mp, f, c, k) => (c < f.cu ? k * mp.gemm.n + f.c0 + c : NONE),
  outElement: (mp, f, c, r) => (r < f.ru && c < f.cu ? (f.r0 + r) * mp.gemm.n + f.c0 + c : NONE),

  foldSram(mp, f, realA, out) {
    const { k } = mp.gemm;
    out.ifmap_reads += realA(f.r0, f.r0 + f.ru, 0, k);
    out.filter_reads += k * f.cu;
    out.ofmap_writes += f.ru * f.cu;
  },
  windows(mp, ru, cu) {
    const T = mp.t;
    return { ifmap: [0, T - 1 + ru - 1], filter: [0, T - 1 + cu - 1], ofmap: [T - 1, T - 1 + ru - 1 + cu - 1] };
  },

  // ifmap ~ fr (pixel rows), filter ~ fc (filters), each output written once
  recurrence: { ifmap: 'sweep', filter: 'tile' },
  demand: (mp, ru, cu, fp, w) => ({ ifmap: (fp.ifmap * ru) / mp.gemm.m, filter: mp.gemm.k * cu * w.weight, outputs: ru * cu }),
  accumulatesAcrossRowFolds: false,
  productsPerPass: (_rows, k) => k,

  // A hops right, B hops down, the accumulator is written every MAC
  macRegisters: ['input', 'weight', 'acc'],
  skewed: { row: 'input', col: 'weight' },
  edgeLanes: (rows, cols) => ({ ifmap: rows, filter: cols }),

  scaleSim: {
    // its per-fold cycle count: the demand length plus C - 1
    computeUtil: (mp) => (mappingEfficiency(mp) * mp.t) / (mp.t + mp.rows + mp.cols - 2),
    // systolic_compute_os.py adds the drained matrix's shape[0] + shape[1]
    extraOfmapWritesPerFold: (rows, cols) => rows + cols,
  },
};
