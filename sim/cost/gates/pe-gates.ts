/**
 * A PE design as gates: its multiplier, accumulator and (EN-T) encoder netlists priced with the
 * NanGate cells, and its array cell per dataflow (pipeline registers and their glue), with the
 * calibration factors applied. Area and leakage come straight from the cells; energies from
 * toggles (pe-energy.ts).
 */
import { InputError } from '../../errors.ts';
import type { Dataflow } from '../../arch/schema.ts';
import type { PeKind } from '../../pe/types.ts';
import type { PricedNetlist } from './cells.ts';
import type { DesignUnits, GateLibrary } from './library.ts';
import type { CompiledNetlist } from './netlist.ts';

export interface GateUnitRef {
  readonly id: string;
  readonly net: CompiledNetlist;
  readonly priced: PricedNetlist;
}

export interface GateCell {
  readonly id: string;
  /** flip-flops by register name (os: a, b, acc and flags; ws/is: x, w, p_q and flags) */
  readonly registers: Readonly<Record<string, number>>;
  /** the cell's own cells: flip-flops and glue (multiplier and accumulator excluded), raw */
  readonly area_um2: number;
  readonly leakage_nw: number;
}

export interface GatePe {
  readonly design: string;
  readonly pe: PeKind;
  readonly units: DesignUnits;
  readonly mul: GateUnitRef;
  readonly acc: GateUnitRef;
  readonly enc?: GateUnitRef;
  readonly cells: Partial<Record<Dataflow, GateCell>>;
  /** the calibration factors (calibrate.ts), applied to every energy and area */
  readonly calibration: { readonly energy_scale: number; readonly area_scale: number };
}

function ref(lib: GateLibrary, id: string): GateUnitRef {
  return { id, net: lib.unit(id), priced: lib.priced(id) };
}

/**
 * The gate model of a PE design (catalogue key) for the PE `pe` (the kind the run uses).
 * `override` swaps units (e.g. the papers' Booth multiplier into the int8 PE); the name then
 * says so.
 */
export function gatePe(lib: GateLibrary, design: string, pe: PeKind, calibration: GatePe['calibration'], override: Partial<Pick<DesignUnits, 'mul' | 'acc'>> = {}): GatePe {
  const units = { ...lib.design(design), ...override };
  if (override.mul !== undefined || override.acc !== undefined) {
    design = `${design} with ${[override.mul, override.acc].filter((x) => x !== undefined).join(', ')}`;
  }
  const cells: Partial<Record<Dataflow, GateCell>> = {};
  for (const [df, id] of Object.entries(units.cells) as [Dataflow, string][]) {
    const p = lib.priced(id);
    cells[df] = { id, registers: lib.registers(id), area_um2: p.area_um2, leakage_nw: p.leakage_nw };
  }
  const enc = units.enc !== undefined ? ref(lib, units.enc) : undefined;
  if ((pe.reuse === 'ent') !== (enc !== undefined)) {
    throw new InputError(`PE ${pe.name} (reuse ${pe.reuse}) and design ${design} disagree about EN-T`);
  }
  return { design, pe, units, mul: ref(lib, units.mul), acc: ref(lib, units.acc), ...(enc && { enc }), cells, calibration };
}

/** The array cell of a dataflow, or an error naming what is missing. */
export function cellOf(g: GatePe, dataflow: Dataflow): GateCell {
  const c = g.cells[dataflow];
  if (!c) throw new InputError(`PE design ${g.design} has no array-cell netlist (${dataflow}): its registers cannot be priced from gates`);
  return c;
}

export interface GatePeArea {
  readonly multiplier: number;
  readonly accumulator: number;
  readonly registers: number;
  readonly total: number;
  /** EN-T: one row encoder */
  readonly encoder: number;
  /** leakage of one PE (multiplier, accumulator, cell), and of one encoder, nW */
  readonly pe_leakage_nw: number;
  readonly encoder_leakage_nw: number;
  /** raw NanGate cell area of one PE, before the area calibration factor */
  readonly raw_total: number;
}

/** Area (calibrated, um^2) and leakage of one PE on a dataflow. */
export function gatePeArea(g: GatePe, dataflow: Dataflow): GatePeArea {
  const k = g.calibration.area_scale;
  const cell = cellOf(g, dataflow);
  const raw = g.mul.priced.area_um2 + g.acc.priced.area_um2 + cell.area_um2;
  return {
    multiplier: k * g.mul.priced.area_um2,
    accumulator: k * g.acc.priced.area_um2,
    registers: k * cell.area_um2,
    total: k * raw,
    encoder: g.enc ? k * g.enc.priced.area_um2 : 0,
    pe_leakage_nw: g.mul.priced.leakage_nw + g.acc.priced.leakage_nw + cell.leakage_nw,
    encoder_leakage_nw: g.enc ? g.enc.priced.leakage_nw : 0,
    raw_total: raw,
  };
}
