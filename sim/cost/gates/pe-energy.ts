/**
 * Value-aware energy of a layer from gates: the operands each PE of the array really sees, in
 * the order the dataflow delivers them, go through the PE's netlists; every net's toggles are
 * priced (cells.ts), every register bit's changes and clock cycles too.
 *
 * Streams. PE (r, c) of fold f holds, in slot s (sim/dataflows: rowElement / colElement):
 *   os  A[rowElement(r, s)] and B[colElement(c, s)]; the accumulator starts from zero at s = 0;
 *   ws  A[rowElement(r, s)] streamed, B[colElement(c, r)] stationary; the partial sum of output
 *       outElement(c, s) enters the column at the top (zero in the first row fold, the stored
 *       partial sum after) and PE (r, c) adds its product to the sum of the rows above it;
 *   is  as ws with B streamed and A stationary.
 * A PE's stream is its slots fold after fold; a PE outside a fold's rows or columns is idle
 * (clock-gated: it holds its values and spends nothing). The products are `pe.mul`, the
 * accumulator states `pe.mac`, exactly as the array computes them (bits equal to the gates:
 * rtl/gates/check.ts); partial sums between row folds go through the partial-sum store.
 *
 * Registers (the array cell's netlist gives their widths): the operand registers, the
 * accumulator (os) or outgoing partial sum (ws, is), and 1-bit flags. Every bit is clocked in
 * every active slot (the stationary register only when it is loaded, once per fold); a bit that
 * changes pays the flip-flop's toggle energy (cells.ts: flipFlopPj). EN-T: the register that
 * holds A holds its Booth encoding (the encoder netlist's output), the encoder sits at the edge
 * (one per row in os / ws, per column in is, as the RTL has it) and encodes every A entering.
 *
 * Zero gating (`gateZeros`): a MAC with a zero operand is skipped: the multiplier and the
 * accumulator keep their previous inputs (operand isolation: an AND gate per multiplier input
 * bit, priced), the accumulator register is not clocked, and the zero operand's data register
 * is not clocked either (a 1-bit zero flag, clocked every slot, travels in its place).
 *
 * Large layers are sampled: whole PE streams of a seeded subset of PE positions, over a run of
 * consecutive folds from the first row fold of a seeded column fold (and at most the budget's
 * slots per fold), so at most `maxMacs` MACs are evaluated; the result is energy per MAC of the
 * sample.
 */
import { defaultAccumulate, type Accumulate, type Dataflow } from '../../arch/schema.ts';
import type { PsumStore } from '../../array/psum.ts';
import { foldAt, type Mapping } from '../../dataflows/mapping.ts';
import type { Fold } from '../../dataflows/types.ts';
import type { PeKind } from '../../pe/types.ts';
import { makeRng } from '../../random.ts';
import { NANGATE45_CELLS } from '../tables/nangate45.ts';
import { flipFlopPj, toggleEnergy, wireCapFf } from './cells.ts';
import { evaluateStreams, popcount32, portWords } from './evaluate.ts';
import { cellOf, type GatePe } from './pe-gates.ts';

export interface StreamOptions {
  /** MACs to evaluate at most (default 2^16) */
  readonly maxMacs?: number;
  readonly seed?: number;
  readonly gateZeros?: boolean;
  /**
   * ws / is: where the partial sums of row folds are added: 'top' (a later row fold's column
   * starts from the sum the previous one stored) or 'below' (every fold's column starts from
   * zero; the adder under the array, priced by the cost model, merges them). Default: the
   * arch's default for the dataflow.
   */
  readonly accumulate?: Accumulate;
}

/** Energy per MAC (pJ, calibrated) of a stream of MACs, and what it consists of. */
export interface GateMacEnergy {
  readonly macs: number;
  readonly multiplier_pj: number;
  readonly accumulator_pj: number;
  readonly registers_pj: number;
  /** zero gating's operand isolation */
  readonly isolation_pj: number;
  /** EN-T: energy of one encode of A at the array edge */
  readonly encoder_pj_per_encode: number;
  /** fraction of the MACs with a zero operand */
  readonly zero_fraction: number;
  /** fraction of the MACs skipped by zero gating (0 without it) */
  readonly gated_fraction: number;
  /** what the energies count, summed over the sample (hand-checkable on small cases) */
  readonly counts: {
    /** changed bits of the A register, the B register, the accumulator / partial-sum register */
    readonly register_toggles: { readonly a: number; readonly b: number; readonly acc: number };
    /** bit-clocks (register bits x slots clocked) of the same registers, and of the flags */
    readonly register_clocks: { readonly a: number; readonly b: number; readonly acc: number; readonly flags: number };
    /** changed bits at the multiplier's inputs (A, or its EN-T bus, and B) */
    readonly multiplier_input_toggles: number;
    /** step-to-step transitions evaluated in the multiplier netlist (lanes x (steps - 1)) */
    readonly transitions: number;
  };
}

export interface GemmOperandsBits {
  /** M x K row-major bit patterns of the input format */
  readonly a: ArrayLike<number>;
  /** K x N row-major bit patterns of the weight format */
  readonly b: ArrayLike<number>;
  readonly psum: PsumStore;
}

interface Lane {
  readonly r: number;
  readonly c: number;
}

/** Zero test of operand patterns, memoized for narrow formats. */
function zeroTest(value: (bits: number) => number, bits: number): (x: number) => boolean {
  if (bits <= 16) {
    const t = new Uint8Array(2 ** bits);
    for (let x = 0; x < t.length; x++) t[x] = value(x) === 0 ? 1 : 0;
    return (x) => t[x] === 1;
  }
  return (x) => value(x) === 0;
}

/** The PE positions and folds a sample evaluates, within the MAC budget. */
function plan(mp: Mapping, maxMacs: number, seed: number): { lanes: Lane[]; folds: Fold[]; slots: number } {
  // positions some fold uses (a GEMM smaller than the array leaves the rest idle throughout)
  const R = Math.min(mp.rows, mp.sr), C = Math.min(mp.cols, mp.sc);
  const rng = makeRng(seed ^ 0x9e3779b9);
  const all: Lane[] = [];
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) all.push({ r, c });
  // seeded shuffle; whole batches of 32 lanes
  for (let i = all.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  const perLaneAll = mp.folds * mp.t;
  const want = Math.max(1, Math.floor(maxMacs / Math.max(1, perLaneAll)));
  const nLanes = Math.min(all.length, Math.max(Math.min(all.length, 32), Math.min(want, all.length)));
  const lanes = all.slice(0, nLanes).sort((x, y) => x.r - y.r || x.c - y.c);
  const slotBudget = Math.max(1, Math.floor(maxMacs / nLanes));
  const slots = Math.min(mp.t, slotBudget);
  const nFolds = Math.max(1, Math.min(mp.folds, Math.floor(slotBudget / slots)));
  // consecutive folds in loop order from the first row fold of a seeded column fold: a later row
  // fold's partial sums (ws, is) are then those the sample's previous fold stored
  const start = rng.int(mp.colFolds) * mp.rowFolds;
  const folds: Fold[] = [];
  for (let i = 0; i < nFolds; i++) {
    const idx = (start + i) % mp.folds;
    folds.push(foldAt(mp, idx % mp.rowFolds, Math.floor(idx / mp.rowFolds)));
  }
  return { lanes, folds, slots };
}

/** Energy per MAC of a layer's operands on the array, from the PE's gates. */
export function gemmGateEnergy(g: GatePe, mp: Mapping, ops: GemmOperandsBits, opts: StreamOptions = {}): GateMacEnergy {
  const pe = g.pe;
  const df = mp.dataflow;
  const cell = cellOf(g, df);
  const { lanes, folds, slots } = plan(mp, opts.maxMacs ?? 1 << 16, opts.seed ?? 1);
  const L = lanes.length, S = folds.length * slots;
  const rules = mp.rules;
  const isA0 = zeroTest((x) => pe.inputValue(x), pe.input.bits);
  const isB0 = zeroTest((x) => pe.weightValue(x), pe.weight.bits);
  const gate = opts.gateZeros === true;
  const below = df !== 'os' && (opts.accumulate ?? defaultAccumulate(df)) === 'below';
  const n = L * S;
  const st: Streams = {
    L, S,
    rawA: new Uint32Array(n), rawB: new Uint32Array(n), mulA: new Uint32Array(n), mulB: new Uint32Array(n),
    regA: new Uint32Array(n), regB: new Uint32Array(n), pV: new Uint32Array(n), accIn: new Uint32Array(n), accOut: new Uint32Array(n),
    active: new Uint8Array(n), load: new Uint8Array(n), zA: new Uint8Array(n), zB: new Uint8Array(n), skip: new Uint8Array(n),
  };
  const stored = new Map<number, number>(); // partial sums between row folds (ws, is), by output index
  let zeros = 0, macs = 0;
  folds.forEach((f, fi) => {
    // ws / is: the partial sum of each output at each row, for the columns sampled lanes use
    const cols = [...new Set(lanes.filter((l) => l.c < f.cu).map((l) => l.c))];
    // every row of the sampled columns: the partial sums reaching the sampled PEs, and the one stored
    const maxRow = f.ru - 1;
    const H = maxRow + 2;
    const states = new Map<number, Float64Array>(); // column -> [slot * H + row]
    if (df !== 'os') {
      for (const c of cols) {
        const col = new Float64Array(slots * H);
        for (let s = 0; s < slots; s++) {
          const out = rules.outElement(mp, f, c, s);
          let state = f.fr === 0 || below ? pe.accZero : prefixState(pe, ops, mp, f, c, s, out, stored);
          col[s * H] = state;
          for (let r = 0; r <= maxRow; r++) {
            const [ai, bi] = operandIndex(rules, mp, f, r, c, s);
            state = pe.mac(state, ops.a[ai], ops.b[bi]);
            col[s * H + r + 1] = state;
          }
        }
        states.set(c, col);
      }
    }
    lanes.forEach((ln, li) => {
      const on = ln.r < f.ru && ln.c < f.cu;
      let acc = pe.accZero;
      for (let s = 0; s < slots; s++) {
        const i = li * S + fi * slots + s;
        const held = fi === 0 && s === 0 ? -1 : i - 1;
        const hold = (arrs: Uint32Array[]) => { if (held >= 0) for (const x of arrs) x[i] = x[held]; };
        if (!on) {
          hold([st.rawA, st.rawB, st.mulA, st.mulB, st.regA, st.regB, st.pV, st.accIn, st.accOut]);
          continue;
        }
        const [ai, bi] = operandIndex(rules, mp, f, ln.r, ln.c, s);
        const a = ops.a[ai], b = ops.b[bi];
        const za = isA0(a), zb = isB0(b);
        if (za || zb) zeros++;
        macs++;
        st.active[i] = 1;
        if (df !== 'os' && s === 0) st.load[i] = 1;
        st.zA[i] = za ? 1 : 0;
        st.zB[i] = zb ? 1 : 0;
        st.rawA[i] = a;
        st.rawB[i] = b;
        const inState = df === 'os' ? (s === 0 ? pe.accZero : acc) : (states.get(ln.c) as Float64Array)[s * H + ln.r];
        // registers: a zero operand's data register keeps its old value under zero gating
        if (gate && za) hold([st.regA]); else st.regA[i] = a;
        if (gate && zb) hold([st.regB]); else st.regB[i] = b;
        if (gate && (za || zb)) {
          st.skip[i] = 1;
          hold([st.mulA, st.mulB, st.pV, st.accIn]);
          st.accOut[i] = pe.accToBits(inState);
          acc = inState;
        } else {
          const outState = pe.mac(inState, a, b);
          st.mulA[i] = a;
          st.mulB[i] = b;
          st.pV[i] = pe.mul(a, b);
          st.accIn[i] = pe.accToBits(inState);
          st.accOut[i] = pe.accToBits(outState);
          acc = outState;
        }
      }
    });
    // the partial sums this fold stores (ws / is, accumulated at the top), for the next row fold of the same outputs
    if (df !== 'os' && !below) {
      for (const c of cols) {
        const col = states.get(c) as Float64Array;
        for (let s = 0; s < slots; s++) stored.set(rules.outElement(mp, f, c, s), ops.psum.roundTrip(col[s * H + f.ru]));
      }
    }
  });
  return priceStreams(g, df, cell.registers, st, gate, macs, zeros);
}

/** Indices of A and B a PE uses in a slot. */
function operandIndex(rules: Mapping['rules'], mp: Mapping, f: Fold, r: number, c: number, s: number): [number, number] {
  switch (rules.name) {
    case 'os':
      return [rules.rowElement(mp, f, r, s), rules.colElement(mp, f, c, s)];
    case 'ws':
      return [rules.rowElement(mp, f, r, s), rules.colElement(mp, f, c, r)];
    case 'is':
      return [rules.colElement(mp, f, c, r), rules.rowElement(mp, f, r, s)];
  }
}

/**
 * The partial sum entering the top of column c in a later row fold: the output's products of
 * every earlier row fold, in order, through the partial-sum store after each fold (as the array
 * and ordered-gemm.ts compute it); memoized per output across folds.
 */
function prefixState(pe: PeKind, ops: GemmOperandsBits, mp: Mapping, f: Fold, c: number, s: number, out: number, stored: Map<number, number>): number {
  const hit = stored.get(out);
  if (hit !== undefined) return hit;
  let state = pe.accZero;
  for (let fr = 0; fr < f.fr; fr++) {
    const g = foldAt(mp, fr, f.fc);
    for (let r = 0; r < g.ru; r++) {
      const [ai, bi] = operandIndex(mp.rules, mp, g, r, c, s);
      state = pe.mac(state, ops.a[ai], ops.b[bi]);
    }
    state = ops.psum.roundTrip(state);
  }
  return state;
}

interface Streams {
  readonly L: number;
  readonly S: number;
  /** operands entering the PE (the encoder input) */
  readonly rawA: Uint32Array;
  readonly rawB: Uint32Array;
  /** multiplier inputs (held while a MAC is skipped) */
  readonly mulA: Uint32Array;
  readonly mulB: Uint32Array;
  /** what the operand registers hold */
  readonly regA: Uint32Array;
  readonly regB: Uint32Array;
  /** product, accumulator input and output (the accumulator / outgoing partial-sum register) */
  readonly pV: Uint32Array;
  readonly accIn: Uint32Array;
  readonly accOut: Uint32Array;
  readonly active: Uint8Array;
  /** the stationary register is loaded (first slot of a fold, ws / is) */
  readonly load: Uint8Array;
  readonly zA: Uint8Array;
  readonly zB: Uint8Array;
  readonly skip: Uint8Array;
}

/** Hamming distance between consecutive values of a lane-major sequence, counted at steps where `when` (or every step). */
function hamming(v: Uint32Array, words: number, L: number, S: number, when?: (i: number) => boolean): number {
  let t = 0;
  for (let l = 0; l < L; l++) {
    for (let s = 1; s < S; s++) {
      const i = l * S + s;
      if (when && !when(i)) continue;
      for (let w = 0; w < words; w++) t += popcount32((v[i * words + w] ^ v[(i - 1) * words + w]) >>> 0);
    }
  }
  return t;
}

function count(v: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i];
  return n;
}

/** Average fanout of the nets a port drives. */
function portFanout(net: GatePe['mul']['net'], port: string): number {
  const nets = net.inputs[port];
  if (!nets || nets.length === 0) return 1;
  let s = 0;
  for (const x of nets) s += net.fanout[x];
  return s / nets.length;
}

/** A lane-major multi-word sequence rebuilt from `src` (words per value) following `pick`'s indices. */
function gather(src: Uint32Array, words: number, idx: Int32Array): Uint32Array {
  const out = new Uint32Array(idx.length * words);
  for (let i = 0; i < idx.length; i++) for (let w = 0; w < words; w++) out[i * words + w] = src[idx[i] * words + w];
  return out;
}

/** For each step, the step whose raw A value a held sequence shows (itself, or the last one taken). */
function heldIndex(L: number, S: number, take: (i: number) => boolean): Int32Array {
  const idx = new Int32Array(L * S);
  for (let l = 0; l < L; l++) {
    let last = l * S;
    for (let s = 0; s < S; s++) {
      const i = l * S + s;
      if (take(i)) last = i;
      idx[i] = last;
    }
  }
  return idx;
}

function priceStreams(g: GatePe, df: Dataflow, regs: Readonly<Record<string, number>>, st: Streams, gate: boolean, macs: number, zeros: number): GateMacEnergy {
  const { L, S } = st;
  const k = g.calibration.energy_scale;
  // EN-T: A through the encoder at the edge; the multiplier and the A register carry its bus
  let mulA = st.mulA, regA = st.regA, aWords = 1, encPj = 0, encodes = 0;
  if (g.enc) {
    const r = evaluateStreams(g.enc.net, { x: st.rawA }, L, S, { outputs: ['d'] });
    const bus = r.outputs.d as Uint32Array;
    aWords = portWords(g.enc.net.outputs.d.length);
    const taken = (i: number) => st.active[i] === 1;
    mulA = gather(bus, aWords, heldIndex(L, S, (i) => taken(i) && !st.skip[i]));
    regA = gather(bus, aWords, heldIndex(L, S, (i) => taken(i) && !(gate && st.zA[i])));
    encodes = count(st.active);
    encPj = encodes > 0 ? (k * toggleEnergy(g.enc.priced, r.toggles)) / encodes : 0;
  }
  const mr = evaluateStreams(g.mul.net, g.enc ? { ad: mulA, b: st.mulB } : { a: mulA, b: st.mulB }, L, S);
  const ar = evaluateStreams(g.acc.net, { acc_in: st.accIn, p: st.pV }, L, S);
  const mulPj = k * toggleEnergy(g.mul.priced, mr.toggles);
  const accPj = k * toggleEnergy(g.acc.priced, ar.toggles);
  // registers: widths from the cell netlist, contents from the streams
  const isOs = df === 'os';
  const aName = isOs ? 'a' : df === 'ws' ? 'x' : 'w';
  const bName = isOs ? 'b' : df === 'ws' ? 'w' : 'x';
  const accName = isOs ? 'acc' : 'p_q';
  const active = count(st.active), skipped = count(st.skip), loads = count(st.load);
  let zeroA = 0, zeroB = 0;
  for (let i = 0; i < st.active.length; i++) {
    if (!st.active[i]) continue;
    zeroA += st.zA[i];
    zeroB += st.zB[i];
  }
  // slots in which a register is clocked
  const clocked = (name: string, zero: number) => (name === 'w' ? loads : active - (gate ? zero : 0));
  const onActive = (i: number) => st.active[i] === 1;
  const onLoad = (i: number) => st.load[i] === 1;
  const wire = (port: string, net = g.mul.net) => wireCapFf(portFanout(net, port) + 1);
  const togA = hamming(regA, aWords, L, S, aName === 'w' ? onLoad : onActive);
  const togB = hamming(st.regB, 1, L, S, bName === 'w' ? onLoad : onActive);
  const togAcc = hamming(st.accOut, 1, L, S, onActive);
  const clkA = (regs[aName] ?? 0) * clocked(aName, zeroA);
  const clkB = (regs[bName] ?? 0) * clocked(bName, zeroB);
  const clkAcc = (regs[accName] ?? 0) * (isOs && gate ? active - skipped : active);
  let regPj = 0;
  regPj += flipFlopPj(togA, clkA, wire(g.enc ? 'ad' : 'a'));
  regPj += flipFlopPj(togB, clkB, wire('b'));
  regPj += flipFlopPj(togAcc, clkAcc, wire('acc_in', g.acc.net));
  // flags (valid, first, last): clocked every active slot, their changes not counted (rare)
  const flagBits = Object.entries(regs).filter(([name]) => name !== aName && name !== bName && name !== accName).reduce((s, [, b]) => s + b, 0);
  const clkFlags = flagBits * active + (gate ? 2 * active : 0);
  regPj += flipFlopPj(0, flagBits * active, wireCapFf(1));
  const mulInToggles = hamming(mulA, aWords, L, S) + hamming(st.mulB, 1, L, S);
  let isoPj = 0;
  if (gate) {
    // the zero flags riding with the two streamed operands, and an AND2 per multiplier input bit
    const flagToggles = hamming(Uint32Array.from(st.zA), 1, L, S, onActive) + hamming(Uint32Array.from(st.zB), 1, L, S, onActive);
    regPj += flipFlopPj(flagToggles, 2 * active, wireCapFf(1));
    isoPj = (mulInToggles * NANGATE45_CELLS.AND.internal_fj) / 1000;
  }
  regPj *= k;
  isoPj *= k;
  const per = (x: number) => (macs > 0 ? x / macs : 0);
  return {
    macs,
    multiplier_pj: per(mulPj),
    accumulator_pj: per(accPj),
    registers_pj: per(regPj),
    isolation_pj: per(isoPj),
    encoder_pj_per_encode: encPj,
    zero_fraction: macs > 0 ? zeros / macs : 0,
    gated_fraction: macs > 0 ? skipped / macs : 0,
    counts: {
      register_toggles: { a: togA, b: togB, acc: togAcc },
      register_clocks: { a: clkA, b: clkB, acc: clkAcc, flags: clkFlags },
      multiplier_input_toggles: mulInToggles,
      transitions: mr.transitions,
    },
  };
}
