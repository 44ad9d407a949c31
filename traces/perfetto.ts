/**
 * Chrome / Perfetto trace-event JSON of a run's timeline (open it in ui.perfetto.dev or
 * chrome://tracing): one track for layers, one for folds, one for stalls and one per DRAM
 * direction. Timestamps are microseconds at the arch clock (cycles / MHz).
 */
import type { LayerDetail } from '../sim/result.ts';

export interface TraceEvent {
  name: string;
  cat: string;
  ph: 'X' | 'M';
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: Record<string, number | string>;
}

const TRACKS = { layers: 1, folds: 2, stalls: 3, dramRead: 4, dramWrite: 5 } as const;

export class PerfettoTrace {
  readonly events: TraceEvent[] = [];
  private readonly usPerCycle: number;

  constructor(clockMHz: number, title = 'bitweave') {
    this.usPerCycle = 1 / clockMHz;
    this.events.push({ name: 'process_name', cat: '__metadata', ph: 'M', ts: 0, pid: 1, tid: 0, args: { name: title } });
    for (const [name, tid] of Object.entries(TRACKS)) {
      this.events.push({ name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid: 1, tid, args: { name } });
    }
  }

  private span(name: string, cat: string, tid: number, startCycle: number, cycles: number, args?: Record<string, number | string>): void {
    this.events.push({
      name, cat, ph: 'X', ts: startCycle * this.usPerCycle, dur: cycles * this.usPerCycle, pid: 1, tid,
      ...(args ? { args } : {}),
    });
  }

  /** adds one layer starting at `base` cycles; returns the cycle after it */
  addLayer(d: LayerDetail, base: number): number {
    const mp = d.mapping;
    const pf = d.traffic.perFold;
    const bw = d.arch.dram.bandwidth;
    let end = base;
    for (let f = 0; f < mp.folds; f++) {
      const start = base + d.foldStart[f];
      const cyc = d.engine.foldCycles[f];
      const fr = f % mp.rowFolds, fc = Math.floor(f / mp.rowFolds);
      this.span(`fold ${fc}.${fr}`, 'fold', TRACKS.folds, start, cyc, { fc, fr });
      if (pf.stall[f] > 0) this.span('stall', 'stall', TRACKS.stalls, start - pf.stall[f], pf.stall[f]);
      const rd = pf.ifmapRead[f] + pf.filterRead[f] + pf.psumRead[f];
      if (rd > 0) {
        const dur = rd / bw;
        this.span('DRAM read', 'dram', TRACKS.dramRead, Math.max(base, start - dur), dur, {
          ifmap_bytes: Math.round(pf.ifmapRead[f]), filter_bytes: Math.round(pf.filterRead[f]), psum_bytes: Math.round(pf.psumRead[f]),
        });
      }
      if (pf.write[f] > 0) this.span('DRAM write', 'dram', TRACKS.dramWrite, start + cyc, pf.write[f] / bw, { bytes: Math.round(pf.write[f]) });
      end = Math.max(end, start + cyc);
    }
    end += pf.stall[mp.folds];
    this.span(d.layer.name, 'layer', TRACKS.layers, base, end - base, {
      cycles: d.result.cycles, stall_cycles: d.result.stall_cycles, folds: mp.folds,
    });
    return end;
  }

  toJSON(): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns' } {
    return { traceEvents: this.events, displayTimeUnit: 'ns' };
  }
}
