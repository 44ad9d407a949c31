/**
 * Calibration of the gate-level energies and areas against Horowitz (ISSCC 2014, 45 nm), done
 * honestly: ONE energy factor and ONE area factor, each fitted on the two integer operators
 * only (8-bit add 0.03 pJ, 8-bit multiply 0.2 pJ; areas 36 and 282 um^2), then the floating-
 * point operators (fp16 and fp32 add and multiply) PREDICTED with those factors and compared
 * with Horowitz's figures; the errors are reported, not fitted away.
 *
 * Why a factor at all: the raw figures are NanGate's typical corner at 1.1 V (Horowitz: 0.9 V),
 * zero-delay (no glitches), with a statistical wire-load model; the factor absorbs the supply
 * (0.67 for V^2 alone), the glitch share of integer arithmetic and the wiring, as one number.
 * Fit: least squares in log space over the two points, k = exp(mean(ln(horowitz / raw))).
 *
 * Operands: integers uniform over all bit patterns (every input bit toggles with probability
 * 1/2); floats standard normal values rounded to the format (exponents spread over a few
 * binades around 1, as trained weights and activations are). 32 streams x 512 steps each,
 * seed 1. Leakage is not part of these figures (Horowitz's are dynamic energies).
 */
import { encodeFloat } from '../../pe/float-codec.ts';
import { FP16, FP32, type FloatFormat } from '../../pe/formats.ts';
import { makeRng, type Rng } from '../../random.ts';
import { HOROWITZ45 } from '../tables/horowitz45.ts';
import { toggleEnergy } from './cells.ts';
import { evaluateStreams } from './evaluate.ts';
import type { ExtraRole, GateLibrary } from './library.ts';

const LANES = 32;
const STEPS = 512;

export interface CalibrationRow {
  readonly operator: string;
  readonly unit: string;
  /** 'fit': used for the factors; 'predict': compared only */
  readonly role: 'fit' | 'predict';
  readonly cells: number;
  readonly raw_pj: number;
  readonly energy_pj: number;
  readonly horowitz_pj: number;
  /** (energy - horowitz) / horowitz, % */
  readonly energy_error_pct: number;
  readonly raw_area_um2: number;
  readonly area_um2: number;
  readonly horowitz_area_um2: number;
  readonly area_error_pct: number;
}

export interface Calibration {
  readonly energy_scale: number;
  readonly area_scale: number;
  readonly rows: readonly CalibrationRow[];
  readonly operands: string;
  readonly reference: string;
  readonly transitions: number;
}

interface Op {
  readonly operator: string;
  readonly role: ExtraRole;
  readonly fit: boolean;
  readonly energy: number;
  readonly area: number;
  /** port name -> value generator */
  readonly ports: Readonly<Record<string, (rng: Rng) => number>>;
}

function point(entry: 'int_add' | 'int_mult', bits: number): { energy: number; area: number } {
  const p = HOROWITZ45.entries[entry]?.points.find((x) => x.bits === bits);
  if (!p || p.area_um2 === undefined) throw new Error(`horowitz45 has no ${bits}-bit ${entry} point`);
  return { energy: p.energy_pj, area: p.area_um2 };
}

function fpoint(entry: 'fp_add' | 'fp_mult', bits: number): { energy: number; area: number } {
  const p = HOROWITZ45.entries[entry]?.points.find((x) => x.bits === bits);
  if (!p || p.area_um2 === undefined) throw new Error(`horowitz45 has no ${bits}-bit ${entry} point`);
  return { energy: p.energy_pj, area: p.area_um2 };
}

const uniform = (bits: number) => (rng: Rng) => Math.floor(rng.next() * 2 ** bits);
const normal = (f: FloatFormat) => (rng: Rng) => encodeFloat(f, rng.normal());

function ops(): Op[] {
  const i8a = point('int_add', 8), i8m = point('int_mult', 8);
  const h16a = fpoint('fp_add', 16), h32a = fpoint('fp_add', 32), h16m = fpoint('fp_mult', 16), h32m = fpoint('fp_mult', 32);
  return [
    { operator: '8-bit integer add', role: 'cal.int8-add', fit: true, ...i8a, ports: { acc_in: uniform(8), p: uniform(8) } },
    { operator: '8-bit integer multiply', role: 'cal.int8-mul', fit: true, ...i8m, ports: { a: uniform(8), b: uniform(8) } },
    { operator: 'fp16 add', role: 'cal.fp16-add', fit: false, ...h16a, ports: { x: normal(FP16), y: normal(FP16) } },
    { operator: 'fp16 multiply', role: 'cal.fp16-mul', fit: false, ...h16m, ports: { a: normal(FP16), b: normal(FP16) } },
    { operator: 'fp32 add', role: 'cal.fp32-add', fit: false, ...h32a, ports: { x: normal(FP32), y: normal(FP32) } },
    { operator: 'fp32 multiply', role: 'cal.fp32-mul', fit: false, ...h32m, ports: { a: normal(FP32), b: normal(FP32) } },
  ];
}

/** Raw energy per operation of a unit on a stream of operands: pJ per step-to-step transition. */
export function rawEnergyPerOp(lib: GateLibrary, unit: string, ports: Readonly<Record<string, (rng: Rng) => number>>, seed = 1): number {
  const net = lib.unit(unit);
  const rng = makeRng(seed);
  const inputs: Record<string, Uint32Array> = {};
  for (const [name, gen] of Object.entries(ports)) {
    const v = new Uint32Array(LANES * STEPS);
    for (let i = 0; i < v.length; i++) v[i] = gen(rng);
    inputs[name] = v;
  }
  const r = evaluateStreams(net, inputs, LANES, STEPS);
  return toggleEnergy(lib.priced(unit), r.toggles) / r.transitions;
}

interface Measured {
  readonly o: Op;
  readonly unit: string;
  readonly cells: number;
  readonly raw: number;
  readonly area: number;
}

const measuredMemo = new WeakMap<GateLibrary, Map<ExtraRole, Measured>>();

function measure(lib: GateLibrary, o: Op): Measured {
  let m = measuredMemo.get(lib);
  if (!m) {
    m = new Map();
    measuredMemo.set(lib, m);
  }
  let r = m.get(o.role);
  if (!r) {
    const unit = lib.extra(o.role);
    const p = lib.priced(unit);
    r = { o, unit, cells: p.cells, raw: rawEnergyPerOp(lib, unit, o.ports), area: p.area_um2 };
    m.set(o.role, r);
  }
  return r;
}

/** The factors of a run: as stored with the netlists, else computed (calibrationFactors). */
export function libraryFactors(lib: GateLibrary): { energy_scale: number; area_scale: number } {
  return lib.calibration ?? calibrationFactors(lib);
}

/** The two factors alone, computed (fitted on the integer units). */
export function calibrationFactors(lib: GateLibrary): { energy_scale: number; area_scale: number } {
  const fit = ops().filter((o) => o.fit).map((o) => measure(lib, o));
  const logMean = (f: (m: Measured) => number) => Math.exp(fit.reduce((s, m) => s + Math.log(f(m)), 0) / fit.length);
  return { energy_scale: logMean((m) => m.o.energy / m.raw), area_scale: logMean((m) => m.o.area / m.area) };
}

/** The factors and the whole table: fitted rows and predicted rows with their errors. */
export function calibrate(lib: GateLibrary): Calibration {
  const { energy_scale: energyScale, area_scale: areaScale } = calibrationFactors(lib);
  const rows: CalibrationRow[] = ops().map((o) => {
    const m = measure(lib, o);
    const e = energyScale * m.raw, a = areaScale * m.area;
    return {
      operator: o.operator, unit: m.unit, role: o.fit ? 'fit' : 'predict', cells: m.cells,
      raw_pj: m.raw, energy_pj: e, horowitz_pj: o.energy, energy_error_pct: (100 * (e - o.energy)) / o.energy,
      raw_area_um2: m.area, area_um2: a, horowitz_area_um2: o.area, area_error_pct: (100 * (a - o.area)) / o.area,
    };
  });
  return {
    energy_scale: energyScale,
    area_scale: areaScale,
    rows,
    operands: `integers uniform over all bit patterns, floats N(0,1) rounded to the format; ${LANES} streams x ${STEPS} steps, seed 1`,
    reference: 'M. Horowitz, "Computing\'s energy problem (and what we can do about it)", ISSCC 2014 (sim/cost/tables/horowitz45.ts)',
    transitions: LANES * (STEPS - 1),
  };
}
