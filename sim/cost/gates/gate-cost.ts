/**
 * What the run's cost model (run-cost.ts) takes from the gates when the technology is gates45:
 * the PE design's gate model (area, leakage) and, per layer, the value-aware energy per MAC
 * measured on that layer's operands (pe-energy.ts), with where the operands came from.
 */
import type { Dataflow } from '../../arch/schema.ts';
import { NANGATE45_DFF } from '../tables/nangate45.ts';
import type { PeCost } from '../pe-cost.ts';
import type { GateMacEnergy } from './pe-energy.ts';
import { gatePeArea, type GatePe } from './pe-gates.ts';

/** Where a layer's operands came from. */
export type OperandSource =
  /** the run's own functional operand stream */
  | 'operands'
  /** samples of the model's weights and of a calibration batch's activations */
  | 'model-samples'
  /** a stated distribution (the model has no weights or data) */
  | 'distribution';

export interface GateLayerEnergy extends GateMacEnergy {
  readonly source: OperandSource;
  /** e.g. "cnn.onnx weights, activations of 1 Fashion-MNIST test image" */
  readonly description: string;
}

export interface GateCostInput {
  readonly pe: GatePe;
  /** one per layer of the result */
  readonly layers: readonly GateLayerEnergy[];
  readonly gateZeros: boolean;
  /** EN-T runs: the same layers on the plain design (what the reuse effect compares with) */
  readonly plain?: GateCostInput;
}

/** Flip-flop area of `bits` register bits (skew registers at the array edges), calibrated. */
export function gateRegisterArea(g: GatePe, bits: number): number {
  return bits * NANGATE45_DFF.area_um2 * g.calibration.area_scale;
}

/** Encoders of an EN-T array in the RTL: one per row (os, ws: A streams along the rows) or per column (is: A is preloaded at the top). */
export function gateEncoders(dataflow: Dataflow, rows: number, cols: number): number {
  return dataflow === 'is' ? cols : rows;
}

function weighted(layers: readonly GateLayerEnergy[], f: (l: GateLayerEnergy) => number): number {
  let s = 0, w = 0;
  for (const l of layers) {
    s += f(l) * l.macs;
    w += l.macs;
  }
  return w > 0 ? s / w : 0;
}

/**
 * A PeCost for the gate model: areas from the cells; energies the sample-weighted means over the
 * run's layers (the per-layer figures are what run-cost charges each layer).
 */
export function gatePeCost(input: GateCostInput, dataflow: Dataflow): PeCost {
  const g = input.pe;
  const a = gatePeArea(g, dataflow);
  const L = input.layers;
  const mul = weighted(L, (l) => l.multiplier_pj + l.isolation_pj);
  const acc = weighted(L, (l) => l.accumulator_pj);
  const reg = weighted(L, (l) => l.registers_pj);
  const enc = weighted(L, (l) => l.encoder_pj_per_encode);
  const how = `${g.design} netlists (${g.mul.priced.cells} + ${g.acc.priced.cells} cells), NanGate45, x${g.calibration.energy_scale.toFixed(3)} calibrated`;
  return {
    pe: g.pe.name,
    technology: 'gates45',
    node_nm: 45,
    multiply: [{ name: `${g.design} multiplier (${g.mul.id})`, energy_pj: mul, area_um2: a.multiplier, derivation: how }],
    accumulate: { name: `${g.design} accumulator (${g.acc.id})`, energy_pj: acc, area_um2: a.accumulator, derivation: how },
    mac_pj: mul + acc,
    register_pj: { os: reg, ws: reg, is: reg },
    area_um2: { multiplier: a.multiplier, accumulator: a.accumulator, registers: a.registers, total: a.total },
    ...(g.enc !== undefined && { row_encoder: { energy_pj: enc, area_um2: a.encoder } }),
  };
}
