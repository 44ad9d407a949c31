/**
 * Chrome / Perfetto trace-event JSON of a run's timeline (open it in ui.perfetto.dev or
 * chrome://tracing): tracks for the array layers, the folds, the stalls, DRAM reads, DRAM
 * writes and the vector unit, placed one after another as the run counts its cycles (the
 * vector unit's work between the array layers, in the model's order). Timestamps are
 * microseconds at the arch clock (cycles / MHz), rounded to whole nanoseconds.
 *
 * Perfetto draws slices of one track as a stack: a slice that starts inside another is shown
 * as its child, and partial overlaps are drawn wrongly. DRAM transfers of successive folds
 * do overlap (a slow interface is still reading for the next fold), so every kind of slice
 * is laid out on as many tracks as it needs ("DRAM read", "DRAM read 2", ...) that no two
 * slices of one track overlap: interval partitioning, the fewest tracks possible.
 */
import type { LayerDetail } from '../sim/result.ts';
import type { VectorResult } from '../sim/workload/vector.ts';

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

/** the kinds of slices, in the order their tracks are listed */
const KINDS = ['layers', 'folds', 'stalls', 'DRAM read', 'DRAM write', 'vector unit'] as const;
type Kind = (typeof KINDS)[number];

interface Slice {
  readonly kind: Kind;
  readonly name: string;
  readonly cat: string;
  /** whole nanoseconds */
  readonly start: number;
  readonly end: number;
  readonly args?: Record<string, number | string>;
}

/** bytes of one slice's JSON, about (for size estimates) */
export const PERFETTO_BYTES_PER_SLICE = 120;

export class PerfettoTrace {
  private readonly slices: Slice[] = [];
  private readonly nsPerCycle: number;
  /** the cycle at which the next array layer or vector op starts */
  private clock = 0;

  constructor(clockMHz: number, private readonly title = 'bitweave') {
    this.nsPerCycle = 1000 / clockMHz;
  }

  /** the cycle the timeline has reached */
  get cycles(): number {
    return this.clock;
  }

  private span(kind: Kind, name: string, cat: string, startCycle: number, cycles: number, args?: Record<string, number | string>): void {
    if (!(cycles > 0)) return;
    const start = Math.round(startCycle * this.nsPerCycle);
    const end = Math.round((startCycle + cycles) * this.nsPerCycle);
    if (end > start) this.slices.push({ kind, name, cat, start, end, ...(args ? { args } : {}) });
  }

  /** the vector unit's work, one slice per op, from the current cycle on */
  addVector(ops: readonly VectorResult[]): void {
    for (const v of ops) {
      this.span('vector unit', `${v.op} ${v.name}`, 'vector', this.clock, v.cycles, { element_ops: v.element_ops, cycles: v.cycles });
      this.clock += v.cycles;
    }
  }

  /**
   * One array layer from the current cycle on: its folds, stalls and DRAM transfers, then,
   * for a layer that runs `repeat` times (heads, groups, batch), one slice for the other runs.
   */
  addLayer(d: LayerDetail, repeat = 1): void {
    const base = this.clock;
    const mp = d.mapping;
    const pf = d.traffic.perFold;
    const bw = d.arch.dram.bandwidth;
    for (let f = 0; f < mp.folds; f++) {
      const start = base + d.foldStart[f];
      const cyc = d.engine.foldCycles[f];
      const fr = f % mp.rowFolds, fc = Math.floor(f / mp.rowFolds);
      this.span('folds', `fold ${fc}.${fr}`, 'fold', start, cyc, { fc, fr });
      if (pf.stall[f] > 0) this.span('stalls', 'stall', 'stall', start - pf.stall[f], pf.stall[f]);
      const rd = pf.ifmapRead[f] + pf.filterRead[f] + pf.psumRead[f];
      if (rd > 0) {
        const dur = rd / bw;
        this.span('DRAM read', 'DRAM read', 'dram', Math.max(base, start - dur), dur, {
          ifmap_bytes: Math.round(pf.ifmapRead[f]), filter_bytes: Math.round(pf.filterRead[f]), psum_bytes: Math.round(pf.psumRead[f]),
        });
      }
      if (pf.write[f] > 0) this.span('DRAM write', 'DRAM write', 'dram', start + cyc, pf.write[f] / bw, { bytes: Math.round(pf.write[f]) });
    }
    const cycles = d.result.cycles;
    this.span('layers', d.layer.name, 'layer', base, cycles, { cycles, stall_cycles: d.result.stall_cycles, folds: mp.folds, repeat });
    if (repeat > 1) {
      this.span('layers', `${d.layer.name} x${repeat - 1} more`, 'layer', base + cycles, cycles * (repeat - 1), { cycles: cycles * (repeat - 1) });
    }
    this.clock = base + cycles * repeat;
  }

  /** slices so far (for size estimates and progress) */
  get size(): number {
    return this.slices.length;
  }

  /** The trace events: metadata naming each track, then the slices, kind by kind. */
  *events(): Generator<TraceEvent> {
    yield { name: 'process_name', cat: '__metadata', ph: 'M', ts: 0, pid: 1, tid: 0, args: { name: this.title } };
    let nextTid = 1;
    for (const [k, kind] of KINDS.entries()) {
      const slices = this.slices.filter((s) => s.kind === kind).sort((a, b) => a.start - b.start || b.end - a.end);
      // interval partitioning: each slice on the first track free at its start
      const trackEnds: number[] = [];
      const tids: number[] = [];
      for (const s of slices) {
        let lane = trackEnds.findIndex((end) => end <= s.start);
        if (lane < 0) {
          lane = trackEnds.length;
          trackEnds.push(0);
          tids.push(nextTid);
          const name = lane === 0 ? kind : `${kind} ${lane + 1}`;
          yield { name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid: 1, tid: nextTid, args: { name } };
          yield { name: 'thread_sort_index', cat: '__metadata', ph: 'M', ts: 0, pid: 1, tid: nextTid, args: { sort_index: 100 * k + lane } };
          nextTid++;
        }
        trackEnds[lane] = s.end;
        yield {
          name: s.name, cat: s.cat, ph: 'X', ts: s.start / 1000, dur: (s.end - s.start) / 1000, pid: 1, tid: tids[lane],
          ...(s.args ? { args: s.args } : {}),
        };
      }
    }
  }

  toJSON(): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns' } {
    return { traceEvents: [...this.events()], displayTimeUnit: 'ns' };
  }

  /** The JSON text in chunks, never whole (a timeline of millions of slices). */
  *chunks(): Generator<string> {
    yield '{"traceEvents":[';
    let batch: string[] = [];
    let first = true;
    for (const e of this.events()) {
      batch.push(JSON.stringify(e));
      if (batch.length >= 4096) {
        yield (first ? '' : ',') + batch.join(',');
        first = false;
        batch = [];
      }
    }
    if (batch.length > 0) yield (first ? '' : ',') + batch.join(',');
    yield '],"displayTimeUnit":"ns"}\n';
  }
}
