/**
 * Co-simulation of one PE design: operand pairs and accumulator states go through the
 * Verilator model of the RTL and through bitweave's PE (sim/pe: `mul`, and `mac` between
 * `accFromBits` / `accToBits`), and every output bit is compared.
 *
 * Vectors: every valid operand pair where there are at most 2^16 (all 8-bit kinds:
 * exhaustive), otherwise every pair of corner values (zeros, subnormals, min normal, one,
 * mantissa all-ones, max, Inf, NaN, both signs) plus seeded random pairs (half uniform bit
 * patterns, half with exponents near the bias so products are normal and rounded).
 * Accumulator inputs: +0 (the first MAC), uniform patterns, the product negated and moved a
 * few ulps (cancellation), the product scaled by a power of two (alignment, sticky bits),
 * and the corner values.
 */
import { isValidBits } from '../../sim/pe/codec.ts';
import type { FloatFormat, NumberFormat } from '../../sim/pe/formats.ts';
import { makeRng, type Rng } from '../../sim/random.ts';
import { xnorDot } from '../../sim/pe/xnor.ts';
import { buildPeRtl, type PeRtl, type RtlTarget } from '../gen/pe.ts';
import { buildModel, runModel } from './verilator.ts';

export interface Vectors {
  readonly a: Uint32Array;
  readonly b: Uint32Array;
  readonly acc: Uint32Array;
  readonly exhaustive: boolean;
}

export interface Mismatch {
  readonly a: number;
  readonly b: number;
  readonly accIn: number;
  readonly expectP: number;
  readonly gotP: number;
  readonly expectAcc: number;
  readonly gotAcc: number;
}

export interface PeCheckResult {
  readonly key: string;
  readonly vectors: number;
  readonly exhaustive: boolean;
  readonly productMismatches: number;
  readonly accMismatches: number;
  readonly examples: Mismatch[];
  readonly buildSeconds: number;
  readonly simSeconds: number;
}

/** Magnitude codes worth testing in a float format (both signs are added by the caller). */
export function floatCorners(f: FloatFormat): number[] {
  const unit = 2 ** f.manBits;
  const one = f.bias * unit;
  const mags = [
    0, 1, 2, unit - 1, unit, unit + 1, 2 * unit - 1, one - 1, one, one + 1, one + unit - 1, one + unit / 2,
    one + unit, f.maxFiniteCode - 1, f.maxFiniteCode, Math.floor(f.maxFiniteCode / 2), (f.bias + 1) * unit - 1,
  ];
  if (f.infCode !== undefined && f.nanCode !== undefined) mags.push(f.infCode, f.infCode + 1, f.nanCode, f.infCode + unit - 1);
  else if (f.specials === 'fn') mags.push(f.maxFiniteCode + 1);
  const out = new Set<number>();
  for (const m of mags) {
    if (m < 0 || m >= f.signBit) continue;
    out.add(m);
    out.add(m + f.signBit);
  }
  if (f.specials === 'fnuz') out.add(f.signBit);
  return [...out].filter((c) => c < 2 ** f.bits).sort((x, y) => x - y);
}

function intCorners(bits: number): number[] {
  const span = 2 ** bits;
  const vals = [0, 1, 2, 3, -1, -2, -3, 2 ** (bits - 1) - 1, 2 ** (bits - 1) - 2, -(2 ** (bits - 1)), -(2 ** (bits - 1)) + 1];
  return [...new Set(vals.map((v) => ((v % span) + span) % span))];
}

function corners(f: NumberFormat): number[] {
  switch (f.kind) {
    case 'float': return floatCorners(f);
    case 'int': return intCorners(f.bits);
    case 'ternary': return [0, 1, 3];
    case 'binary': return [0, 1];
    case 'exp':
    case 'block': throw new Error(`no RTL corner patterns for ${f.name}: block PE kinds have no RTL`);
  }
}

function randomPattern(f: NumberFormat, rng: Rng): number {
  for (;;) {
    let bits: number;
    if (f.kind === 'float' && rng.next() < 0.5) {
      // exponent within +-(2^(e-2)) of the bias: products land in the normal range and round
      const spread = Math.max(1, 2 ** (f.expBits - 2));
      const ef = Math.max(0, Math.min(2 ** f.expBits - 1, f.bias + rng.int(2 * spread + 1) - spread));
      bits = (rng.next() < 0.5 ? f.signBit : 0) + ef * 2 ** f.manBits + rng.int(2 ** f.manBits);
    } else {
      bits = f.bits === 32 ? Math.floor(rng.next() * 2 ** 32) : rng.int(2 ** f.bits);
    }
    if (isValidBits(f, bits)) return bits;
  }
}

/** The operand format of a popcount unit: W packed sign bits. */
function operandFormats(rtl: PeRtl): [NumberFormat, NumberFormat] | 'words' {
  return rtl.key.startsWith('xnor-popcount') ? 'words' : [rtl.pe.input, rtl.pe.weight];
}

/** Operand pairs: exhaustive when there are at most 2^16, else corners x corners + `random`. */
export function operandPairs(rtl: PeRtl, random: number, seed: number): { a: Uint32Array; b: Uint32Array; exhaustive: boolean } {
  const fm = operandFormats(rtl);
  const rng = makeRng(seed);
  const wa = rtl.widths.a, wb = rtl.widths.b;
  const a: number[] = [], b: number[] = [];
  if (wa + wb <= 16) {
    for (let x = 0; x < 2 ** wa; x++) {
      for (let y = 0; y < 2 ** wb; y++) {
        if (fm !== 'words' && (!isValidBits(fm[0], x) || !isValidBits(fm[1], y))) continue;
        a.push(x); b.push(y);
      }
    }
    return { a: Uint32Array.from(a), b: Uint32Array.from(b), exhaustive: true };
  }
  if (fm === 'words') {
    const w = wa;
    const cs = [0, 2 ** w - 1, 1, 2 ** (w - 1), 0x55555555 % 2 ** w, 0xaaaaaaaa % 2 ** w];
    for (const x of cs) for (const y of cs) { a.push(x); b.push(y); }
    for (let i = 0; i < random; i++) {
      a.push(Math.floor(rng.next() * 2 ** w));
      b.push(Math.floor(rng.next() * 2 ** w));
    }
  } else {
    const ca = corners(fm[0]), cb = corners(fm[1]);
    for (const x of ca) for (const y of cb) { a.push(x); b.push(y); }
    for (let i = 0; i < random; i++) {
      a.push(randomPattern(fm[0], rng));
      b.push(randomPattern(fm[1], rng));
    }
  }
  return { a: Uint32Array.from(a), b: Uint32Array.from(b), exhaustive: false };
}

/** What bitweave says for one vector: [product bits, accumulator bits after acc_in + product]. */
export type Reference = (a: number, b: number, accIn: number) => [number, number];

export function referenceOf(rtl: PeRtl): Reference {
  const pe = rtl.pe;
  const pMask = 2 ** rtl.widths.p;
  if (rtl.key.startsWith('xnor-popcount')) {
    const w = rtl.widths.a;
    const wa = new Uint32Array(1), wb = new Uint32Array(1);
    return (a, b, accIn) => {
      wa[0] = a; wb[0] = b;
      const dot = xnorDot(wa, 0, wb, 0, w);
      return [((dot % pMask) + pMask) % pMask, pe.accToBits(pe.addAcc(pe.accFromBits(accIn), dot))];
    };
  }
  return (a, b, accIn) => [pe.mul(a, b), pe.accToBits(pe.mac(pe.accFromBits(accIn), a, b))];
}

/** Accumulator inputs (partial-sum format patterns), one per operand pair. */
export function accInputs(rtl: PeRtl, a: Uint32Array, b: Uint32Array, seed: number, ref: Reference): Uint32Array {
  const f = rtl.pe.acc;
  const rng = makeRng(seed ^ 0x5bd1e995);
  const out = new Uint32Array(a.length);
  const cs = corners(f);
  const span = 2 ** f.bits;
  const clampCode = (v: number) => Math.max(0, Math.min(span - 1, v));
  const zero = rtl.pe.accToBits(rtl.pe.accZero);
  for (let i = 0; i < a.length; i++) {
    const r = rng.next();
    if (r < 0.2) out[i] = zero;
    else if (r < 0.4) out[i] = Math.floor(rng.next() * span);
    else if (r < 0.5) out[i] = cs[rng.int(cs.length)];
    else {
      const p = ref(a[i], b[i], zero)[1]; // the product as an accumulator pattern
      if (f.kind === 'float') {
        const sign = p >= f.signBit ? f.signBit : 0;
        const mag = p - sign;
        if (r < 0.75) {
          // -p moved by a few ulps: cancellation
          out[i] = (sign ^ f.signBit) + clampCode(mag + rng.int(7) - 3) % f.signBit;
        } else {
          // p scaled by 2^k: alignment shifts across the guard, round and sticky bits
          const k = rng.int(61) - 30;
          out[i] = (rng.next() < 0.5 ? sign : sign ^ f.signBit) + (clampCode(mag + k * 2 ** f.manBits) % f.signBit);
        }
      } else {
        const v = p >= span / 2 ? p - span : p;
        const near = r < 0.75 ? -v + rng.int(7) - 3 : (rng.next() < 0.5 ? 1 : -1) * (span / 2 - 1 - rng.int(64));
        out[i] = ((near % span) + span) % span;
      }
    }
  }
  return out;
}

export function makeVectors(rtl: PeRtl, random: number, seed: number): Vectors {
  const { a, b, exhaustive } = operandPairs(rtl, random, seed);
  const acc = accInputs(rtl, a, b, seed, referenceOf(rtl));
  return { a, b, acc, exhaustive };
}

/** Verilog text of a design with its check top (what the model is built from). */
export function checkVerilog(rtl: PeRtl): string {
  return rtl.modules.text();
}

/** Runs the vectors through the RTL and bitweave; counts and shows mismatches. */
export function coSimulate(rtl: PeRtl, v: Vectors, verilog = checkVerilog(rtl)): PeCheckResult {
  const built = buildModel({ verilog, top: rtl.check, harness: 'pe' });
  const n = v.a.length;
  const input = new Uint32Array(3 * n);
  for (let i = 0; i < n; i++) {
    input[3 * i] = v.a[i];
    input[3 * i + 1] = v.b[i];
    input[3 * i + 2] = v.acc[i];
  }
  const t0 = performance.now();
  const raw = runModel(built.exe, new Uint8Array(input.buffer));
  const simSeconds = (performance.now() - t0) / 1000;
  if (raw.length !== 8 * n) throw new Error(`model returned ${raw.length} bytes for ${n} vectors`);
  const got = new Uint32Array(raw.buffer, raw.byteOffset, 2 * n);
  const { pm, am, examples } = compareWithBitweave(rtl, v, (i) => got[2 * i], (i) => got[2 * i + 1]);
  return {
    key: rtl.key, vectors: n, exhaustive: v.exhaustive, productMismatches: pm, accMismatches: am, examples,
    buildSeconds: built.buildSeconds, simSeconds,
  };
}

/**
 * Products and accumulator results of some other implementation (the RTL under Verilator, the
 * gate netlists) against bitweave's, vector by vector; `gotAcc` absent: products only.
 */
export function compareWithBitweave(
  rtl: PeRtl, v: Vectors, gotP: (i: number) => number, gotAcc?: (i: number) => number,
): { pm: number; am: number; examples: Mismatch[] } {
  const ref = referenceOf(rtl);
  const pMask = rtl.widths.p >= 32 ? 0xffffffff : 2 ** rtl.widths.p - 1;
  const aMask = rtl.widths.psum >= 32 ? 0xffffffff : 2 ** rtl.widths.psum - 1;
  let pm = 0, am = 0;
  const examples: Mismatch[] = [];
  for (let i = 0; i < v.a.length; i++) {
    const [ep, ea] = ref(v.a[i], v.b[i], v.acc[i]);
    const gp = (gotP(i) & pMask) >>> 0, ga = gotAcc ? (gotAcc(i) & aMask) >>> 0 : (ea & aMask) >>> 0;
    const badP = gp !== (ep & pMask) >>> 0, badA = ga !== (ea & aMask) >>> 0;
    if (badP) pm++;
    if (badA) am++;
    if ((badP || badA) && examples.length < 10) {
      examples.push({ a: v.a[i], b: v.b[i], accIn: v.acc[i], expectP: ep, gotP: gp, expectAcc: ea, gotAcc: ga });
    }
  }
  return { pm, am, examples };
}

/** Builds the design of a catalogue target and co-simulates `random` (+ corner) vectors. */
export function checkTarget(t: RtlTarget, random: number, seed = 1): PeCheckResult {
  const rtl = buildPeRtl(t);
  return coSimulate(rtl, makeVectors(rtl, random, seed));
}

const hex = (x: number) => '0x' + (x >>> 0).toString(16);

export function describeMismatch(m: Mismatch): string {
  return `a=${hex(m.a)} b=${hex(m.b)} acc_in=${hex(m.accIn)}: product ${hex(m.gotP)} (bitweave ${hex(m.expectP)}), acc ${hex(m.gotAcc)} (bitweave ${hex(m.expectAcc)})`;
}
