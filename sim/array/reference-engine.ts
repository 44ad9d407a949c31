/**
 * The per-cycle reference engine: every operand moves one PE per cycle through registers.
 * Slow by design (small shapes, tests, traces); the fast engine must match it exactly.
 *
 * What enters the array's edges in each cycle comes from the dataflow (its `edges` events,
 * the same events the SRAM traces print); this engine moves the values through the PE
 * registers and measures when each fold ends: when the last slot has been consumed by the
 * far-corner PE. Nothing here uses the fold-length formula. Two register machines:
 *  - output stationary: the row operand moves right, the top operand moves down, each PE
 *    accumulates; an output is written when its PE has done its K-th MAC;
 *  - stationary (ws, is): the top operand is preloaded (shifted down until every row holds
 *    its own), then the row operand streams right while partial sums move down one row per
 *    cycle, adding a product in every used row; they are written when they leave the bottom.
 *    Accumulation 'top': a row fold after the first starts each column from the stored partial
 *    sum (read from the ofmap buffer as it enters the top); 'below': every column starts from
 *    zero and the accumulator under the column adds the stored partial sum (read as the column's
 *    sum leaves the bottom) before the write. Same cycles and SRAM counts, different order.
 * Every value carries which GEMM operand it is, so `pe.mac(acc, input, weight)` always gets
 * A first and B second, whichever edge each came in on. A block PE (MX, NVFP4) also carries
 * its block's exact partial sum beside each accumulator state (moving down with the partial
 * sums in ws/is), added into the accumulator when a block ends or the partial sum leaves. The outputs each machine writes in a
 * cycle are checked against the dataflow's events for that cycle.
 */
import { ifmapIndex } from '../workload/im2col.ts';
import { leaveColumn } from './ordered-gemm.ts';
import { foldAt, type Mapping } from '../dataflows/mapping.ts';
import { NONE, type EdgeEvents, type Fold, type Operand } from '../dataflows/types.ts';
import type { EngineInput, EngineResult, Operands, SramCounts } from './types.ts';

export function referenceEngine(input: EngineInput): EngineResult {
  const { layer, mapping: mp, operands } = input;
  const { m, n, k } = mp.gemm;
  const valid = new Uint8Array(m * k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) valid[i * k + j] = input.countPadReads || ifmapIndex(layer, i, j) >= 0 ? 1 : 0;
  const st: State = {
    mp,
    sram: { ifmap_reads: 0, filter_reads: 0, ofmap_reads: 0, ofmap_writes: 0 },
    macs: 0,
    valid,
    ops: operands,
    acc: new Float64Array(m * n).fill(operands ? operands.pe.accZero : 0),
    ev: { preload: false, rowSlot: new Int32Array(mp.rows), colSlot: new Int32Array(mp.cols), outSlot: new Int32Array(mp.cols) },
    base: 0,
    onWrite: input.onWrite,
  };
  const foldCycles = new Int32Array(mp.folds);
  for (let fc = 0; fc < mp.colFolds; fc++) {
    for (let fr = 0; fr < mp.rowFolds; fr++) {
      const f = foldAt(mp, fr, fc);
      const cycles = mp.rules.stationary === 'output' ? outputStationaryFold(f, st) : stationaryFold(f, st);
      foldCycles[fc * mp.rowFolds + fr] = cycles;
      st.base += cycles;
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
  readonly mp: Mapping;
  readonly sram: SramCounts;
  macs: number;
  /** entries of A read from SRAM (real input elements, or every entry when padding reads count) */
  readonly valid: Uint8Array;
  readonly ops: Operands | undefined;
  /** stored partial sums / outputs (accumulator states after the partial-sum round trip) */
  readonly acc: Float64Array;
  readonly ev: EdgeEvents;
  /** first cycle of the current fold, counted from the start of the GEMM */
  base: number;
  readonly onWrite: EngineInput['onWrite'];
}

/** Reads one operand element from its buffer: counts the SRAM access, returns its bit pattern. */
function read(st: State, op: Operand, idx: number): number {
  if (op === 'a') {
    if (st.valid[idx]) st.sram.ifmap_reads++;
    return st.ops ? st.ops.a[idx] : 0;
  }
  st.sram.filter_reads++;
  return st.ops ? st.ops.b[idx] : 0;
}

/** One MAC with the operands in the PE's order (input, weight), whichever edge each came from. */
function mac(st: State, acc: number, rowOp: Operand, rowV: number, otherV: number): number {
  const ops = st.ops as Operands;
  return rowOp === 'a' ? ops.pe.mac(acc, rowV, otherV) : ops.pe.mac(acc, otherV, rowV);
}

/**
 * One MAC of a block PE: the product joins its block's exact sum (`pend`, carried beside the
 * accumulator state) and a finished block enters the accumulator; the new pending sum goes to
 * out[0]. A PE without blocks makes an ordinary MAC and keeps no pending sum.
 */
function blockMac(st: State, acc: number, pend: number, rowOp: Operand, rowV: number, otherV: number, out: Float64Array): number {
  const pe = (st.ops as Operands).pe;
  if (!pe.block) {
    out[0] = 0;
    return mac(st, acc, rowOp, rowV, otherV);
  }
  return rowOp === 'a' ? pe.block.step(acc, pend, rowV, otherV, out) : pe.block.step(acc, pend, otherV, rowV, out);
}

/** the accumulator state when a partial sum leaves a PE: a block PE's pending block added */
function settled(st: State, acc: number, pend: number): number {
  const pe = st.ops?.pe;
  return pe?.block ? pe.block.flush(acc, pend) : acc;
}

/** Stores an output leaving the array (in cycle t of the fold), after checking the dataflow's events name it too. */
function write(st: State, f: Fold, c: number, o: number, value: number, t: number): void {
  const { mp, ev } = st;
  const slot = ev.outSlot[c];
  if (slot === NONE || mp.rules.outElement(mp, f, c, slot) !== o) {
    throw new Error(`reference engine: output ${o} left column ${c} in a cycle the ${mp.dataflow} events do not write it`);
  }
  st.sram.ofmap_writes++;
  if (st.ops) st.acc[o] = st.ops.psum.roundTrip(value);
  st.onWrite?.(st.base + t, o, st.ops ? st.ops.psum.bits(value) : undefined);
}

/** The row operand's registers shift one PE right; the dataflow's slot of this cycle enters every row. */
function shiftRows(f: Fold, st: State, xS: Int32Array, xHas: Uint8Array, xV: Float64Array): void {
  const { mp, ev } = st;
  const R = mp.rows, C = mp.cols;
  for (let r = 0; r < R; r++) {
    for (let c = C - 1; c > 0; c--) {
      const i = r * C + c;
      xS[i] = xS[i - 1]; xHas[i] = xHas[i - 1]; xV[i] = xV[i - 1];
    }
    const i = r * C, slot = ev.rowSlot[r];
    xS[i] = slot;
    const e = slot === NONE ? NONE : mp.rules.rowElement(mp, f, r, slot);
    xHas[i] = e === NONE ? 0 : 1;
    if (e !== NONE) xV[i] = read(st, mp.rules.rowOperand, e);
  }
}

function outputStationaryFold(f: Fold, st: State): number {
  const { mp, ev, ops } = st;
  const { rules } = mp;
  const R = mp.rows, C = mp.cols, K = mp.t;
  const { n } = mp.gemm;
  const rowOp = rules.rowOperand, topOp = rules.topOperand;
  // registers: slot index or NONE, data presence, value
  const xS = new Int32Array(R * C).fill(NONE), xHas = new Uint8Array(R * C), xV = new Float64Array(R * C);
  const yS = new Int32Array(R * C).fill(NONE), yHas = new Uint8Array(R * C), yV = new Float64Array(R * C);
  const acc = new Float64Array(R * C).fill(ops ? ops.pe.accZero : 0);
  // block PEs: each PE's pending block sum (block-pe.ts); zeros otherwise
  const pend = new Float64Array(R * C), scratch = new Float64Array(1);
  const done = new Int32Array(R * C);
  const corner = (R - 1) * C + (C - 1);
  for (let t = 0; ; t++) {
    rules.edges(mp, t, ev);
    // the row operand moves right; a new slot enters column 0 of every row
    shiftRows(f, st, xS, xHas, xV);
    // the top operand moves down; a new slot enters row 0 of every column
    for (let c = 0; c < C; c++) {
      for (let r = R - 1; r > 0; r--) {
        const i = r * C + c;
        yS[i] = yS[i - C]; yHas[i] = yHas[i - C]; yV[i] = yV[i - C];
      }
      const slot = ev.colSlot[c];
      yS[c] = slot;
      const e = slot === NONE ? NONE : rules.colElement(mp, f, c, slot);
      yHas[c] = e === NONE ? 0 : 1;
      if (e !== NONE) yV[c] = read(st, topOp, e);
    }
    for (let i = 0; i < R * C; i++) {
      if (!xHas[i] || !yHas[i]) continue;
      if (xS[i] !== yS[i]) throw new Error(`reference engine: operands out of step at PE ${i} (k ${xS[i]} vs ${yS[i]})`);
      if (ops) {
        acc[i] = blockMac(st, acc[i], pend[i], rowOp, xV[i], yV[i], scratch);
        pend[i] = scratch[0];
      }
      st.macs++;
      if (++done[i] === K) {
        const r = Math.floor(i / C), c = i - r * C;
        write(st, f, c, (f.r0 + r) * n + f.c0 + c, settled(st, acc[i], pend[i]), t);
      }
    }
    if (xS[corner] === K - 1 && yS[corner] === K - 1) return t + 1;
  }
}

/** ws and is: stationary preload, then a stream with partial sums flowing down the columns. */
function stationaryFold(f: Fold, st: State): number {
  const { mp, ev, ops } = st;
  const { rules } = mp;
  const R = mp.rows, C = mp.cols, T = mp.t;
  const rowOp = rules.rowOperand, topOp = rules.topOperand;
  const below = ops?.accumulate === 'below';

  // --- preload: row j's stationary values enter at the top and shift down
  const wSlot = new Int32Array(R * C).fill(NONE), wV = new Float64Array(R * C);
  let t = 0;
  for (; ; t++) {
    rules.edges(mp, t, ev);
    if (!ev.preload) throw new Error(`reference engine: the ${mp.dataflow} preload ended before every row held its own`);
    for (let c = 0; c < C; c++) {
      for (let r = R - 1; r > 0; r--) {
        wSlot[r * C + c] = wSlot[(r - 1) * C + c];
        wV[r * C + c] = wV[(r - 1) * C + c];
      }
      const j = ev.colSlot[c];
      wSlot[c] = j;
      const e = j === NONE ? NONE : rules.colElement(mp, f, c, j);
      if (e !== NONE) wV[c] = read(st, topOp, e);
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
  // block PEs: the pending block sum travels down with its partial sum
  const pP = new Float64Array(R * C), scratch = new Float64Array(1);
  const corner = (R - 1) * C + (C - 1);
  for (let s = 0; ; s++) {
    rules.edges(mp, preload + s, ev);
    // the streaming operand moves right; a new slot enters column 0 of every row
    shiftRows(f, st, xS, xHas, xV);
    // partial sums move down: update bottom-up so each row reads the row above's old value
    for (let c = 0; c < C; c++) {
      for (let r = R - 1; r >= 0; r--) {
        const i = r * C + c;
        let slot: number, has: number, v: number, pend = 0;
        if (r === 0) {
          // a partial sum enters the top: zero in the first row fold, the stored one after
          slot = ev.colSlot[c];
          const o = slot === NONE ? NONE : rules.outElement(mp, f, c, slot);
          has = o === NONE ? 0 : 1;
          v = 0;
          if (o !== NONE) {
            if (f.fr > 0 && !below) {
              st.sram.ofmap_reads++;
              v = st.acc[o];
            } else v = ops ? ops.pe.accZero : 0;
          }
        } else {
          slot = pS[i - C]; has = pHas[i - C]; v = pV[i - C]; pend = pP[i - C];
        }
        if (has && xHas[i]) {
          if (xS[i] !== slot) throw new Error(`reference engine: stream and partial sums out of step at PE ${i}`);
          if (ops) {
            v = blockMac(st, v, pend, rowOp, xV[i], wV[i], scratch);
            pend = scratch[0];
          }
          st.macs++;
        }
        pS[i] = slot; pHas[i] = has; pV[i] = v; pP[i] = pend;
        // the bottom row's result leaves the array this cycle ('below': through the accumulator under the column)
        if (r === R - 1 && has) {
          const o = rules.outElement(mp, f, c, slot);
          if (below && ops) {
            const column = leaveColumn(ops.pe, settled(st, v, pend));
            if (f.fr > 0) st.sram.ofmap_reads++;
            write(st, f, c, o, f.fr > 0 ? ops.pe.addAcc(st.acc[o], column) : column, preload + s);
          } else write(st, f, c, o, settled(st, v, pend), preload + s);
        }
      }
    }
    if (pS[corner] === T - 1) return preload + s + 1;
  }
}
