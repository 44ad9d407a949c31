/**
 * Per-cycle SRAM access traces in SCALE-Sim's layout (IFMAP_SRAM_TRACE.csv, ...): one line per
 * cycle, `cycle,addr,addr,...` (numpy savetxt, %i, no trailing comma) with one column per array-edge port and -1 where the port is
 * idle. Addresses follow SCALE-Sim's operand matrices: ifmap = offset + HWC index of the input
 * element (padding is never read: -1), filter = offset + n * K + k, ofmap = offset + m * N + n.
 * Stall cycles have no line (the cycle column jumps), as in SCALE-Sim's traces. The OFMAP trace
 * holds writes only, like SCALE-Sim's.
 *
 * Lines are produced fold by fold and handed to `sink` in chunks: a trace is never held whole.
 */
import { ifmapIndex } from '../sim/workload/im2col.ts';
import { colsUsed, rowsUsed } from '../sim/dataflows/mapping.ts';
import type { LayerDetail } from '../sim/run.ts';

export interface TraceSinks {
  ifmap: (chunk: string) => void;
  filter: (chunk: string) => void;
  ofmap: (chunk: string) => void;
}

export function writeSramTraces(d: LayerDetail, sinks: TraceSinks, cycleBase = 0): void {
  const { mapping: mp, layer, arch } = d;
  const { n, k: K } = mp.gemm;
  const R = mp.rows, C = mp.cols, T = mp.t;
  const off = arch.offsets;
  const ifA = (m: number, k: number): number => {
    const idx = ifmapIndex(layer, m, k);
    return idx < 0 ? -1 : off.ifmap + idx;
  };
  const fB = (k: number, nn: number): number => off.filter + nn * K + k;
  const oC = (m: number, nn: number): number => off.ofmap + m * n + nn;
  const bufs = { ifmap: [] as string[], filter: [] as string[], ofmap: [] as string[] };
  const flush = (force: boolean): void => {
    for (const key of ['ifmap', 'filter', 'ofmap'] as const) {
      if (bufs[key].length > 0 && (force || bufs[key].length >= 4096)) {
        sinks[key](bufs[key].join('\n') + '\n');
        bufs[key] = [];
      }
    }
  };
  const ifLanes = mp.dataflow === 'is' ? C : R;
  const fLanes = mp.dataflow === 'is' ? R : C;
  const ia = new Array<number>(ifLanes), fa = new Array<number>(fLanes), oa = new Array<number>(C);
  for (let fc = 0; fc < mp.colFolds; fc++) {
    const cu = colsUsed(mp, fc), c0 = fc * C;
    for (let fr = 0; fr < mp.rowFolds; fr++) {
      const ru = rowsUsed(mp, fr), r0 = fr * R;
      const f = fc * mp.rowFolds + fr;
      const start = cycleBase + d.foldStart[f];
      for (let tau = 0; tau < mp.foldCycles; tau++) {
        ia.fill(-1); fa.fill(-1); oa.fill(-1);
        if (mp.dataflow === 'os') {
          for (let r = 0; r < ru; r++) { const k = tau - r; if (k >= 0 && k < T) ia[r] = ifA(r0 + r, k); }
          for (let c = 0; c < cu; c++) { const k = tau - c; if (k >= 0 && k < T) fa[c] = fB(k, c0 + c); }
          for (let c = 0; c < cu; c++) { const r = tau - (T - 1) - c; if (r >= 0 && r < ru) oa[c] = oC(r0 + r, c0 + c); }
        } else {
          const ws = mp.dataflow === 'ws';
          if (tau < R) {
            const j = R - 1 - tau;
            if (j < ru) {
              for (let c = 0; c < cu; c++) {
                if (ws) fa[c] = fB(r0 + j, c0 + c);
                else ia[c] = ifA(c0 + c, r0 + j);
              }
            }
          } else {
            const s = tau - R;
            for (let r = 0; r < ru; r++) {
              const slot = s - r;
              if (slot >= 0 && slot < T) {
                if (ws) ia[r] = ifA(slot, r0 + r);
                else fa[r] = fB(r0 + r, slot);
              }
            }
            for (let c = 0; c < cu; c++) {
              const slot = s - (R - 1) - c;
              if (slot >= 0 && slot < T) oa[c] = ws ? oC(slot, c0 + c) : oC(c0 + c, slot);
            }
          }
        }
        const cyc = start + tau;
        bufs.ifmap.push(`${cyc},${ia.join(',')}`);
        bufs.filter.push(`${cyc},${fa.join(',')}`);
        bufs.ofmap.push(`${cyc},${oa.join(',')}`);
      }
      flush(false);
    }
  }
  flush(true);
}
