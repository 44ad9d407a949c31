/**
 * SCALE-Sim v2's report files, same headers and row layout (scalesim/simulator.py,
 * generate_reports): `LayerID, v1, v2, ...,` with ', ' separators and a trailing comma, so
 * scripts written for SCALE-Sim keep working. Built from a SimResult only.
 *
 * Units follow SCALE-Sim: SRAM/DRAM counts in words (DRAM bytes / word size), bandwidths in
 * words per cycle. Under --compat scalesim the DRAM columns come from SCALE-Sim's own memory
 * model (sim/memory/scalesim/): each buffer's DRAM words over its first-to-last DRAM cycle, as
 * SCALE-Sim divides them. Otherwise bitweave has no per-word DRAM schedule: it divides by the
 * layer's cycles and reports the window as the whole layer. SRAM start/stop cycles are those
 * of the run's schedule (under --compat scalesim, SCALE-Sim's served cycles).
 */
import type { LayerResult, SimResult } from '../sim/result.ts';

export const COMPUTE_HEADER = 'LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,';
export const BANDWIDTH_HEADER =
  'LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, ' +
  'Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,';
export const DETAILED_HEADER =
  'LayerID, ' +
  'SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, ' +
  'SRAM Filter Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, ' +
  'SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, ' +
  'DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, ' +
  'DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, ' +
  'DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,';

function row(id: number, items: readonly number[]): string {
  return `${id}, ${items.map((x) => String(x)).join(', ')},`;
}

function words(bytes: number, wordBytes: number): number {
  return Math.round(bytes / wordBytes);
}

export function computeReport(r: SimResult): string {
  const pes = r.arch.rows * r.arch.cols;
  const lines = r.layers.map((l, i) =>
    row(i, [
      l.cycles,
      l.stall_cycles,
      (l.macs * 100) / (Math.max(1, l.cycles) * pes),
      l.mapping_efficiency * 100,
      l.utilization * 100,
    ]),
  );
  return [COMPUTE_HEADER, ...lines].join('\n') + '\n';
}

function dramWords(r: SimResult, l: LayerResult): { ifmap: number; filter: number; ofmap: number } {
  const w = r.arch.word_bytes;
  return {
    ifmap: words(l.dram.ifmap_read_bytes, w.input),
    filter: words(l.dram.filter_read_bytes, w.weight),
    ofmap: words(l.dram.ofmap_write_bytes, w.psum),
  };
}

/** each buffer's DRAM window: SCALE-Sim's model's under --compat scalesim, else the whole layer */
function dramWindows(l: LayerResult): Record<'ifmap' | 'filter' | 'ofmap', { start: number; stop: number; span: number }> {
  const whole = { start: 0, stop: Math.max(0, l.cycles), span: Math.max(1, l.cycles) };
  const w = l.dram_windows;
  const of = (x: { start: number; stop: number } | undefined) => (x === undefined ? whole : { ...x, span: x.stop - x.start + 1 });
  return { ifmap: of(w?.ifmap), filter: of(w?.filter), ofmap: of(w?.ofmap) };
}

export function bandwidthReport(r: SimResult): string {
  const lines = r.layers.map((l, i) => {
    const c = Math.max(1, l.cycles);
    const d = dramWords(r, l);
    const w = dramWindows(l);
    return row(i, [
      l.sram.ifmap_reads / c,
      l.sram.filter_reads / c,
      l.sram.ofmap_writes / c,
      d.ifmap / w.ifmap.span,
      d.filter / w.filter.span,
      d.ofmap / w.ofmap.span,
    ]);
  });
  return [BANDWIDTH_HEADER, ...lines].join('\n') + '\n';
}

export function detailedAccessReport(r: SimResult): string {
  const lines = r.layers.map((l, i) => {
    const d = dramWords(r, l);
    const w = l.sram_windows;
    const dw = dramWindows(l);
    return row(i, [
      w.ifmap.start, w.ifmap.stop, l.sram.ifmap_reads,
      w.filter.start, w.filter.stop, l.sram.filter_reads,
      w.ofmap.start, w.ofmap.stop, l.sram.ofmap_writes,
      dw.ifmap.start, dw.ifmap.stop, d.ifmap,
      dw.filter.start, dw.filter.stop, d.filter,
      dw.ofmap.start, dw.ofmap.stop, d.ofmap,
    ]);
  });
  return [DETAILED_HEADER, ...lines].join('\n') + '\n';
}
