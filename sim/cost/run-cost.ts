/**
 * Energy and area of a run: a pure function of a SimResult's counts, the arch config (SRAM
 * sizes and banks, DRAM type) and a technology. Nothing here is a constant: per-action
 * energies come from sim/cost/technology.ts and pe-cost.ts, DRAM from tables/dram.ts.
 *
 * Energy of a layer (pJ):
 *   compute    MACs x (multiplier + accumulator)                        [+ EN-T row encoders]
 *   registers  MACs x the pipeline registers the operands/partial sums hop through (dataflow)
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
 * registers per edge) and EN-T's row encoders.
 */
import { InputError, unknownName } from '../errors.ts';
import type { ArchConfig, Dataflow } from '../arch/schema.ts';
import { getPe } from '../pe/registry.ts';
import type { PeKind } from '../pe/types.ts';
import type { LayerResult, SimResult, SimTotals } from '../run.ts';
import { peCost, type PeCost } from './pe-cost.ts';
import { DRAM_TYPES, dramTypeNames } from './tables/dram.ts';
import { makeTechnology, type TechOptions, type Technology, type UsedEntry } from './technology.ts';

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
    mac_pj: number;
    register_pj_per_mac: number;
    area_um2: number;
    parts: { name: string; energy_pj: number; area_um2: number; derivation: string }[];
  };
  sram_fit: { a: number; b: number; word_bits: number; formula: string };
  leakage_pj_per_cycle: number;
  sources: UsedEntry[];
}

export interface LayerCost {
  name: string;
  energy_pj: EnergyBreakdown;
  derived: DerivedFigures;
}

export interface RunCost {
  cost: CostInfo;
  totals: { energy_pj: EnergyBreakdown; area_um2: AreaBreakdown; derived: DerivedFigures };
  layers: LayerCost[];
}

export interface CostOptions extends TechOptions {
  /** overrides the arch's dram.type */
  readonly dram_type?: string;
  /** the PE (with its options); default: getPe(result.arch.pe, { acc: arch.acc }) */
  readonly pe?: PeKind;
}

/** A SimResult with the cost fields attached (what `withCost` returns). */
export type CostedLayer = LayerResult & { energy_pj: EnergyBreakdown; area_um2: AreaBreakdown; derived: DerivedFigures };
export type CostedTotals = SimTotals & { energy_pj: EnergyBreakdown; area_um2: AreaBreakdown; derived: DerivedFigures };
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

function areaOf(arch: ArchConfig, R: number, C: number, pc: PeCost, pe: PeKind, dataflow: Dataflow, tech: Technology): AreaBreakdown {
  const kb = sramKb(arch);
  const banks = arch.sram.banks;
  const sram = kb.unified
    ? { ifmap: 0, filter: 0, ofmap: 0, unified: tech.sramArea(kb.ifmap, banks), total: 0 }
    : { ifmap: tech.sramArea(kb.ifmap, banks), filter: tech.sramArea(kb.filter, banks), ofmap: tech.sramArea(kb.ofmap, banks), unified: 0, total: 0 };
  sram.total = sram.ifmap + sram.filter + sram.ofmap + sram.unified;
  const peArray = R * C * pc.area_um2.total;
  // skew registers: row i of an edge waits i cycles -> R(R-1)/2 words on the row edge,
  // C(C-1)/2 on the column edge; which operand sits on which edge depends on the dataflow
  const rowBits = dataflow === 'is' ? pe.weight.bits : pe.input.bits;
  const colBits = dataflow === 'os' ? pe.weight.bits : pe.acc.bits;
  const skew = tech.register((R * (R - 1)) / 2 * rowBits).area_um2 + tech.register((C * (C - 1)) / 2 * colBits).area_um2;
  const encoders = pc.row_encoder ? R * pc.row_encoder.area_um2 : 0;
  const other = skew + encoders;
  return { total: peArray + sram.total + other, pe_array: peArray, sram, other };
}

/** Energy and area of a run. Pure: the same inputs give the same numbers. */
export function runCost(result: SimResult, arch: ArchConfig, opts: CostOptions = {}): RunCost {
  const tech = makeTechnology(opts);
  const dramType = opts.dram_type ?? arch.dram.type;
  const dramBit = dramPjPerBit(dramType);
  const R = result.arch.rows, C = result.arch.cols;
  const dataflow = result.arch.dataflow;
  const pe = opts.pe ?? getPe(result.arch.pe, { ...(arch.acc !== undefined && { acc: arch.acc }) });
  if (pe.name !== result.arch.pe) {
    throw new InputError(`the PE given to the cost model (${pe.name}) is not the run's (${result.arch.pe})`);
  }
  const pc = peCost(pe, tech, { cols: C });
  const area = areaOf(arch, R, C, pc, pe, dataflow, tech);
  const leakPerCycle = tech.leakagePerUm2Cycle(result.arch.clock_mhz) * area.total;
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
  const regPj = pc.register_pj[dataflow];

  const layerEnergy = (l: LayerResult): EnergyBreakdown => {
    const s = l.sram, d = l.dram;
    const ifmap = s.ifmap_reads * rd.ifmap + (d.ifmap_read_bytes / wb.input) * wr.ifmap;
    const filter = s.filter_reads * rd.filter + (d.filter_read_bytes / wb.weight) * wr.filter;
    const ofmap = s.ofmap_reads * rd.ofmap + s.ofmap_writes * wr.ofmap
      + (d.ofmap_read_bytes / wb.psum) * wr.ofmap + (d.ofmap_write_bytes / wb.psum) * rd.ofmap;
    const sram = { ifmap, filter, ofmap, total: ifmap + filter + ofmap };
    // EN-T's row-encoder share is inside pc.mac_pj (divided by the row's PEs)
    const compute = l.macs * pc.mac_pj;
    const registers = l.macs * regPj;
    const dram = (d.ifmap_read_bytes + d.filter_read_bytes + d.ofmap_read_bytes + d.ofmap_write_bytes) * 8 * dramBit;
    const leakage = l.cycles * leakPerCycle;
    return { total: compute + registers + sram.total + dram + leakage, compute, registers, sram, dram, vector: 0, leakage };
  };

  const layers: LayerCost[] = result.layers.map((l) => {
    const e = layerEnergy(l);
    return { name: l.name, energy_pj: e, derived: derive(e.total, l.macs, l.cycles, result.arch.clock_mhz, area.total) };
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
  const fit = tech.sramFit();
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
        mac_pj: pc.mac_pj,
        register_pj_per_mac: regPj,
        area_um2: pc.area_um2.total,
        parts: [...pc.multiply, pc.accumulate].map((p) => ({ ...p })),
      },
      sram_fit: {
        a: fit.a, b: fit.b, word_bits: fit.word_bits,
        formula: `E(access) = ${fit.a.toPrecision(4)} pJ x (KB/banks)^${fit.b.toPrecision(4)} x (word bits / ${fit.word_bits})`,
      },
      leakage_pj_per_cycle: leakPerCycle,
      sources: [...tech.sources(), { entry: `dram.${dramType}`, table: 'dram', ...DRAM_TYPES[dramType.trim().toLowerCase()] }],
    },
    totals: { energy_pj: total, area_um2: area, derived: derive(total.total, result.totals.macs, result.totals.cycles, result.arch.clock_mhz, area.total) },
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
    })),
  };
}
