/**
 * Weight stationary: the weights of an R x C tile stay in the PEs; inputs stream in from the
 * left, partial sums flow down the columns (stationary.ts has the shared timing).
 *   rows = K (window), cols = N (filters), time = M (pixels).
 *   Preload: B[k0 + j][c0 + c] enters column c at the top (row j at cycle R - 1 - j).
 *   Stream: A[s][k0 + r] enters row r at stream cycle s + r; the partial sum of output
 *   (pixel s, filter c0 + c) enters column c at stream cycle s + c and leaves its bottom at
 *   s + (R - 1) + c.
 */
import { stationaryRules } from './stationary.ts';
import { NONE, type DataflowRules } from './types.ts';

export const WS: DataflowRules = {
  ...stationaryRules(),
  name: 'ws',
  stationary: 'weight',
  rowOperand: 'a',
  topOperand: 'b',
  dims: (g) => ({ sr: g.k, sc: g.n, t: g.m }),

  rowElement: (mp, f, r, s) => (r < f.ru ? s * mp.gemm.k + f.r0 + r : NONE),
  colElement: (mp, f, c, j) => (j < f.ru && c < f.cu ? (f.r0 + j) * mp.gemm.n + f.c0 + c : NONE),
  outElement: (mp, f, c, s) => (c < f.cu ? s * mp.gemm.n + f.c0 + c : NONE),

  foldSram(mp, f, realA, out) {
    const { m } = mp.gemm;
    out.ifmap_reads += realA(0, m, f.r0, f.r0 + f.ru);
    out.filter_reads += f.ru * f.cu;
    out.ofmap_writes += m * f.cu;
    if (f.fr > 0) out.ofmap_reads += m * f.cu;
  },

  // ifmap ~ fr (window rows, all pixels), filter ~ (fr, fc), outputs ~ fc accumulated over fr
  recurrence: { ifmap: 'sweep', filter: 'none' },
  demand: (mp, ru, cu, fp, w) => ({ ifmap: (fp.ifmap * ru) / mp.gemm.k, filter: ru * cu * w.weight, outputs: mp.gemm.m * cu }),

  // the input hops right, the partial sum down
  macRegisters: ['input', 'acc'],
  skewed: { row: 'input', col: 'acc' },
  edgeLanes: (rows, cols) => ({ ifmap: rows, filter: cols }),
};
