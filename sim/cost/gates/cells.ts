/**
 * A netlist priced with the NanGate 45 nm cells (tables/nangate45.ts): area and leakage per
 * cell, and the energy of one toggle of each net:
 *
 *   E(net) = internal energy of the driving cell per output toggle
 *          + 1/2 Vdd^2 (input capacitance of every pin the net drives + wire capacitance)
 *
 * the wire from the library's default wire-load model by fanout. A net driven by an input port
 * is charged for its load only (its driver's own energy belongs to the unit upstream: a
 * register's Q or another unit's output). Zero-delay: a net toggles at most once per evaluation
 * step (glitches are not modelled; the calibration factor, fitted on integer units,
 * absorbs their average share).
 */
import { InputError } from '../../errors.ts';
import { NANGATE45_CELLS, NANGATE45_DFF, NANGATE45_VDD, NANGATE45_WIRE, type CellEntry } from '../tables/nangate45.ts';
import { CELL_CODE, CELL_TYPES, DFF_CODE, type CompiledNetlist } from './netlist.ts';

function entryOf(code: number, id: string): CellEntry {
  const t = CELL_TYPES[code];
  const e = (NANGATE45_CELLS as Readonly<Record<string, CellEntry>>)[t];
  if (e === undefined) throw new InputError(`netlist ${id}: cell type ${t} has no NanGate cell (the gate set is NOT, AND, NAND, NOR, XOR, DFF)`);
  return e;
}

/** Wire capacitance of a net with `fanout` sinks, fF (the library's wire-load table). */
export function wireCapFf(fanout: number): number {
  if (fanout <= 0) return 0;
  const t = NANGATE45_WIRE.fanout_length;
  let len: number;
  const last = t[t.length - 1];
  if (fanout >= last[0]) len = last[1] + NANGATE45_WIRE.slope * (fanout - last[0]);
  else {
    let i = 0;
    while (t[i + 1][0] <= fanout) i++;
    const [f0, l0] = t[i], [f1, l1] = t[i + 1];
    len = l0 + ((l1 - l0) * (fanout - f0)) / (f1 - f0);
  }
  return len * NANGATE45_WIRE.cap_per_length_ff;
}

export interface PricedNetlist {
  /** energy of one toggle of each net, pJ */
  readonly toggle_pj: Float64Array;
  readonly area_um2: number;
  readonly leakage_nw: number;
  readonly cells: number;
}

/** Prices every net, and sums area and leakage, of a netlist. */
export function priceNetlist(n: CompiledNetlist): PricedNetlist {
  const cap = new Float64Array(n.nets);
  let area = 0, leak = 0;
  for (let i = 0; i < n.type.length; i++) {
    const t = n.type[i];
    if (t === DFF_CODE) {
      cap[n.a[i]] += NANGATE45_DFF.d_cap_ff;
      area += NANGATE45_DFF.area_um2;
      leak += NANGATE45_DFF.leakage_nw;
      continue;
    }
    const e = entryOf(t, n.id);
    area += e.area_um2;
    leak += e.leakage_nw;
    cap[n.a[i]] += e.pin_cap_ff[0];
    if (t !== CELL_CODE.NOT && t !== CELL_CODE.BUF) cap[n.b[i]] += e.pin_cap_ff[1];
  }
  const half = 0.5 * NANGATE45_VDD * NANGATE45_VDD;
  const toggle = new Float64Array(n.nets);
  for (let x = 2; x < n.nets; x++) {
    const d = n.driver[x];
    const internal = d >= 0 && d !== DFF_CODE ? entryOf(d, n.id).internal_fj : 0;
    toggle[x] = (internal + half * (cap[x] + wireCapFf(n.fanout[x]))) / 1000;
  }
  return { toggle_pj: toggle, area_um2: area, leakage_nw: leak, cells: n.type.length };
}

/** Energy of a set of toggle counts, pJ. */
export function toggleEnergy(p: PricedNetlist, toggles: Float64Array): number {
  let e = 0;
  for (let i = 0; i < toggles.length; i++) e += toggles[i] * p.toggle_pj[i];
  return e;
}

/**
 * Register bits (DFF_X1), pJ: every clocked cycle the clock's internal energy and the charge of
 * the CK pin; every change of a stored bit the Q/QN arcs (instead of the hold energy), the D
 * pin's toggle and charge, and the wire of the Q net (`wireFf`). The pins the Q net drives are
 * charged by the units they belong to (a multiplier's input pins, the next register's D).
 */
export function flipFlopPj(toggles: number, clockedCycles: number, wireFf: number): number {
  const f = NANGATE45_DFF;
  const v2 = NANGATE45_VDD * NANGATE45_VDD;
  const clock = clockedCycles * (f.clock_hold_fj + f.ck_cap_ff * v2);
  const change = toggles * (f.clock_toggle_fj - f.clock_hold_fj + f.d_toggle_fj + 0.5 * v2 * (wireFf + f.d_cap_ff));
  return (clock + change) / 1000;
}
