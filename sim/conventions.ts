/**
 * How a run counts and reports: bitweave's own conventions (`--compat none`, the default) or
 * SCALE-Sim v2's (`--compat scalesim`, for parity). One object per convention, so the
 * simulation asks the object instead of testing the name.
 *
 * bitweave's conventions:
 *  - cycles = compute cycles (sum of fold lengths, sim/dataflows/) + stall cycles from the
 *    DRAM model (memory/traffic.ts); word sizes from the PE's formats;
 *  - convolutions carry real padding (the topology reader decides it, `same` by default);
 *    padding is not read from SRAM;
 *  - utilization = MACs / (R x C x compute cycles); overall_utilization also counts stalls;
 *  - ofmap_reads counts partial sums read back between folds;
 *  - MST reuse and network schedules are available.
 * SCALE-Sim v2's conventions:
 *  - its memory system (sim/memory/scalesim/, a port of its double-buffered scratchpad): reported
 *    cycles = the cycle its last output row is served (the last cycle index), stalls, DRAM
 *    words and the first and last DRAM and SRAM cycles as its buffers count them, with its
 *    estimated bandwidth (InterfaceBandwidth CALC, arch dram.interface_bandwidth 'calc', the
 *    default) or `bandwidth` words per cycle (USER, 'user'); 1-byte words;
 *  - topology convolutions are padded its way (a last window may hang over the border);
 *  - utilization = its "Compute Util" (mean per-fold ratio, with its per-fold cycle count);
 *  - SRAM counts as its compute model counts them: padding requests (-1) count as reads, no
 *    partial-sum reads, and the dataflow's own extra writes (os: R + C per fold,
 *    systolic_compute_os.py adds the drained matrix's shape[0] + shape[1] to ofmap_writes);
 *  - no computation reuse, no network schedule (SCALE-Sim has neither).
 */
import type { SramCounts } from './array/types.ts';
import type { Mapping } from './dataflows/mapping.ts';
import type { WordBytes } from './memory/buffers.ts';
import { bytesPerValue, type NumberFormat } from './pe/formats.ts';
import type { PeKind } from './pe/types.ts';
import type { Compat } from './result.ts';
import type { Layer, PaddingMode } from './workload/layer.ts';
import type { ArchConfig } from './arch/schema.ts';
import { scaleSimMemory, type ScaleSimMemoryResult } from './memory/scalesim/memory-system.ts';

export interface Conventions {
  readonly name: Compat;
  /** bytes of an input, weight and partial-sum word */
  wordBytes(pe: PeKind, psum: NumberFormat | undefined): WordBytes;
  /** padding of topology convolutions unless the user says otherwise */
  readonly topologyPadding: PaddingMode;
  /** padding entries of A count as SRAM reads (SCALE-Sim's -1 requests) */
  readonly countPadReads: boolean;
  /** the DRAM interface never stalls the array */
  readonly stallFree: boolean;
  /** the cycles a layer reports, from its compute and stall cycles */
  reportedCycles(computeCycles: number, stallCycles: number): number;
  /** the utilization a layer reports */
  utilization(mp: Mapping, macs: number, computeCycles: number): number;
  /** the SRAM counts a layer reports, from the engine's */
  reportedSram(engine: SramCounts, mp: Mapping): SramCounts;
  /** why MST reuse and network schedules are refused, or undefined when they are allowed */
  readonly noReuse?: string;
  /**
   * a memory model of its own: SCALE-Sim's buffers cycle by cycle (its stalls, DRAM counts and
   * windows, SRAM windows) in place of bitweave's per-fold traffic model
   */
  readonly memory?: (layer: Layer, mp: Mapping, arch: ArchConfig) => ScaleSimMemoryResult;
}

const BITWEAVE: Conventions = {
  name: 'none',
  wordBytes: (pe, psum) => ({ input: bytesPerValue(pe.input), weight: bytesPerValue(pe.weight), psum: bytesPerValue(psum ?? pe.acc) }),
  topologyPadding: 'same',
  countPadReads: false,
  stallFree: false,
  reportedCycles: (compute, stall) => compute + stall,
  utilization: (mp, macs, compute) => macs / (mp.rows * mp.cols * compute),
  reportedSram: (engine) => ({ ...engine }),
};

const SCALESIM_V2: Conventions = {
  name: 'scalesim',
  wordBytes: () => ({ input: 1, weight: 1, psum: 1 }),
  topologyPadding: 'scalesim',
  countPadReads: true,
  stallFree: true,
  reportedCycles: (compute) => compute - 1,
  utilization: (mp) => mp.rules.scaleSim.computeUtil(mp),
  reportedSram: (engine, mp) => ({
    ...engine,
    ofmap_reads: 0,
    ofmap_writes: engine.ofmap_writes + mp.folds * mp.rules.scaleSim.extraOfmapWritesPerFold(mp.rows, mp.cols),
  }),
  noReuse: 'SCALE-Sim parity (--compat scalesim) has no computation reuse or network schedule; use --compat none',
  memory: scaleSimMemory,
};

const ALL: Readonly<Record<Compat, Conventions>> = { none: BITWEAVE, scalesim: SCALESIM_V2 };

export function conventionsOf(compat: Compat): Conventions {
  return ALL[compat];
}
