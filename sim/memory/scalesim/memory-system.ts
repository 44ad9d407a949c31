/**
 * SCALE-Sim v2's memory simulation of one layer (scalesim/memory/double_buffered_scratchpad_mem.py,
 * service_memory_requests, with single_layer_sim.py's set-up), for `--compat scalesim`: the
 * demand rows of the three operands (./demand.ts) go through its double-buffered ifmap and
 * filter read buffers and its ofmap write buffer (./buffers.ts) cycle by cycle; a row that
 * has to wait stalls the whole array. What comes out is what SCALE-Sim's reports print: total
 * and stall cycles, the cycles of each SRAM's first and last access, and each buffer's DRAM
 * words and first and last DRAM cycle.
 *
 * Set-up as single_layer_sim.py: word size 1, half of each buffer active; under
 * `InterfaceBandwidth: CALC` the read buffers estimate their bandwidth (10 words per cycle to
 * start with) and the write buffer drains `cols` words per cycle; under `USER` all three move
 * `Bandwidth` words per cycle.
 */
import type { ArchConfig } from '../../arch/schema.ts';
import type { Mapping } from '../../dataflows/mapping.ts';
import type { Layer } from '../../workload/layer.ts';
import { EstimateReadBuffer, HIT_LATENCY, ReadBuffer, WriteBuffer, type DramActivity, type ReadBufferModel } from './buffers.ts';
import { scaleSimDemand, type Operand } from './demand.ts';

/** an SRAM's first and last access, as the cycles its trace rows were served */
export interface SramWindow {
  readonly start: number;
  readonly stop: number;
}

export interface ScaleSimMemoryResult {
  /** the cycle the last ofmap row was served (SCALE-Sim's Total Cycles) */
  readonly totalCycles: number;
  readonly stallCycles: number;
  readonly sram: Readonly<Record<Operand, SramWindow>>;
  readonly dram: Readonly<Record<Operand, DramActivity>>;
}

/** CALC: SCALE-Sim's starting estimate of the read buffers' DRAM bandwidth, words per cycle */
const CALC_READ_BANDWIDTH = 10;

export function scaleSimMemory(layer: Layer, mp: Mapping, arch: ArchConfig): ScaleSimMemoryResult {
  const demand = scaleSimDemand(layer, mp);
  const user = arch.dram.interface_bandwidth === 'user';
  const kb = (x: number) => 1024 * x;
  const sizes = arch.sram.unified_kb !== undefined
    ? { ifmap: kb(arch.sram.unified_kb) / 3, filter: kb(arch.sram.unified_kb) / 3, ofmap: kb(arch.sram.unified_kb) / 3 }
    : { ifmap: kb(arch.sram.ifmap_kb ?? 0), filter: kb(arch.sram.filter_kb ?? 0), ofmap: kb(arch.sram.ofmap_kb ?? 0) };
  const bw = arch.dram.bandwidth;
  const read = (op: 'ifmap' | 'filter'): ReadBufferModel => (user
    ? new ReadBuffer(sizes[op], bw, demand.extent[op], (visit) => demand.prefetch(op, visit))
    : new EstimateReadBuffer(sizes[op], CALC_READ_BANDWIDTH, demand.extent[op]));
  const ifmapBuf = read('ifmap'), filterBuf = read('filter');
  const ofmapBuf = new WriteBuffer(sizes.ofmap, user ? bw : mp.cols);

  const lines = {
    ifmap: new Int32Array(demand.width.ifmap),
    filter: new Int32Array(demand.width.filter),
    ofmap: new Int32Array(demand.width.ofmap),
  };
  const window = { ifmap: { start: NaN, stop: NaN }, filter: { start: NaN, stop: NaN }, ofmap: { start: NaN, stop: NaN } };
  const served = (op: Operand, count: number, cycle: number) => {
    if (count === 0) return;
    const w = window[op];
    if (Number.isNaN(w.start)) w.start = cycle;
    w.stop = cycle;
  };
  let stall = 0;
  let lastOfmap = 0;
  let row = 0;
  for (let f = 0; f < demand.folds; f++) {
    for (let t = 0; t < demand.rowsPerFold; t++, row++) {
      const cycle = row + stall;
      const ni = demand.line('ifmap', f, t, lines.ifmap);
      const iOut = ifmapBuf.serve(cycle, lines.ifmap, ni);
      const nf = demand.line('filter', f, t, lines.filter);
      const fOut = filterBuf.serve(cycle, lines.filter, nf);
      const no = demand.line('ofmap', f, t, lines.ofmap);
      const oOut = ofmapBuf.serve(cycle, no);
      stall += Math.trunc(Math.max(iOut - cycle - HIT_LATENCY, fOut - cycle - HIT_LATENCY, oOut - cycle));
      served('ifmap', ni, iOut);
      served('filter', nf, fOut);
      served('ofmap', no, oOut);
      lastOfmap = oOut;
    }
  }
  ifmapBuf.finish();
  filterBuf.finish();
  ofmapBuf.finish(lastOfmap);
  const sram = Object.fromEntries((['ifmap', 'filter', 'ofmap'] as const).map((op) => {
    const w = window[op];
    return [op, { start: Number.isNaN(w.start) ? 0 : w.start, stop: Number.isNaN(w.stop) ? 0 : w.stop }];
  })) as Record<Operand, SramWindow>;
  return {
    totalCycles: Math.trunc(lastOfmap),
    stallCycles: stall,
    sram,
    dram: { ifmap: ifmapBuf.dram(), filter: filterBuf.dram(), ofmap: ofmapBuf.dram() },
  };
}
