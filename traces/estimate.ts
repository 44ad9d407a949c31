/**
 * How many bytes `--trace` would write, estimated from a run's result before a byte is
 * written: the SRAM traces have one line per cycle of every fold per buffer (exact), each
 * with one address (or -1) per array-edge port; the DRAM traces one address per word moved;
 * the Perfetto timeline a few slices per fold. Addresses are counted at their full width,
 * so the CSV figure errs high (idle ports print "-1"), by well under 2x.
 */
import type { ArchConfig } from '../sim/arch/schema.ts';
import type { SimResult } from '../sim/result.ts';
import { PERFETTO_BYTES_PER_SLICE } from './perfetto.ts';

export interface TraceEstimate {
  /** the per-layer SRAM and DRAM CSV traces */
  readonly csv_bytes: number;
  /** timeline.perfetto.json */
  readonly perfetto_bytes: number;
}

const digits = (n: number) => String(Math.max(0, Math.floor(n))).length;

export function estimateTraceBytes(r: SimResult, arch: ArchConfig): TraceEstimate {
  const off = arch.offsets;
  const R = r.arch.rows, C = r.arch.cols;
  const cycleCol = digits(r.totals.cycles) + 1;
  const w = r.arch.word_bytes;
  const bw = r.arch.dram.bandwidth;
  let csv = 0, slices = r.vector.ops.length;
  for (const l of r.layers) {
    // traces are written for one run of a layer; its counts are for all `repeat` runs
    const folds = l.row_folds * l.col_folds;
    const lines = folds * l.fold_cycles;
    const addr = {
      ifmap: digits(off.ifmap + l.gemm.m * l.gemm.k) + 1,
      filter: digits(off.filter + l.gemm.k * l.gemm.n) + 1,
      ofmap: digits(off.ofmap + l.gemm.m * l.gemm.n) + 1,
    };
    const lanes = l.dataflow === 'is' ? { ifmap: C, filter: R } : { ifmap: R, filter: C };
    csv += lines * (3 * cycleCol + lanes.ifmap * addr.ifmap + lanes.filter * addr.filter + C * addr.ofmap);
    const d = l.dram, rep = Math.max(1, l.repeat);
    const dram = (bytes: number, wordBytes: number, addrCol: number) => {
      const words = bytes / rep / wordBytes;
      const perLine = Math.max(1, Math.floor(bw / wordBytes));
      return words * addrCol + Math.ceil(words / perLine) * cycleCol;
    };
    csv += dram(d.ifmap_read_bytes, w.input, addr.ifmap) + dram(d.filter_read_bytes, w.weight, addr.filter) +
      dram(d.ofmap_read_bytes + d.ofmap_write_bytes, w.psum, addr.ofmap);
    // a fold, its stall, its read and its write; the layer (and its repeats)
    slices += 4 * folds + 2;
  }
  return { csv_bytes: Math.round(csv), perfetto_bytes: slices * PERFETTO_BYTES_PER_SLICE };
}
