/**
 * The per-cycle reference engine: every operand moves one PE per cycle through registers.
 * Slow by design (small shapes, tests, traces); the fast engine must match it exactly.
 *
 * A "slot" is a position in an operand stream. Unused rows and columns of a fold still carry
 * slots (empty ones), because the wavefront crosses the whole physical array; a fold ends when
 * the last slot has been consumed by the far-corner PE. Nothing here uses the fold-length
 * formula: cycle counts are measured.
 *
 * os: A[m][k] enters row r (pixel m0+r) at the left edge at cycle k + r and moves right;
 *     B[k][n] enters column c at the top at cycle k + c and moves down; PE(r,c) accumulates.
 *     An output is written when its PE has done its K-th MAC.
 * ws: preload: weight rows are pushed in from the top, bottom row first, one row per cycle
 *     (R cycles). Stream: A[m][k0+r] enters row r at cycle m + r and moves right; partial sums
 *     enter each column at the top (zero, or the stored partial sum of the previous fold) and
 *     move down one row per cycle, adding a*w in every used row; they are written when they
 *     leave the bottom row.
 * is: as ws with the roles of A and B swapped: A (a pixel per column) is preloaded, B streams.
 */
import { ifmapIndex } from '../workload/im2col.ts';
import { colsUsed, rowsUsed, type Mapping } from '../dataflows/mapping.ts';
import type { EngineInput, EngineResult, Operands, SramCounts } from './types.ts';

const NONE = -1;

export function referenceEngine(input: EngineInput): EngineResult {
  const { layer, mapping: mp, operands } = input;
  const { m, n, k } = mp.gemm;
  const valid = new Uint8Array(m * k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) valid[i * k + j] = input.countPadReads || ifmapIndex(layer, i, j) >= 0 ? 1 : 0;
  const st: State = {
    sram: { ifmap_reads: 0, filter_reads: 0, ofmap_reads: 0, ofmap_writes: 0 },
    macs: 0,
    valid,
    ops: operands,
    acc: new Float64Array(m * n).fill(operands ? operands.pe.accZero : 0),
    written: new Uint8Array(m * n),
  };
  const foldCycles = new Int32Array(mp.folds);
  for (let fc = 0; fc < mp.colFolds; fc++) {
    for (let fr = 0; fr < mp.rowFolds; fr++) {
      foldCycles[fc * mp.rowFolds + fr] = mp.dataflow === 'os' ? osFold(mp, fr, fc, st) : streamFold(mp, fr, fc, st);
    }
  }
  let compute = 0;
  for (const c of foldCycles) compute += c;
  const result: EngineResult = { foldCycles, computeCycles: compute, macs: st.macs, sram: st.sram };
  if (!operands) return result;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m * n; i++) out[i] = operands.psum.bits(st.acc[i]);
  return { ...result, out };
}

interface State {
  sram: SramCounts;
  macs: number;
  valid: Uint8Array;
  ops: Operands | undefined;
  /** stored partial sums / outputs (accumulator states after the partial-sum round trip) */
  acc: Float64Array;
  written: Uint8Array;
}

function osFold(mp: Mapping, fr: number, fc: number, st: State): number {
  const R = mp.rows, C = mp.cols, K = mp.t;
  const { n } = mp.gemm;
  const ru = rowsUsed(mp, fr), cu = colsUsed(mp, fc);
  const m0 = fr * R, n0 = fc * C;
  const ops = st.ops;
  // registers: slot index (k) or NONE, data presence, value
  const aK = new Int32Array(R * C).fill(NONE), aHas = new Uint8Array(R * C), aV = new Float64Array(R * C);
  const bK = new Int32Array(R * C).fill(NONE), bHas = new Uint8Array(R * C), bV = new Float64Array(R * C);
  const acc = new Float64Array(R * C).fill(ops ? ops.pe.accZero : 0);
  const done = new Int32Array(R * C);
  const corner = (R - 1) * C + (C - 1);
  for (let t = 0; ; t++) {
    // A moves right, a new slot enters column 0 of every row
    for (let r = 0; r < R; r++) {
      for (let c = C - 1; c > 0; c--) {
        const i = r * C + c;
        aK[i] = aK[i - 1]; aHas[i] = aHas[i - 1]; aV[i] = aV[i - 1];
      }
      const i = r * C, kk = t - r;
      if (kk >= 0 && kk < K) {
        aK[i] = kk;
        aHas[i] = r < ru ? 1 : 0;
        if (r < ru) {
          const idx = (m0 + r) * K + kk;
          if (st.valid[idx]) st.sram.ifmap_reads++;
          aV[i] = ops ? ops.a[idx] : 0;
        }
      } else {
        aK[i] = NONE; aHas[i] = 0;
      }
    }
    // B moves down, a new slot enters row 0 of every column
    for (let c = 0; c < C; c++) {
      for (let r = R - 1; r > 0; r--) {
        const i = r * C + c;
        bK[i] = bK[i - C]; bHas[i] = bHas[i - C]; bV[i] = bV[i - C];
      }
      const kk = t - c;
      if (kk >= 0 && kk < K) {
        bK[c] = kk;
        bHas[c] = c < cu ? 1 : 0;
        if (c < cu) {
          st.sram.filter_reads++;
          bV[c] = ops ? ops.b[kk * n + n0 + c] : 0;
        }
      } else {
        bK[c] = NONE; bHas[c] = 0;
      }
    }
    for (let i = 0; i < R * C; i++) {
      if (!aHas[i] || !bHas[i]) continue;
      if (aK[i] !== bK[i]) throw new Error(`reference engine: operands out of step at PE ${i} (k ${aK[i]} vs ${bK[i]})`);
      if (ops) acc[i] = ops.pe.mac(acc[i], aV[i], bV[i]);
      st.macs++;
      if (++done[i] === K) {
        const r = Math.floor(i / C), c = i - r * C;
        const o = (m0 + r) * n + n0 + c;
        st.sram.ofmap_writes++;
        st.written[o] = 1;
        if (ops) st.acc[o] = ops.psum.roundTrip(acc[i]);
      }
    }
    if (aK[corner] === K - 1 && bK[corner] === K - 1) return t + 1;
  }
}

/** ws and is: stationary preload, then a stream with partial sums flowing down the columns. */
function streamFold(mp: Mapping, fr: number, fc: number, st: State): number {
  const R = mp.rows, C = mp.cols, T = mp.t;
  const { n, k: K } = mp.gemm;
  const ws = mp.dataflow === 'ws';
  const ru = rowsUsed(mp, fr), cu = colsUsed(mp, fc);
  const k0 = fr * R, c0 = fc * C;
  const ops = st.ops;
  // output index of (column c, stream slot s): ws: pixel s, filter c0+c; is: pixel c0+c, filter s
  const outIdx = (c: number, s: number): number => (ws ? s * n + c0 + c : (c0 + c) * n + s);

  // --- preload: row j's stationary values enter at the top at cycle R-1-j and shift down
  const wSlot = new Int32Array(R * C).fill(NONE), wV = new Float64Array(R * C);
  let t = 0;
  for (; ; t++) {
    for (let c = 0; c < C; c++) {
      for (let r = R - 1; r > 0; r--) {
        wSlot[r * C + c] = wSlot[(r - 1) * C + c];
        wV[r * C + c] = wV[(r - 1) * C + c];
      }
      const j = R - 1 - t;
      wSlot[c] = j >= 0 ? j : NONE;
      if (j >= 0 && j < ru && c < cu) {
        if (ws) {
          st.sram.filter_reads++;
          wV[c] = ops ? ops.b[(k0 + j) * n + c0 + c] : 0;
        } else {
          const idx = (c0 + c) * K + k0 + j;
          if (st.valid[idx]) st.sram.ifmap_reads++;
          wV[c] = ops ? ops.a[idx] : 0;
        }
      }
    }
    if (wSlot[0] === 0) break; // the top row holds row 0: every row holds its own
  }
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      if (wSlot[r * C + c] !== r) throw new Error('reference engine: preload misaligned');
    }
  }
  const preload = t + 1;

  // --- stream
  const xS = new Int32Array(R * C).fill(NONE), xHas = new Uint8Array(R * C), xV = new Float64Array(R * C);
  const pS = new Int32Array(R * C).fill(NONE), pHas = new Uint8Array(R * C), pV = new Float64Array(R * C);
  const corner = (R - 1) * C + (C - 1);
  for (let s = 0; ; s++) {
    // streaming operand moves right; slot (s - r) enters row r
    for (let r = 0; r < R; r++) {
      for (let c = C - 1; c > 0; c--) {
        const i = r * C + c;
        xS[i] = xS[i - 1]; xHas[i] = xHas[i - 1]; xV[i] = xV[i - 1];
      }
      const i = r * C, slot = s - r;
      if (slot >= 0 && slot < T) {
        xS[i] = slot;
        xHas[i] = r < ru ? 1 : 0;
        if (r < ru) {
          if (ws) {
            const idx = slot * K + k0 + r;
            if (st.valid[idx]) st.sram.ifmap_reads++;
            xV[i] = ops ? ops.a[idx] : 0;
          } else {
            st.sram.filter_reads++;
            xV[i] = ops ? ops.b[(k0 + r) * n + slot] : 0;
          }
        }
      } else {
        xS[i] = NONE; xHas[i] = 0;
      }
    }
    // partial sums move down: update bottom-up so each row reads the row above's old value
    for (let c = 0; c < C; c++) {
      for (let r = R - 1; r >= 0; r--) {
        const i = r * C + c;
        let slot: number, has: number, v: number;
        if (r === 0) {
          slot = s - c;
          if (slot >= 0 && slot < T) {
            has = c < cu ? 1 : 0;
            v = 0;
            if (has) {
              const o = outIdx(c, slot);
              if (fr > 0) {
                st.sram.ofmap_reads++;
                v = st.acc[o];
              } else v = ops ? ops.pe.accZero : 0;
            }
          } else {
            slot = NONE; has = 0; v = 0;
          }
        } else {
          slot = pS[i - C]; has = pHas[i - C]; v = pV[i - C];
        }
        if (has && xHas[i]) {
          if (xS[i] !== slot) throw new Error(`reference engine: stream and partial sums out of step at PE ${i}`);
          // pe.mac takes (input, weight): ws streams the input, is streams the weight
          if (ops) v = ws ? ops.pe.mac(v, xV[i], wV[i]) : ops.pe.mac(v, wV[i], xV[i]);
          st.macs++;
        }
        pS[i] = slot; pHas[i] = has; pV[i] = v;
        // the bottom row's result leaves the array this cycle
        if (r === R - 1 && has) {
          const o = outIdx(c, slot);
          st.sram.ofmap_writes++;
          st.written[o] = 1;
          if (ops) st.acc[o] = ops.psum.roundTrip(v);
        }
      }
    }
    if (pS[corner] === T - 1) return preload + s + 1;
  }
}
