/**
 * Energy and area of a run: a pure function of a SimResult's counts, the arch config (SRAM
 * sizes and banks, DRAM type) and a technology. Nothing here is a constant: per-action
 * energies come from sim/cost/technology.ts and pe-cost.ts, DRAM from tables/dram.ts.
 *
 * Energy of a layer (pJ):
 *   compute    operations x (multiplier + accumulator)
 *              + accumulation 'below' (ws / is): one add in the accumulator format per partial
 *                sum merged under the array (one per partial-sum read, sram.ofmap_reads)
 *              + EN-T: encodes x row encoder, one encode per element of the broadcast operand
 *                entering a row (its SRAM reads: os/ws ifmap, is filter; see pe-cost.ts)
 *   registers  operations x the pipeline registers the operands/partial sums hop through
 *              (dataflow; EN-T's broadcast register is wider)
 *   (operations = MACs, or under MST reuse the reuse schedule's operations, LayerResult.reuse)
 *   sram       per buffer: array-side reads/writes (the SimResult's SRAM counts, one word each)
 *              + the fills from DRAM (DRAM read bytes / word, as SRAM writes)
 *              + the drains to DRAM (ofmap DRAM write bytes / word, as SRAM reads)
 *   dram       bytes moved x 8 x pJ/bit of the DRAM type
 *   leakage    cycles (stalls included) x leakage of the whole area per cycle
 *   vector     (totals only) the vector unit's element-operations x an fp32 multiply-add,
 *              plus leakage over its cycles
 * Idle PEs are assumed clock-gated: they leak but do not switch.
 *
 * Area (um^2): PE array (rows x cols x PE), SRAM per buffer (one unified scratchpad counts once,
 * under `unified`), other = the skew/deskew registers at the array edges (a triangle of
 * registers per edge), EN-T's row encoders (one per row) and, with accumulation 'below' in
 * ws / is, one accumulator adder under each column.
 *
 * Reuse effect (`reuse_effect` on each layer and the totals, when the run used reuse): the same
 * figures without reuse beside the run's, and what reuse saved (negative: what it cost).
 *   EN-T  the same counts costed with the plain PE (its own encoder, narrow registers);
 *   MST   the layer's counts without reuse (LayerResult.reuse.direct) with the same PE.
 *         MST's extra control (difference-list decoding, the activation gather) is not in the
 *         area model: its area effect is 0 here.
 */
import { InputError, unknownName } from '../errors.ts';
import type { ArchConfig, Dataflow } from '../arch/schema.ts';
import { dataflowRules } from '../dataflows/index.ts';
import { getPe } from '../pe/registry.ts';
import type { PeKind } from '../pe/types.ts';
import type { LayerResult, SimResult, SimTotals } from '../result.ts';
import { accumulatorPart, broadcastOperand, encodedBits, peCost, type PeCost } from './pe-cost.ts';
import { ENT_STRUCTURE } from './tables/structure.ts';
import { DRAM_TYPES, dramTypeNames } from './tables/dram.ts';
import { makeTechnology, type TechOptions, type Technology, type UsedEntry } from './technology.ts';
import { gateEncoders, gatePeCost, gateRegisterArea, type GateCostInput, type OperandSource } from './gates/gate-cost.ts';
import { gatePeArea } from './gates/pe-gates.ts';
import { NANGATE45_SOURCE } from './tables/nangate45.ts';

export interface SramEnergy {
  ifmap: number;
  filter: number;
  ofmap: number;
  total: number;
}

export interface EnergyBreakdown {
  total: number;
  compute: number;
  registers: number;
  sram: SramEnergy;
  dram: number;
  /** the vector unit's element-operations (0 for array layers; all of it in the totals) */
  vector: number;
  leakage: number;
}

export interface AreaBreakdown {
  total: number;
  pe_array: number;
  /** per buffer; a unified scratchpad is reported under `unified` (and the others are 0) */
  sram: { ifmap: number; filter: number; ofmap: number; unified: number; total: number };
  other: number;
}

export interface DerivedFigures {
  pj_per_mac: number;
  /** 2 ops per MAC */
  tops_per_w: number;
  tops_per_mm2: number;
  latency_s: number;
  power_mw: number;
  /** energy-delay product, J x s */
  edp_j_s: number;
}

export interface CostInfo {
  technology: string;
  description: string;
  node_nm: number;
  vdd: number;
  dram_type: string;
  dram_pj_per_bit: number;
  /** the arch's DRAM bandwidth (bytes per cycle), for rooflines */
  dram_bandwidth_bytes_per_cycle: number;
  pe: {
    name: string;
    /** computation reuse of the PE: 'ent' or 'none' */
    reuse: string;
    mac_pj: number;
    register_pj_per_mac: number;
    area_um2: number;
    parts: { name: string; energy_pj: number; area_um2: number; derivation: string }[];
    /** EN-T: one Booth encoder per array row, on the operand that streams along the rows */
    row_encoder?: { operand: 'input' | 'weight'; rows: number; energy_pj_per_encode: number; area_um2_each: number; register_bits: number };
  };
  sram_fit: { a: number; b: number; word_bits: number; formula: string };
  leakage_pj_per_cycle: number;
  sources: UsedEntry[];
}

/** Figures a reuse scheme changes. */
export interface ReuseFigures {
  energy_pj: number;
  cycles: number;
  dram_bytes: number;
  area_um2: number;
}

/** What a reuse scheme did: the figures without it, with it, and saved (without - with). */
export interface ReuseEffect {
  kind: 'ent' | 'mst';
  without: ReuseFigures;
  with: ReuseFigures;
  saved: ReuseFigures;
  /** saved / without, per figure (0 where without is 0) */
  saved_fraction: ReuseFigures;
}

export interface LayerCost {
  name: string;
  energy_pj: EnergyBreakdown;
  derived: DerivedFigures;
  reuse_effect?: ReuseEffect;
  energy_model?: LayerEnergyModel;
}

export interface RunCost {
  cost: CostInfo;
  totals: { energy_pj: EnergyBreakdown; area_um2: AreaBreakdown; derived: DerivedFigures; reuse_effect?: ReuseEffect };
  layers: LayerCost[];
}

export interface CostOptions extends TechOptions {
  /** overrides the arch's dram.type */
  readonly dram_type?: string;
  /** the PE (with its options); default: getPe(result.arch.pe, { acc: arch.acc }) */
  readonly pe?: PeKind;
  /** technology gates45: the PE's gate model and per-layer value-aware energies (sim/cost/gates/) */
  readonly gates?: GateCostInput;
}

/** How a layer's PE energy was obtained under gates45, beside the table-based figure. */
export interface LayerEnergyModel {
  /** 'gates45' */
  used: string;
  source: OperandSource;
  description: string;
  macs_evaluated: number;
  per_mac_pj: { multiplier: number; accumulator: number; registers: number; isolation: number };
  encoder_pj_per_encode: number;
  zero_fraction: number;
  gated_fraction: number;
  /** the same layer's compute and register energy from the operator table (horowitz45) */
  table: { technology: string; compute: number; registers: number };
}

/** A SimResult with the cost fields attached (what `withCost` returns). */
export type CostedLayer = LayerResult & { energy_pj: EnergyBreakdown; area_um2: AreaBreakdown; derived: DerivedFigures; reuse_effect?: ReuseEffect; energy_model?: LayerEnergyModel };
export type CostedTotals = SimTotals & { energy_pj: EnergyBreakdown; area_um2: AreaBreakdown; derived: DerivedFigures; reuse_effect?: ReuseEffect };
export type CostedSimResult = Omit<SimResult, 'totals' | 'layers'> & { cost: CostInfo; totals: CostedTotals; layers: CostedLayer[] };

export function dramPjPerBit(type: string): number {
  const e = DRAM_TYPES[type.trim().toLowerCase()];
  if (!e) throw unknownName('DRAM type', type, dramTypeNames());
  return e.value;
}

function sramKb(arch: ArchConfig): { ifmap: number; filter: number; ofmap: number; unified: boolean } {
  const s = arch.sram;
  if (s.unified_kb !== undefined) return { ifmap: s.unified_kb, filter: s.unified_kb, ofmap: s.unified_kb, unified: true };
  if (s.ifmap_kb === undefined || s.filter_kb === undefined || s.ofmap_kb === undefined) {
    throw new InputError('arch sram: needs ifmap_kb, filter_kb and ofmap_kb (or unified_kb) for the cost model');
  }
  return { ifmap: s.ifmap_kb, filter: s.filter_kb, ofmap: s.ofmap_kb, unified: false };
}

function derive(energyPj: number, macs: number, cycles: number, clockMhz: number, areaUm2: number): DerivedFigures {
  const latency = cycles / (clockMhz * 1e6);
  const ops = 2 * macs;
  return {
    pj_per_mac: macs > 0 ? energyPj / macs : 0,
    tops_per_w: energyPj > 0 ? ops / energyPj : 0,
    tops_per_mm2: latency > 0 && areaUm2 > 0 ? ops / latency / 1e12 / (areaUm2 / 1e6) : 0,
    latency_s: latency,
    power_mw: latency > 0 ? (energyPj * 1e-12) / latency * 1e3 : 0,
    edp_j_s: energyPj * 1e-12 * latency,
  };
}

function areaOf(arch: ArchConfig, R: number, C: number, pc: PeCost, pe: PeKind, dataflow: Dataflow, tech: Technology, below: boolean, gates?: GateCostInput): AreaBreakdown {
  const kb = sramKb(arch);
  const banks = arch.sram.banks;
  const sram = kb.unified
    ? { ifmap: 0, filter: 0, ofmap: 0, unified: tech.sramArea(kb.ifmap, banks), total: 0 }
    : { ifmap: tech.sramArea(kb.ifmap, banks), filter: tech.sramArea(kb.filter, banks), ofmap: tech.sramArea(kb.ofmap, banks), unified: 0, total: 0 };
  sram.total = sram.ifmap + sram.filter + sram.ofmap + sram.unified;
  const peArray = R * C * pc.area_um2.total;
  // skew registers: row i of an edge waits i cycles -> R(R-1)/2 words on the row edge,
  // C(C-1)/2 on the column edge; which value sits on which edge is the dataflow's (`skewed`)
  const bitsOf = { input: pe.input.bits, weight: pe.weight.bits, acc: pe.acc.bits };
  const { skewed } = dataflowRules(dataflow);
  const rowBits = bitsOf[skewed.row];
  const colBits = bitsOf[skewed.col];
  const regArea = (bits: number) => (gates ? gateRegisterArea(gates.pe, bits) : tech.register(bits).area_um2);
  const skew = regArea((R * (R - 1)) / 2 * rowBits) + regArea((C * (C - 1)) / 2 * colBits);
  // EN-T: one encoder per row, at the row's entry after the skew registers (which stay narrow);
  // the RTL the gates come from encodes A at its edge: per row (os, ws) or per column (is)
  const nEnc = gates ? gateEncoders(dataflow, R, C) : R;
  const encoders = pc.row_encoder ? nEnc * pc.row_encoder.area_um2 : 0;
  // the adder under each column (accumulate below): the accumulator's (gates: its netlist's area)
  const belowAdders = below ? C * (gates ? pc.accumulate.area_um2 : accumulatorPart(pe.acc, tech).area_um2) : 0;
  const other = skew + encoders + belowAdders;
  return { total: peArray + sram.total + other, pe_array: peArray, sram, other };
}

function dramBytes(d: LayerResult['dram']): number {
  return d.ifmap_read_bytes + d.filter_read_bytes + d.ofmap_read_bytes + d.ofmap_write_bytes;
}

function figures(energy: number, cycles: number, dram: number, area: number): ReuseFigures {
  return { energy_pj: energy, cycles, dram_bytes: dram, area_um2: area };
}

function effect(kind: ReuseEffect['kind'], without: ReuseFigures, withR: ReuseFigures): ReuseEffect {
  const keys = ['energy_pj', 'cycles', 'dram_bytes', 'area_um2'] as const;
  const saved = figures(0, 0, 0, 0), frac = figures(0, 0, 0, 0);
  for (const k of keys) {
    saved[k] = without[k] - withR[k];
    frac[k] = without[k] !== 0 ? saved[k] / without[k] : 0;
  }
  return { kind, without, with: withR, saved, saved_fraction: frac };
}

/** The PE a result ran with: the given one (checked) or the registry's, EN-T where the run used it. */
function peOfResult(result: SimResult, arch: ArchConfig, given: PeKind | undefined): PeKind {
  const pe = given ?? getPe(result.arch.pe, {
    ...(arch.acc !== undefined && { acc: arch.acc }), ...(result.arch.reuse === 'ent' && { reuse: 'ent' as const }),
  });
  if (pe.name !== result.arch.pe) {
    throw new InputError(`the PE given to the cost model (${pe.name}) is not the run's (${result.arch.pe})`);
  }
  if ((pe.reuse === 'ent') !== (result.arch.reuse === 'ent')) {
    throw new InputError(`the PE given to the cost model (${pe.name}, reuse ${pe.reuse}) does not match the run's reuse (${result.arch.reuse ?? 'none'})`);
  }
  return pe;
}

/** gates45 takes its PE from the netlists: the gate input and the technology go together. */
function checkGates(tech: Technology, gates: GateCostInput | undefined, result: SimResult): void {
  if (tech.name === 'gates45' && gates === undefined) {
    throw new InputError('technology gates45 prices the PE from its netlists: the gate model and per-layer energies are needed (bitweave run, sweep and report provide them)');
  }
  if (gates !== undefined && tech.name !== 'gates45') throw new InputError(`gate-level PE energies given with technology ${tech.name}`);
  if (gates !== undefined && gates.layers.length !== result.layers.length) {
    throw new Error(`gates45: ${gates.layers.length} layer energies for ${result.layers.length} layers`);
  }
}

/**
 * Leakage per cycle: tables: the whole area at the technology's density; gates45: the PE array and
 * encoders from their cells (NanGate cell_leakage_power), the rest of the area at the density.
 */
function leakagePerCycle(tech: Technology, clockMhz: number, area: AreaBreakdown, gates: GateCostInput | undefined, dataflow: Dataflow, R: number, C: number): number {
  const density = tech.leakagePerUm2Cycle(clockMhz);
  if (!gates) return density * area.total;
  const a = gatePeArea(gates.pe, dataflow);
  const nEnc = gates.pe.enc ? gateEncoders(dataflow, R, C) : 0;
  const gateLeakNw = R * C * a.pe_leakage_nw + nEnc * a.encoder_leakage_nw;
  const gateArea = R * C * a.total + nEnc * a.encoder;
  // nW for one cycle of 1/f us: 1e-9 W * 1e-6 / f s = 1e-15 / f J = 1e-3 / f pJ
  return (gateLeakNw * 1e-3) / clockMhz + density * Math.max(0, area.total - gateArea);
}

/** Energy and area of a run. Pure: the same inputs give the same numbers. */
/** Refuses bad cost options (technology, node, supply, DRAM type) before anything is simulated. */
export function checkCostOptions(arch: ArchConfig, opts: CostOptions = {}): void {
  makeTechnology(opts);
  dramPjPerBit(opts.dram_type ?? arch.dram.type);
  sramKb(arch);
}

export function runCost(result: SimResult, arch: ArchConfig, opts: CostOptions = {}): RunCost {
  const tech = makeTechnology(opts);
  const dramType = opts.dram_type ?? arch.dram.type;
  const dramBit = dramPjPerBit(dramType);
  const R = result.arch.rows, C = result.arch.cols;
  const dataflow = result.arch.dataflow;
  const pe = peOfResult(result, arch, opts.pe);
  const gates = opts.gates;
  checkGates(tech, gates, result);
  const pc = gates ? gatePeCost(gates, dataflow) : peCost(pe, tech, { dataflow });
  // results written before the accumulation structure was an arch choice were 'top'
  const below = dataflow !== 'os' && (result.arch.accumulate ?? 'top') === 'below';
  // one add per merged partial sum under the array (gates45: the layer's accumulator add, below)
  const mergePj = below ? accumulatorPart(pe.acc, tech).energy_pj : 0;
  const area = areaOf(arch, R, C, pc, pe, dataflow, tech, below, gates);
  const leakOf = (a: AreaBreakdown, g: GateCostInput | undefined) => leakagePerCycle(tech, result.arch.clock_mhz, a, g, dataflow, R, C);
  const leakPerCycle = leakOf(area, gates);
  // gates45: the same layers' compute and register energy from the operator table, reported beside
  const tablePc = gates ? peCost(pe, makeTechnology({ technology: 'horowitz45', ...(opts.node_nm !== undefined && { node_nm: opts.node_nm }) }), { dataflow }) : undefined;
  const kb = sramKb(arch);
  const banks = arch.sram.banks;
  const wb = result.arch.word_bytes;
  const bits = { input: wb.input * 8, weight: wb.weight * 8, psum: wb.psum * 8 };
  const rd = {
    ifmap: tech.sramAccess(kb.ifmap, bits.input, banks, false),
    filter: tech.sramAccess(kb.filter, bits.weight, banks, false),
    ofmap: tech.sramAccess(kb.ofmap, bits.psum, banks, false),
  };
  const wr = {
    ifmap: tech.sramAccess(kb.ifmap, bits.input, banks, true),
    filter: tech.sramAccess(kb.filter, bits.weight, banks, true),
    ofmap: tech.sramAccess(kb.ofmap, bits.psum, banks, true),
  };
  const encoded = broadcastOperand(dataflow);

  const layerEnergy = (l: LayerResult, p: PeCost, leak: number, ge?: GateCostInput['layers'][number]): EnergyBreakdown => {
    const s = l.sram, d = l.dram;
    const ifmap = s.ifmap_reads * rd.ifmap + (d.ifmap_read_bytes / wb.input) * wr.ifmap;
    const filter = s.filter_reads * rd.filter + (d.filter_read_bytes / wb.weight) * wr.filter;
    const ofmap = s.ofmap_reads * rd.ofmap + s.ofmap_writes * wr.ofmap
      + (d.ofmap_read_bytes / wb.psum) * wr.ofmap + (d.ofmap_write_bytes / wb.psum) * rd.ofmap;
    const sram = { ifmap, filter, ofmap, total: ifmap + filter + ofmap };
    const ops = l.reuse?.ops ?? l.macs;
    // EN-T: one encode per broadcast element entering a row (gates: per A element, as the RTL encodes A)
    const encodes = p.row_encoder ? (ge !== undefined || encoded === 'input' ? s.ifmap_reads : s.filter_reads) : 0;
    const compute = ge
      ? ops * (ge.multiplier_pj + ge.accumulator_pj + ge.isolation_pj) + encodes * ge.encoder_pj_per_encode + (below ? s.ofmap_reads * ge.accumulator_pj : 0)
      : ops * p.mac_pj + encodes * (p.row_encoder?.energy_pj ?? 0) + s.ofmap_reads * mergePj;
    const registers = ops * (ge ? ge.registers_pj : p.register_pj[dataflow]);
    const dram = dramBytes(d) * 8 * dramBit;
    const leakage = l.cycles * leak;
    return { total: compute + registers + sram.total + dram + leakage, compute, registers, sram, dram, vector: 0, leakage };
  };

  const layers: LayerCost[] = result.layers.map((l, i) => {
    const ge = gates?.layers[i];
    const e = layerEnergy(l, pc, leakPerCycle, ge);
    const lc: LayerCost = { name: l.name, energy_pj: e, derived: derive(e.total, l.macs, l.cycles, result.arch.clock_mhz, area.total) };
    if (ge && tablePc) {
      const t = layerEnergy(l, tablePc, 0);
      lc.energy_model = {
        used: 'gates45', source: ge.source, description: ge.description, macs_evaluated: ge.macs,
        per_mac_pj: { multiplier: ge.multiplier_pj, accumulator: ge.accumulator_pj, registers: ge.registers_pj, isolation: ge.isolation_pj },
        encoder_pj_per_encode: ge.encoder_pj_per_encode, zero_fraction: ge.zero_fraction, gated_fraction: ge.gated_fraction,
        table: { technology: 'horowitz45', compute: t.compute, registers: t.registers },
      };
    }
    return lc;
  });
  const sum = (f: (e: EnergyBreakdown) => number) => layers.reduce((s, l) => s + f(l.energy_pj), 0);
  // the vector unit: one fp32 multiply-add lane per element-operation, leaking while it runs
  const vectorOps = result.vector?.element_ops ?? 0;
  const vectorCycles = result.vector?.cycles ?? 0;
  const vectorPj = vectorOps * (tech.fpAdd(8, 23).energy_pj + tech.fpMult(8, 23).energy_pj);
  const total: EnergyBreakdown = {
    compute: sum((e) => e.compute),
    registers: sum((e) => e.registers),
    sram: { ifmap: sum((e) => e.sram.ifmap), filter: sum((e) => e.sram.filter), ofmap: sum((e) => e.sram.ofmap), total: sum((e) => e.sram.total) },
    dram: sum((e) => e.dram),
    vector: vectorPj,
    leakage: sum((e) => e.leakage) + vectorCycles * leakPerCycle,
    total: sum((e) => e.total) + vectorPj + vectorCycles * leakPerCycle,
  };

  // ---- what the reuse scheme saved or cost ----
  let totalEffect: ReuseEffect | undefined;
  const kind = result.arch.reuse;
  if (kind === 'ent') {
    const plainPe: PeKind = { ...pe, reuse: 'none' };
    const gp = gates?.plain;
    if (gates && !gp) throw new InputError('gates45 with EN-T: the plain design\'s gate energies are needed for the reuse effect');
    const pcPlain = gp ? gatePeCost(gp, dataflow) : peCost(plainPe, tech, { dataflow });
    const areaPlain = areaOf(arch, R, C, pcPlain, plainPe, dataflow, tech, below, gp);
    const leakPlain = leakOf(areaPlain, gp);
    let without = 0;
    result.layers.forEach((l, i) => {
      const e = layerEnergy(l, pcPlain, leakPlain, gp?.layers[i]).total;
      without += e;
      const dram = dramBytes(l.dram);
      layers[i].reuse_effect = effect('ent', figures(e, l.cycles, dram, areaPlain.total), figures(layers[i].energy_pj.total, l.cycles, dram, area.total));
    });
    without += vectorPj + vectorCycles * leakPlain;
    const dram = dramBytes(result.totals.dram);
    totalEffect = effect('ent', figures(without, result.totals.cycles, dram, areaPlain.total), figures(total.total, result.totals.cycles, dram, area.total));
  } else if (kind === 'mst') {
    let without = 0, cyclesWithout = 0, dramWithout = 0;
    result.layers.forEach((l, i) => {
      const r = l.reuse;
      if (r === undefined) {
        without += layers[i].energy_pj.total;
        cyclesWithout += l.cycles;
        dramWithout += dramBytes(l.dram);
        return;
      }
      const direct: LayerResult = { ...l, cycles: r.direct.cycles, compute_cycles: r.direct.compute_cycles, stall_cycles: r.direct.stall_cycles, sram: r.direct.sram, dram: r.direct.dram };
      delete direct.reuse;
      const e = layerEnergy(direct, pc, leakPerCycle).total;
      without += e;
      cyclesWithout += r.direct.cycles;
      dramWithout += dramBytes(r.direct.dram);
      layers[i].reuse_effect = effect('mst', figures(e, r.direct.cycles, dramBytes(r.direct.dram), area.total),
        figures(layers[i].energy_pj.total, l.cycles, dramBytes(l.dram), area.total));
    });
    without += vectorPj + vectorCycles * leakPerCycle;
    cyclesWithout += result.vector?.cycles ?? 0;
    totalEffect = effect('mst', figures(without, cyclesWithout, dramWithout, area.total),
      figures(total.total, result.totals.cycles, dramBytes(result.totals.dram), area.total));
  }

  const fit = tech.sramFit();
  const enc = pc.row_encoder;
  return {
    cost: {
      technology: tech.name,
      description: tech.description,
      node_nm: tech.node_nm,
      vdd: tech.vdd,
      dram_type: dramType.trim().toLowerCase(),
      dram_pj_per_bit: dramBit,
      dram_bandwidth_bytes_per_cycle: arch.dram.bandwidth,
      pe: {
        name: pe.name,
        reuse: pe.reuse,
        mac_pj: pc.mac_pj,
        register_pj_per_mac: pc.register_pj[dataflow],
        area_um2: pc.area_um2.total,
        parts: [...pc.multiply, pc.accumulate].map((p) => ({ ...p })),
        ...(enc !== undefined && {
          row_encoder: {
            operand: encoded, rows: R, energy_pj_per_encode: enc.energy_pj, area_um2_each: enc.area_um2,
            register_bits: encoded === 'input' ? encodedBits(pe.input) : encodedBits(pe.weight),
          },
        }),
      },
      sram_fit: {
        a: fit.a, b: fit.b, word_bits: fit.word_bits,
        formula: `E(access) = ${fit.a.toPrecision(4)} pJ x (KB/banks)^${fit.b.toPrecision(4)} x (word bits / ${fit.word_bits})`,
      },
      leakage_pj_per_cycle: leakPerCycle,
      sources: [...tech.sources(),
        ...(enc !== undefined && !gates ? [{ entry: 'ent_encoder_share', table: 'structure', ...ENT_STRUCTURE.encoder_share }] : []),
        ...(gates ? [{
          entry: 'pe_gates', table: 'gates45', source: `${NANGATE45_SOURCE}; netlists rtl/netlists/ (${gates.pe.units.mul}, ${gates.pe.units.acc}${gates.pe.units.enc ? `, ${gates.pe.units.enc}` : ''})`,
          node_nm: 45, verified: false,
          note: `energy x${gates.pe.calibration.energy_scale.toFixed(4)} and area x${gates.pe.calibration.area_scale.toFixed(4)}, fitted on Horowitz's 8-bit add and multiply only`,
        }] : []),
        { entry: `dram.${dramType}`, table: 'dram', ...DRAM_TYPES[dramType.trim().toLowerCase()] }],
    },
    totals: {
      energy_pj: total, area_um2: area, derived: derive(total.total, result.totals.macs, result.totals.cycles, result.arch.clock_mhz, area.total),
      ...(totalEffect !== undefined && { reuse_effect: totalEffect }),
    },
    layers,
  };
}

/** The SimResult with `cost`, and `energy_pj` / `area_um2` / `derived` on totals and each layer. */
export function withCost(result: SimResult, cost: RunCost): CostedSimResult {
  if (cost.layers.length !== result.layers.length) throw new Error('withCost: the cost is of another run');
  return {
    ...result,
    cost: cost.cost,
    totals: { ...result.totals, ...cost.totals },
    layers: result.layers.map((l, i) => ({
      ...l, energy_pj: cost.layers[i].energy_pj, area_um2: cost.totals.area_um2, derived: cost.layers[i].derived,
      ...(cost.layers[i].reuse_effect !== undefined && { reuse_effect: cost.layers[i].reuse_effect }),
      ...(cost.layers[i].energy_model !== undefined && { energy_model: cost.layers[i].energy_model }),
    })),
  };
}
