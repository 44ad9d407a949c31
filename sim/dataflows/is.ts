/**
 * Input stationary: the inputs of an R x C tile (window rows x pixels) stay in the PEs;
 * weights stream in from the left, partial sums flow down the columns (stationary.ts has the
 * shared timing).
 *   rows = K (window), cols = M (pixels), time = N (filters).
 *   Preload: A[c0 + c][k0 + j] enters column c at the top (row j at cycle R - 1 - j).
 *   Stream: B[k0 + r][s] enters row r at stream cycle s + r; the partial sum of output
 *   (pixel c0 + c, filter s) enters column c at stream cycle s + c and leaves its bottom at
 *   s + (R - 1) + c.
 */
import { stationaryRules } from './stationary.ts';
import { NONE, type DataflowRules } from './types.ts';

export const IS: DataflowRules = {
  ...stationaryRules(),
  name: 'is',
  stationary: 'input',
  rowOperand: 'b',
  topOperand: 'a',
  dims: (g) => ({ sr: g.k, sc: g.m, t: g.n }),

  rowElement: (mp, f, r, s) => (r < f.ru ? (f.r0 + r) * mp.gemm.n + s : NONE),
  colElement: (mp, f, c, j) => (j < f.ru && c < f.cu ? (f.c0 + c) * mp.gemm.k + f.r0 + j : NONE),
  outElement: (mp, f, c, s) => (c < f.cu ? (f.c0 + c) * mp.gemm.n + s : NONE),

  foldSram(mp, f, realA, out) {
    const { n } = mp.gemm;
    out.ifmap_reads += realA(f.c0, f.c0 + f.cu, f.r0, f.r0 + f.ru);
    out.filter_reads += f.ru * n;
    out.ofmap_writes += f.cu * n;
    if (f.fr > 0) out.ofmap_reads += f.cu * n;
  },

  // ifmap ~ (fr, fc), filter ~ fr (window rows, all filters), outputs ~ fc accumulated over fr
  recurrence: { ifmap: 'none', filter: 'sweep' },
  demand: (mp, ru, cu, fp, w) => ({
    ifmap: (fp.ifmap * ru * cu) / (mp.gemm.k * mp.gemm.m), filter: ru * mp.gemm.n * w.weight, outputs: cu * mp.gemm.n,
  }),

  // the weight hops right, the partial sum down
  macRegisters: ['weight', 'acc'],
  skewed: { row: 'weight', col: 'acc' },
  edgeLanes: (rows, cols) => ({ ifmap: cols, filter: rows }),
};
