/**
 * Per-cycle SRAM access traces in SCALE-Sim's layout (IFMAP_SRAM_TRACE.csv, ...): one line per
 * cycle, `cycle,addr,addr,...` (numpy savetxt, %i, no trailing comma) with one column per array-edge port and -1 where the port is
 * idle. Addresses follow SCALE-Sim's operand matrices: ifmap = offset + HWC index of the input
 * element (padding is never read: -1), filter = offset + n * K + k, ofmap = offset + m * N + n.
 * Stall cycles have no line (the cycle column jumps), as in SCALE-Sim's traces. The OFMAP trace
 * holds writes only, like SCALE-Sim's.
 *
 * The accesses are the dataflow's edge events (sim/dataflows/), the same events the reference
 * engine moves through the array: what enters the left and top edges and what leaves as an
 * output, cycle by cycle. Lines are produced fold by fold and handed to `sink` in chunks: a
 * trace is never held whole.
 */
import { ifmapIndex } from '../sim/workload/im2col.ts';
import { folds } from '../sim/dataflows/mapping.ts';
import { NONE, type EdgeEvents, type Operand } from '../sim/dataflows/types.ts';
import type { LayerDetail } from '../sim/result.ts';

export interface TraceSinks {
  ifmap: (chunk: string) => void;
  filter: (chunk: string) => void;
  ofmap: (chunk: string) => void;
}

export function writeSramTraces(d: LayerDetail, sinks: TraceSinks, cycleBase = 0): void {
  const { mapping: mp, layer, arch } = d;
  const { rules } = mp;
  const { n, k: K } = mp.gemm;
  const off = arch.offsets;
  /** SRAM address of an element of A (m * K + k) or B (k * N + n) */
  const address = (op: Operand, e: number): number => {
    if (op === 'b') {
      const kk = Math.floor(e / n);
      return off.filter + (e - kk * n) * K + kk;
    }
    const m = Math.floor(e / K);
    const idx = ifmapIndex(layer, m, e - m * K);
    return idx < 0 ? -1 : off.ifmap + idx;
  };
  const bufs = { ifmap: [] as string[], filter: [] as string[], ofmap: [] as string[] };
  const flush = (force: boolean): void => {
    for (const key of ['ifmap', 'filter', 'ofmap'] as const) {
      if (bufs[key].length > 0 && (force || bufs[key].length >= 4096)) {
        sinks[key](bufs[key].join('\n') + '\n');
        bufs[key] = [];
      }
    }
  };
  const lanes = rules.edgeLanes(mp.rows, mp.cols);
  const port = { a: new Array<number>(lanes.ifmap), b: new Array<number>(lanes.filter) };
  const oa = new Array<number>(mp.cols);
  const ev: EdgeEvents = { preload: false, rowSlot: new Int32Array(mp.rows), colSlot: new Int32Array(mp.cols), outSlot: new Int32Array(mp.cols) };
  // the row edge feeds one operand's port, the top edge the other's (os, and ws / is while preloading)
  const rowPort = port[rules.rowOperand], topPort = port[rules.topOperand];
  for (const f of folds(mp)) {
    const start = cycleBase + d.foldStart[f.fc * mp.rowFolds + f.fr];
    for (let tau = 0; tau < mp.foldCycles; tau++) {
      rules.edges(mp, tau, ev);
      port.a.fill(-1); port.b.fill(-1); oa.fill(-1);
      for (let r = 0; r < mp.rows; r++) {
        const e = ev.rowSlot[r] === NONE ? NONE : rules.rowElement(mp, f, r, ev.rowSlot[r]);
        if (e !== NONE) rowPort[r] = address(rules.rowOperand, e);
      }
      const topCarriesOperand = rules.stationary === 'output' || ev.preload;
      for (let c = 0; c < mp.cols; c++) {
        if (topCarriesOperand && ev.colSlot[c] !== NONE) {
          const e = rules.colElement(mp, f, c, ev.colSlot[c]);
          if (e !== NONE) topPort[c] = address(rules.topOperand, e);
        }
        const o = ev.outSlot[c] === NONE ? NONE : rules.outElement(mp, f, c, ev.outSlot[c]);
        if (o !== NONE) oa[c] = off.ofmap + o;
      }
      const cyc = start + tau;
      bufs.ifmap.push(`${cyc},${port.a.join(',')}`);
      bufs.filter.push(`${cyc},${port.b.join(',')}`);
      bufs.ofmap.push(`${cyc},${oa.join(',')}`);
    }
    flush(false);
  }
  flush(true);
}
