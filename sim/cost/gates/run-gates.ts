/**
 * The gate-level side of one run (technology gates45): the PE's gate model (and for EN-T the
 * plain design's, for the reuse effect), the functional operand streams as the simulation
 * produces them, and after it the per-layer energies handed to the cost model.
 */
import { InputError } from '../../errors.ts';
import { defaultAccumulate, type Accumulate } from '../../arch/schema.ts';
import type { Operands } from '../../array/types.ts';
import { psumStore } from '../../array/psum.ts';
import { mapGemm, type Mapping } from '../../dataflows/mapping.ts';
import type { NumberFormat } from '../../pe/formats.ts';
import type { PeKind } from '../../pe/types.ts';
import { gemmView, type Layer } from '../../workload/layer.ts';
import { libraryFactors } from './calibrate.ts';
import type { GateCostInput, GateLayerEnergy } from './gate-cost.ts';
import { DEFAULT_STREAM_MACS, distributionGateEnergy, sampleGateEnergy, type GemmSample } from './layer-gates.ts';
import type { DesignUnits, GateLibrary } from './library.ts';
import { gemmGateEnergy } from './pe-energy.ts';
import { cellOf, gatePe, type GatePe } from './pe-gates.ts';

export interface GateRunOptions {
  readonly library: GateLibrary;
  /** catalogue design of the run's PE (rtl/gates/library.ts: designKeyFor) */
  readonly design: string;
  /** EN-T: the plain design the reuse effect compares with */
  readonly plainDesign?: string;
  /** units swapped into the designs (the papers' Booth-multiplier baseline) */
  readonly override?: { readonly main?: Partial<Pick<DesignUnits, 'mul' | 'acc'>>; readonly plain?: Partial<Pick<DesignUnits, 'mul' | 'acc'>> };
  readonly gateZeros?: boolean;
  /** MACs evaluated per layer at most (functional streams; timing samples use DEFAULT_SAMPLE_MACS unless given) */
  readonly maxMacs?: number;
  /** timing-only runs: a layer's operands from the model (weights, calibration activations) */
  readonly samples?: (index: number, layer: Layer) => GemmSample | undefined;
  readonly seed?: number;
}

export interface GateRun {
  /** simulate's hook: a functional layer's operands as the array uses them */
  readonly onOperands: (index: number, mapping: Mapping, operands: Operands) => void;
  /** the per-layer energies of the run (functional where seen, else samples, else the distribution) */
  finish(layers: readonly Layer[], rows: number, cols: number, dataflow: Mapping['dataflow']): GateCostInput;
}

export function gateRun(opts: GateRunOptions, pe: PeKind, dataflow: Mapping['dataflow'], psumFormat?: NumberFormat, accumulate?: Accumulate): GateRun {
  const lib = opts.library;
  const factors = libraryFactors(lib);
  const main = gatePe(lib, opts.design, pe, factors, opts.override?.main);
  let plain: GatePe | undefined;
  if (pe.reuse === 'ent') {
    if (opts.plainDesign === undefined) throw new InputError('gates45 with EN-T needs the plain design of the PE for the reuse effect');
    plain = gatePe(lib, opts.plainDesign, { ...pe, reuse: 'none' }, factors, opts.override?.plain);
  }
  // refuse a design whose registers have no netlist before anything runs
  cellOf(main, dataflow);
  if (plain) cellOf(plain, dataflow);
  const gateZeros = opts.gateZeros === true;
  const psum = psumStore(pe, psumFormat);
  const seen = new Map<number, { main: GateLayerEnergy; plain?: GateLayerEnergy }>();
  const acc = accumulate ?? defaultAccumulate(dataflow);
  const stream = { gateZeros, maxMacs: opts.maxMacs ?? DEFAULT_STREAM_MACS, seed: opts.seed ?? 1, accumulate: acc };
  const of = (g: GatePe, mp: Mapping, ops: Operands): GateLayerEnergy => ({
    ...gemmGateEnergy(g, mp, { a: ops.a, b: ops.b, psum: ops.psum }, { ...stream, accumulate: ops.accumulate ?? acc }),
    source: 'operands', description: 'the run\'s functional operand stream, in the dataflow\'s order',
  });
  return {
    onOperands: (index, mp, ops) => {
      seen.set(index, { main: of(main, mp, ops), ...(plain && { plain: of(plain, mp, ops) }) });
    },
    finish: (layers, rows, cols, dataflow) => {
      const sampleOpts = { gateZeros, psum, seed: opts.seed ?? 1, accumulate: acc, ...(opts.maxMacs !== undefined && { maxMacs: opts.maxMacs }) };
      const per = (g: GatePe, which: 'main' | 'plain') => layers.map((layer, i) => {
        const hit = seen.get(i)?.[which];
        if (hit) return hit;
        const mp = mapGemm(gemmView(layer), rows, cols, dataflow);
        const s = opts.samples?.(i, layer);
        if (s) return sampleGateEnergy(g, s, rows, cols, mp, 'model-samples', sampleOpts);
        return distributionGateEnergy(g, mp, i === 0, sampleOpts);
      });
      return {
        pe: main, layers: per(main, 'main'), gateZeros,
        ...(plain && { plain: { pe: plain, layers: per(plain, 'plain'), gateZeros } }),
      };
    },
  };
}
