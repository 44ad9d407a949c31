/**
 * Gate-level PE energy of `bitweave exec --technology gates45`: the GEMMs an array backend runs
 * (the user's model on the user's data) are priced through the PE's synthesized netlists
 * (sim/cost/gates/), on the quantized operands the PE really multiplies, streamed in the
 * dataflow's order on the arch's array (rows x cols, accumulation top or below), as `bitweave
 * run --technology gates45` prices a functional run.
 *
 * Bounded: each GEMM is priced on a block of it (its first 64 rows of A and one array-width of
 * B's columns, all of K; at most 4,096 MACs evaluated), and only the first 256 GEMMs (every
 * GEMM of the first samples); the energy per MAC is their MAC-weighted mean, applied to every
 * MAC the setup ran. The operator table's figure (horowitz45) for the same PE is given beside.
 */
import { committedLibrary, designKeyFor } from '../../rtl/gates/library.ts';
import { accumulateOf, type ArchConfig } from '../../sim/arch/schema.ts';
import { psumStore } from '../../sim/array/psum.ts';
import { libraryFactors } from '../../sim/cost/gates/calibrate.ts';
import { sampleGateEnergy } from '../../sim/cost/gates/layer-gates.ts';
import { gatePe } from '../../sim/cost/gates/pe-gates.ts';
import { peCost } from '../../sim/cost/pe-cost.ts';
import { makeTechnology } from '../../sim/cost/technology.ts';
import { mapGemm } from '../../sim/dataflows/mapping.ts';
import { InputError } from '../../sim/errors.ts';
import { getFormat } from '../../sim/pe/formats.ts';
import type { PeOptions } from '../../sim/pe/registry.ts';
import type { PeKind } from '../../sim/pe/types.ts';
import type { GemmObserver } from './array-backend.ts';

export const EXEC_GATE_GEMMS = 256;
const BLOCK_M = 64;

export interface ExecGateEnergy {
  readonly technology: 'gates45';
  readonly design: string;
  readonly gate_zeros: boolean;
  /** MACs the setup's array ran (every sample) */
  readonly macs: number;
  /** GEMMs run, and those priced */
  readonly gemms: number;
  readonly gemms_priced: number;
  /** PE energy per MAC from gates: multiplier + accumulator + registers (+ zero isolation) */
  readonly pe_pj_per_mac: number;
  readonly multiplier_pj_per_mac: number;
  readonly accumulator_pj_per_mac: number;
  readonly registers_pj_per_mac: number;
  /** MACs with a zero operand, in the priced blocks */
  readonly zero_fraction: number;
  /** the operator table's figure for the same PE and dataflow (horowitz45, 45 nm) */
  readonly table_pe_pj_per_mac: number;
  readonly pe_pj_total: number;
}

export interface GateEnergyMeter {
  readonly observe: GemmObserver;
  finish(): ExecGateEnergy;
}

/** Refuses what cannot be priced (no netlists, EN-T, an array shape) before anything runs. */
export function gateEnergyMeter(pe: PeKind, peName: string, peOptions: PeOptions, arch: ArchConfig, gateZeros: boolean): GateEnergyMeter {
  if (pe.reuse === 'ent') throw new InputError('exec --technology gates45 prices the PE\'s multiplier, accumulator and registers; EN-T\'s row encoders need bitweave run --technology gates45');
  const lib = committedLibrary();
  const design = designKeyFor(peName, peOptions);
  const g = gatePe(lib, design, pe, libraryFactors(lib));
  const df = arch.dataflow, rows = arch.array.rows, cols = arch.array.cols;
  const accumulate = accumulateOf(arch);
  const psum = psumStore(pe, arch.psum !== undefined ? getFormat(arch.psum) : undefined);
  const tablePc = peCost(pe, makeTechnology({ technology: 'horowitz45' }), { dataflow: df });
  let macs = 0, gemms = 0, priced = 0, w = 0;
  let mul = 0, acc = 0, reg = 0, iso = 0, zeros = 0;
  return {
    observe: (a, bT, m, n, k) => {
      const mk = m * n * k;
      macs += mk;
      gemms++;
      if (priced >= EXEC_GATE_GEMMS || mk === 0) return;
      priced++;
      // the block: A's first rows, B's first array-width of columns (bT is B transposed, n x k)
      const bm = Math.min(m, BLOCK_M), bn = Math.min(n, cols);
      const b = new Uint32Array(k * bn);
      for (let q = 0; q < k; q++) for (let j = 0; j < bn; j++) b[q * bn + j] = bT[j * k + q];
      const sample = { a: a.subarray(0, bm * k), b, m: bm, n: bn, k, description: 'the model\'s operands on the given inputs' };
      const e = sampleGateEnergy(g, sample, rows, cols, mapGemm({ m: bm, n: bn, k }, rows, cols, df), 'operands', { psum, gateZeros, accumulate });
      w += mk;
      mul += mk * e.multiplier_pj;
      acc += mk * e.accumulator_pj;
      reg += mk * e.registers_pj;
      iso += mk * e.isolation_pj;
      zeros += mk * e.zero_fraction;
    },
    finish: () => {
      const per = (x: number) => (w > 0 ? x / w : 0);
      const pePj = per(mul + acc + reg + iso);
      return {
        technology: 'gates45', design, gate_zeros: gateZeros, macs, gemms, gemms_priced: priced,
        pe_pj_per_mac: pePj, multiplier_pj_per_mac: per(mul + iso), accumulator_pj_per_mac: per(acc), registers_pj_per_mac: per(reg),
        zero_fraction: per(zeros), table_pe_pj_per_mac: tablePc.mac_pj + tablePc.register_pj[df], pe_pj_total: pePj * macs,
      };
    },
  };
}
