/**
 * What SCALE-Sim v2 asks of its memories, cycle by cycle: its operand address matrices
 * (scalesim/compute/operand_matrix.py), and per dataflow (systolic_compute_{os,ws,is}.py) the
 * demand matrices (one row per cycle, one column per array-edge port, -1 for no request) and
 * the prefetch order in which its read buffers fill from DRAM. A port of that code, used only
 * by `--compat scalesim` (./memory-system.ts); nothing is materialised that can be computed:
 * a demand row is filled when it is served, the prefetch order is a walk.
 *
 * The operand matrices (word size 1; SCALE-Sim adds each operand's offset, which changes
 * nothing here, so addresses are given from 0 within each operand):
 *   ifmap  M x K: HWC index of the input element of (output pixel m, window entry k), -1
 *                 where the window hangs over the border (its padding);
 *   filter K x N: n * K + k;
 *   ofmap  M x N: m * N + n.
 * SCALE-Sim's names: os  Sr = M, Sc = N, T = K;  ws  Sr = K, Sc = N, T = M;  is  Sr = K, Sc = M, T = N.
 * Folds run column-fold major (fc outer, fr inner), every fold of a layer the same length.
 * Per fold each matrix is padded with -1 rows (operands streaming in, outputs draining), some
 * flipped (the first element enters the array last), most skewed: column c delayed by c rows.
 */
import type { Mapping } from '../../dataflows/mapping.ts';
import { convOutput, type Layer } from '../../workload/layer.ts';

export type Operand = 'ifmap' | 'filter' | 'ofmap';

/** The demand of a layer: per fold the same number of rows. */
export interface Demand {
  readonly folds: number;
  readonly rowsPerFold: number;
  /** ports (columns) of each operand's demand matrix */
  readonly width: Readonly<Record<Operand, number>>;
  /** addresses of each operand are below this */
  readonly extent: Readonly<Record<Operand, number>>;
  /**
   * The operand's requests at row `row` of fold `fold`: written to the start of `out` in
   * port order (the ports without a request left out); returns how many there are.
   */
  line(op: Operand, fold: number, row: number, out: Int32Array): number;
  /** the read buffers' fetch order: `visit` gets every entry of the prefetch matrix, -1s included */
  prefetch(op: 'ifmap' | 'filter', visit: (addr: number) => void): void;
}

/**
 * ifmap(m, k) without a division per element: a window entry k is at (kh, kw, channel)
 * relative to the window's corner, an output pixel m puts the corner at (oh * s, ow * s).
 */
function ifmapTable(layer: Layer, M: number, K: number): (m: number, k: number) => number {
  if (layer.kind === 'gemm') return (m, k) => m * K + k;
  const { outW } = convOutput(layer);
  const C = layer.channels, W = layer.inW, H = layer.inH;
  const kRow = new Int32Array(K), kCol = new Int32Array(K), kOff = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    const p = Math.floor(k / C), ch = k - p * C;
    kRow[k] = Math.floor(p / layer.kW) * layer.dilationH;
    kCol[k] = (p % layer.kW) * layer.dilationW;
    kOff[k] = (kRow[k] * W + kCol[k]) * C + ch;
  }
  const mRow = new Int32Array(M), mCol = new Int32Array(M), mOff = new Int32Array(M);
  for (let m = 0; m < M; m++) {
    const oh = Math.floor(m / outW), ow = m - oh * outW;
    mRow[m] = oh * layer.strideH - layer.padTop;
    mCol[m] = ow * layer.strideW - layer.padLeft;
    mOff[m] = (mRow[m] * W + mCol[m]) * C;
  }
  return (m, k) => {
    const r = mRow[m] + kRow[k], c = mCol[m] + kCol[k];
    return r < 0 || r >= H || c < 0 || c >= W ? -1 : mOff[m] + kOff[k];
  };
}

/** one operand's demand: fill(fc, fr, row, out) -> requests; `pre` its rows before the skew */
interface Matrix {
  readonly width: number;
  fill(fc: number, fr: number, row: number, out: Int32Array): number;
}

/**
 * A skewed matrix: column c of row `row` is pre-skew row row - c, where `at(t, c)` gives the
 * entry; only the columns whose pre-skew row lies in [0, preRows) are asked.
 */
function skewed(width: number, preRows: number, at: (fc: number, fr: number, t: number, c: number) => number): Matrix {
  return {
    width,
    fill(fc, fr, row, out) {
      let n = 0;
      const c1 = Math.min(width - 1, row);
      for (let c = Math.max(0, row - preRows + 1); c <= c1; c++) {
        const a = at(fc, fr, row - c, c);
        if (a !== -1) out[n++] = a;
      }
      return n;
    },
  };
}

/** A matrix without skew: only its first `rows` rows carry requests. */
function straight(width: number, rows: number, at: (fc: number, fr: number, t: number, c: number) => number): Matrix {
  return {
    width,
    fill(fc, fr, row, out) {
      if (row >= rows) return 0;
      let n = 0;
      for (let c = 0; c < width; c++) {
        const a = at(fc, fr, row, c);
        if (a !== -1) out[n++] = a;
      }
      return n;
    },
  };
}

/** A prefetch matrix: `rows` x `cols` blocks stacked per fold, read row by row or along its anti-diagonals. */
interface Prefetch {
  readonly rows: number;
  readonly cols: number;
  readonly diagonal: boolean;
  at(r: number, c: number): number;
}

export function scaleSimDemand(layer: Layer, mp: Mapping): Demand {
  const R = mp.rows, C = mp.cols;
  const { m: M, n: N, k: K } = mp.gemm;
  const ifmap = ifmapTable(layer, M, K);
  const { rowFolds, colFolds } = mp;
  let mats: Record<Operand, Matrix>;
  let rowsPerFold: number;
  let pre: Record<'ifmap' | 'filter', Prefetch>;
  switch (mp.dataflow) {
    case 'os': {
      // rows of the array: output pixels; columns: filters; time: the window (T = K)
      const T = K;
      rowsPerFold = T + R + C - 2;
      mats = {
        ifmap: skewed(R, T + C - 1, (_fc, fr, t, r) => (t < T && fr * R + r < M ? ifmap(fr * R + r, t) : -1)),
        filter: skewed(C, T + R - 1, (fc, _fr, t, c) => (t < T && fc * C + c < N ? (fc * C + c) * K + t : -1)),
        // outputs leave by the bottom edge: the fold's rows flipped, after T - 1 cycles of streaming
        ofmap: skewed(C, T - 1 + R, (fc, fr, t, c) => {
          if (t < T - 1) return -1;
          const m = fr * R + (R - 1 - (t - (T - 1))), n = fc * C + c;
          return m < M && n < N ? m * N + n : -1;
        }),
      };
      pre = {
        ifmap: { rows: T * rowFolds, cols: R, diagonal: true, at: (r, c) => { const m = Math.floor(r / T) * R + c; return m < M ? ifmap(m, r % T) : -1; } },
        filter: { rows: K * colFolds, cols: C, diagonal: true, at: (r, c) => { const n = Math.floor(r / K) * C + c; return n < N ? n * K + (r % K) : -1; } },
      };
      break;
    }
    case 'ws': {
      // rows: the window (K); columns: filters; time: output pixels (T = M)
      const T = M;
      rowsPerFold = T + 2 * R + C - 2;
      mats = {
        // R cycles of weights loading, then the pixels, then C - 1 cycles draining
        ifmap: skewed(R, R + T + C - 1, (_fc, fr, t, r) => (t >= R && t < R + T && fr * R + r < K ? ifmap(t - R, fr * R + r) : -1)),
        // the fold's weights, bottom row first, then nothing while the pixels stream
        filter: straight(C, R, (fc, fr, t, c) => {
          const k = fr * R + (R - 1 - t), n = fc * C + c;
          return k < K && n < N ? n * K + k : -1;
        }),
        ofmap: skewed(C, 2 * R - 1 + T, (fc, _fr, t, c) => (t >= 2 * R - 1 && fc * C + c < N ? (t - (2 * R - 1)) * N + fc * C + c : -1)),
      };
      pre = {
        ifmap: { rows: T * rowFolds, cols: R, diagonal: true, at: (r, c) => { const k = Math.floor(r / T) * R + c; return k < K ? ifmap(r % T, k) : -1; } },
        filter: { rows: K * colFolds, cols: C, diagonal: false, at: (r, c) => { const n = Math.floor(r / K) * C + c; return n < N ? n * K + (r % K) : -1; } },
      };
      break;
    }
    case 'is': {
      // rows: the window (K); columns: output pixels; time: filters (T = N)
      const T = N;
      rowsPerFold = T + 2 * R + C - 2;
      mats = {
        ifmap: straight(C, R, (fc, fr, t, c) => {
          const k = fr * R + (R - 1 - t), m = fc * C + c;
          return k < K && m < M ? ifmap(m, k) : -1;
        }),
        filter: skewed(R, R + T + C - 1, (_fc, fr, t, r) => (t >= R && t < R + T && fr * R + r < K ? (t - R) * K + fr * R + r : -1)),
        ofmap: skewed(C, 2 * R - 1 + T, (fc, _fr, t, c) => (t >= 2 * R - 1 && fc * C + c < M ? (fc * C + c) * N + (t - (2 * R - 1)) : -1)),
      };
      pre = {
        ifmap: { rows: K * colFolds, cols: C, diagonal: false, at: (r, c) => { const m = Math.floor(r / K) * C + c; return m < M ? ifmap(m, r % K) : -1; } },
        filter: { rows: N * rowFolds, cols: R, diagonal: true, at: (r, c) => { const k = Math.floor(r / N) * R + c; return k < K ? (r % N) * K + k : -1; } },
      };
      break;
    }
  }

  return {
    folds: mp.folds,
    rowsPerFold,
    width: { ifmap: mats.ifmap.width, filter: mats.filter.width, ofmap: mats.ofmap.width },
    extent: { ifmap: layer.kind === 'gemm' ? M * K : layer.inH * layer.inW * layer.channels, filter: K * N, ofmap: M * N },
    line(op, fold, row, out) {
      const fc = Math.floor(fold / rowFolds);
      return mats[op].fill(fc, fold - fc * rowFolds, row, out);
    },
    prefetch(op, visit) {
      const p = pre[op];
      if (!p.diagonal) {
        for (let r = 0; r < p.rows; r++) for (let c = 0; c < p.cols; c++) visit(p.at(r, c));
        return;
      }
      // along the anti-diagonals, each from its lowest row up (the order the skewed demand wants)
      for (let d = 0; d < p.rows + p.cols - 1; d++) {
        const maxRow = Math.min(d, p.rows - 1), minRow = Math.max(0, d - p.cols + 1);
        for (let r = maxRow; r >= minRow; r--) visit(p.at(r, d - r));
      }
    },
  };
}
