/**
 * Co-simulation of the systolic array: a GEMM runs through the Verilator model of the RTL
 * (controller, skew registers, PE grid, memories) and through bitweave's per-cycle reference
 * engine (sim/array/reference-engine.ts) with the RTL's accumulation structure (top or below).
 * Compared: every output and partial-sum write (its cycle, its address and its bits), the
 * final outputs, and the total cycle count (which the reference engine measures fold by fold).
 */
import type { Dataflow } from '../../sim/arch/schema.ts';
import { psumStore } from '../../sim/array/psum.ts';
import { referenceEngine } from '../../sim/array/reference-engine.ts';
import { isValidBits } from '../../sim/pe/codec.ts';
import type { PeKind } from '../../sim/pe/types.ts';
import { makeRng, type Rng } from '../../sim/random.ts';
import { gemmLayer, gemmView } from '../../sim/workload/layer.ts';
import { mapGemm } from '../../sim/dataflows/mapping.ts';
import { buildArrayRtl, type Accumulate, type ArrayRtl } from '../gen/array.ts';
import { buildModel, runModel, type BuiltModel } from './verilator.ts';

export interface GemmShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

export interface WriteEvent {
  readonly cycle: number;
  readonly index: number;
  readonly bits: number;
}

export interface GemmCheckResult {
  readonly shape: GemmShape;
  readonly writes: number;
  /** writes whose cycle, address or bits differ (compared in order of cycle, then address) */
  readonly writeMismatches: number;
  readonly outputMismatches: number;
  readonly rtlCycles: number;
  readonly referenceCycles: number;
  /** first and last write cycle of each fold, RTL and reference */
  readonly folds: { readonly first: number; readonly last: number; readonly refFirst: number; readonly refLast: number }[];
  readonly examples: string[];
}

/** Operand bit patterns: mostly quantized normal values, some raw patterns (specials included). */
function operand(pe: PeKind, weight: boolean, rng: Rng): number {
  const f = weight ? pe.weight : pe.input;
  if (rng.next() < 0.1) {
    for (;;) {
      const bits = rng.int(2 ** f.bits);
      if (isValidBits(f, bits)) return bits;
    }
  }
  const x = rng.normal() * (f.kind === 'int' ? 40 : 1.5);
  return weight ? pe.quantizeWeight(x) : pe.quantizeInput(x);
}

export function randomOperands(pe: PeKind, s: GemmShape, seed: number): { a: Float64Array; b: Float64Array } {
  const rng = makeRng(seed);
  const a = new Float64Array(s.m * s.k), b = new Float64Array(s.k * s.n);
  for (let i = 0; i < a.length; i++) a[i] = operand(pe, false, rng);
  for (let i = 0; i < b.length; i++) b[i] = operand(pe, true, rng);
  return { a, b };
}

/**
 * The reference engine's writes and outputs for the same GEMM on the same array, with the
 * RTL's accumulation structure unless another is asked for.
 */
export function referenceRun(rtl: ArrayRtl, s: GemmShape, a: Float64Array, b: Float64Array, accumulate: Accumulate = rtl.accumulate) {
  const pe = rtl.pe.pe;
  const layer = gemmLayer('rtl', s.m, s.n, s.k);
  const mapping = mapGemm(gemmView(layer), rtl.rows, rtl.cols, rtl.dataflow);
  const writes: WriteEvent[] = [];
  const res = referenceEngine({
    layer, mapping, operands: { pe, psum: psumStore(pe), a, b, accumulate },
    onWrite: (cycle, index, bits) => writes.push({ cycle, index, bits: bits ?? 0 }),
  });
  return { writes, out: res.out as Float64Array, cycles: res.computeCycles, foldCycles: Array.from(res.foldCycles) };
}

export function arrayRtlWith(pe: string, dataflow: Dataflow, rows: number, cols: number, accumulate: Accumulate): ArrayRtl {
  return buildArrayRtl({ pe, dataflow, rows, cols, accumulate });
}

export function buildArrayModel(rtl: ArrayRtl): BuiltModel {
  return buildModel({ verilog: rtl.verilog, top: rtl.top, harness: 'gemm' });
}

/** Runs one GEMM on the RTL: its writes and its cycle count. */
export function rtlRun(rtl: ArrayRtl, model: BuiltModel, s: GemmShape, a: Float64Array, b: Float64Array, maxCycles: number) {
  const header = [rtl.outputs, rtl.widths.addr, rtl.widths.psum, s.m, s.n, s.k, maxCycles];
  const words = new Uint32Array(header.length + a.length + b.length);
  words.set(header, 0);
  words.set(a, header.length);
  words.set(b, header.length + a.length);
  const raw = runModel(model.exe, new Uint8Array(words.buffer));
  const rec = new Uint32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  const writes: WriteEvent[] = [];
  let cycles = -1;
  for (let i = 0; i + 2 < rec.length; i += 3) {
    if (rec[i] === 0xffffffff) cycles = rec[i + 1];
    else writes.push({ cycle: rec[i], index: rec[i + 1], bits: rec[i + 2] });
  }
  return { writes, cycles };
}

function order(w: WriteEvent[]): WriteEvent[] {
  return [...w].sort((x, y) => x.cycle - y.cycle || x.index - y.index);
}

function foldSpans(writes: WriteEvent[], foldCycles: number[]): { first: number; last: number }[] {
  const spans: { first: number; last: number }[] = [];
  let base = 0;
  for (const len of foldCycles) {
    const inFold = writes.filter((w) => w.cycle >= base && w.cycle < base + len).map((w) => w.cycle);
    spans.push({ first: inFold.length ? Math.min(...inFold) : -1, last: inFold.length ? Math.max(...inFold) : -1 });
    base += len;
  }
  return spans;
}

export function checkGemm(rtl: ArrayRtl, model: BuiltModel, s: GemmShape, seed: number): GemmCheckResult {
  const { a, b } = randomOperands(rtl.pe.pe, s, seed);
  const ref = referenceRun(rtl, s, a, b);
  const got = rtlRun(rtl, model, s, a, b, ref.cycles * 2 + 100);
  const rw = order(ref.writes), gw = order(got.writes);
  const examples: string[] = [];
  const hex = (x: number) => '0x' + (x >>> 0).toString(16);
  const key = (w: WriteEvent) => `${w.cycle}:${w.index}`;
  const rtlAt = new Map(gw.map((w) => [key(w), w]));
  const refAt = new Map(rw.map((w) => [key(w), w]));
  let writeMismatches = 0;
  const note = (text: string) => {
    writeMismatches++;
    if (examples.length < 5) examples.push(text);
  };
  for (const x of rw) {
    const y = rtlAt.get(key(x));
    if (!y) {
      const when = gw.filter((w) => w.index === x.index).map((w) => w.cycle);
      note(`reference writes out[${x.index}] = ${hex(x.bits)} in cycle ${x.cycle}; RTL writes it in cycles [${when.join(', ')}]`);
    } else if (y.bits >>> 0 !== x.bits >>> 0) {
      note(`cycle ${x.cycle} out[${x.index}]: RTL ${hex(y.bits)}, reference ${hex(x.bits)}`);
    }
  }
  for (const y of gw) if (!refAt.has(key(y))) note(`RTL writes out[${y.index}] = ${hex(y.bits)} in cycle ${y.cycle}; the reference does not`);
  // the final outputs: the last write of every output index
  const last = new Map<number, number>();
  for (const w of gw) last.set(w.index, w.bits);
  let outputMismatches = 0;
  for (let i = 0; i < ref.out.length; i++) {
    if (last.get(i) !== ref.out[i] >>> 0) {
      outputMismatches++;
      if (examples.length < 8) examples.push(`output ${i}: RTL ${last.has(i) ? '0x' + last.get(i)!.toString(16) : 'never written'}, reference 0x${(ref.out[i] >>> 0).toString(16)}`);
    }
  }
  const rs = foldSpans(rw, ref.foldCycles), gs = foldSpans(gw, ref.foldCycles);
  return {
    shape: s, writes: rw.length, writeMismatches, outputMismatches, rtlCycles: got.cycles, referenceCycles: ref.cycles,
    folds: rs.map((r, i) => ({ first: gs[i].first, last: gs[i].last, refFirst: r.first, refLast: r.last })),
    examples,
  };
}

/** Random GEMM shapes that exercise several folds, partial folds and K < R. */
export function randomShapes(rows: number, cols: number, count: number, seed: number): GemmShape[] {
  const rng = makeRng(seed);
  const shapes: GemmShape[] = [];
  for (let i = 0; i < count; i++) {
    shapes.push({ m: 1 + rng.int(2 * rows + 3), n: 1 + rng.int(2 * cols + 3), k: 1 + rng.int(2 * rows + 5) });
  }
  return shapes;
}

export function arrayRtl(pe: string, dataflow: Dataflow, rows: number, cols: number): ArrayRtl {
  return buildArrayRtl({ pe, dataflow, rows, cols });
}
