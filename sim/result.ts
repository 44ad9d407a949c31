/**
 * What a simulation gives: the SimResult (JSON output, reports, sweeps and baselines read it)
 * with its per-layer results and totals, and the per-layer detail that traces read. Types and
 * the arithmetic of totals only; simulate.ts fills them.
 */
import type { ArchConfig, Dataflow, Accumulate } from './arch/schema.ts';
import type { EngineResult, SramCounts } from './array/types.ts';
import type { Mapping } from './dataflows/mapping.ts';
import type { WordBytes } from './memory/buffers.ts';
import type { DramTraffic, LayerTraffic } from './memory/traffic.ts';
import type { NetworkScheduleSummary } from './schedulers/network/index.ts';
import type { MstWeightSource } from './schedulers/mst-layer.ts';
import type { MstStorageFormat } from './schedulers/mst-storage.ts';
import type { Layer } from './workload/layer.ts';
import type { VectorResult } from './workload/vector.ts';

export type Compat = 'none' | 'scalesim';
export type EngineName = 'fast' | 'reference';

export interface OutputSummary {
  format: string;
  count: number;
  /** FNV-1a over the output bit patterns, hex */
  checksum: string;
  /** against an exact (float64) product of the same quantized operands */
  max_abs_error: number;
  rel_error: number;
}

/** Reuse of the array schedule (EN-T is a PE option, see PeKind.reuse). */
export type ArrayReuse = 'none' | 'mst';

/** What MST reuse did to one binary layer (counts for all `repeat` runs, like the layer's). */
export interface MstLayerReuse {
  kind: 'mst';
  /** where the +-1 weights of the tree came from: the model's, or seeded random ones */
  weights: MstWeightSource;
  channels: number;
  k: number;
  /** operations per output pixel: direct N x K, with reuse K + sum(edge weights) */
  direct_ops: number;
  reuse_ops: number;
  saving: number;
  tree_depth: number;
  /** the depth bound the tree was built under (`--mst-depth`), absent for the minimum-depth MST */
  depth_bound?: number;
  /** the tree's total Hamming distance (sum over its edges) */
  total_distance: number;
  /** weight storage at the run's weight word: N x K words vs the never-larger MST storage */
  weight_bits_direct: number;
  weight_bits_reuse: number;
  /** how the weights are stored (schedulers/mst-storage.ts): the layer's format, and per child list or plain */
  storage: { format: MstStorageFormat; children_list: number; children_plain: number; flag_bits: number };
  /** operations the array performs (M x reuse_ops x repeat); `macs` stays the nominal count */
  ops: number;
  /** the layer's counts without reuse */
  direct: { cycles: number; compute_cycles: number; stall_cycles: number; sram: SramCounts; dram: DramTraffic };
  /** functional runs on an XNOR PE: the reuse outputs against the array's direct outputs */
  output_check?: { checksum_direct: string; checksum_reuse: string; identical: boolean };
}

export interface AccessWindow {
  start: number;
  stop: number;
}

/** Accuracy of a run's trained model on a data set (through the run's PE and dataflow). */
/** A language model's figures on a text set (RunAccuracy.language). */
export interface LanguageAccuracy {
  /** windows of T tokens, each scoring T next characters */
  readonly windows: number;
  readonly characters: number;
  /** mean -log2 p(next character) of the simulated arithmetic */
  readonly bits_per_char: number;
  /** 2 ^ bits_per_char */
  readonly perplexity: number;
  readonly reference_bits_per_char: number;
  readonly reference_perplexity: number;
}

/**
 * Accuracy figures of a run. On an image set, per image; on a text set (a language model), the
 * samples are windows and top-1, agreement and cosine are per character (next-token choices),
 * with the bits per character in `language`.
 */
export interface RunAccuracy {
  readonly dataset: string;
  /** images, or windows of a text set */
  readonly images: number;
  /** top-1 accuracy of the simulated arithmetic */
  readonly top1: number;
  /** top-1 accuracy of the fp32 reference executor */
  readonly reference_top1: number;
  /** share of images where the prediction equals the fp32 reference's */
  readonly agreement: number;
  /** ||logits - ref|| / ||ref|| over the whole set */
  readonly rel_error: number;
  /** mean cosine similarity of each image's logits with the reference's */
  readonly cosine: number;
  /** images (positions of a text set) whose logits were not finite */
  readonly non_finite: number;
  /** text sets only */
  readonly language?: LanguageAccuracy;
}

/** What a layer, and a whole run, counts. */
export interface RunCounts {
  cycles: number;
  compute_cycles: number;
  stall_cycles: number;
  macs: number;
  utilization: number;
  overall_utilization: number;
  mapping_efficiency: number;
  sram: SramCounts;
  dram: DramTraffic;
}

export interface LayerResult extends RunCounts {
  name: string;
  kind: Layer['kind'];
  gemm: { m: number; n: number; k: number };
  dataflow: Dataflow;
  row_folds: number;
  col_folds: number;
  fold_cycles: number;
  /** first and last cycle each SRAM is accessed (for SCALE-Sim's detailed report) */
  sram_windows: { ifmap: AccessWindow; filter: AccessWindow; ofmap: AccessWindow };
  /**
   * --compat scalesim: the first and last cycle of each buffer's DRAM transfers in SCALE-Sim's
   * memory model (sim/memory/scalesim/; the read buffers fill before the first request, so a
   * start can be negative)
   */
  dram_windows?: { ifmap: AccessWindow; filter: AccessWindow; ofmap: AccessWindow };
  /** times the layer runs (batch, groups, heads): every count above is for all of them */
  repeat: number;
  output?: OutputSummary;
  /** computation reuse applied to this layer (MST on binary layers) */
  reuse?: MstLayerReuse;
}

export interface SimTotals extends RunCounts {
  /** cycles: array cycles (stalls included) plus these vector-unit cycles */
  vector_cycles: number;
}

export interface SimResult {
  arch: {
    name: string;
    rows: number;
    cols: number;
    dataflow: Dataflow;
    pe: string;
    /** computation reuse of the run, absent when none: 'ent' (the PE's) or 'mst' (binary layers) */
    reuse?: 'ent' | 'mst';
    psum_format: string;
    /** ws / is: where partial sums of row folds are added (top: into the column; below: under it) */
    accumulate: Accumulate;
    clock_mhz: number;
    word_bytes: { input: number; weight: number; psum: number };
    /** the memory system, so a result can be costed again without its arch file */
    sram: ArchConfig['sram'];
    dram: ArchConfig['dram'];
  };
  compat: Compat;
  engine: EngineName;
  functional: boolean;
  totals: SimTotals;
  layers: LayerResult[];
  vector: { throughput: number; cycles: number; element_ops: number; ops: VectorResult[] };
  /** with a data set: the trained model's accuracy through this PE and dataflow */
  accuracy?: RunAccuracy;
  /** `run --schedule`: the network-level scratchpad schedule the DRAM traffic comes from */
  schedule?: NetworkScheduleSummary;
}

/** Everything one layer produced, for traces and tests (not part of the JSON). */
export interface LayerDetail {
  readonly index: number;
  readonly layer: Layer;
  readonly mapping: Mapping;
  readonly engine: EngineResult;
  readonly traffic: LayerTraffic;
  /** cycle at which each fold starts (after its stalls), relative to the layer start */
  readonly foldStart: Float64Array;
  readonly result: LayerResult;
  readonly words: WordBytes;
  readonly arch: ArchConfig;
}

export function emptySram(): SramCounts {
  return { ifmap_reads: 0, filter_reads: 0, ofmap_reads: 0, ofmap_writes: 0 };
}

export function emptyDram(): DramTraffic {
  return {
    ifmap_read_bytes: 0, filter_read_bytes: 0, ofmap_read_bytes: 0, ofmap_write_bytes: 0,
    compulsory_bytes: 0, non_compulsory_bytes: 0,
  };
}

/** A layer's counts for `repeat` runs of the same shape on different operands. */
export function repeated(l: LayerResult, repeat: number): LayerResult {
  if (repeat === 1) return l;
  const times = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, (v as number) * repeat])) as T;
  const r = l.reuse;
  return {
    ...l,
    repeat,
    cycles: l.cycles * repeat,
    compute_cycles: l.compute_cycles * repeat,
    stall_cycles: l.stall_cycles * repeat,
    macs: l.macs * repeat,
    sram: times(l.sram),
    dram: times(l.dram),
    ...(r !== undefined && {
      reuse: {
        ...r,
        weight_bits_direct: r.weight_bits_direct * repeat,
        weight_bits_reuse: r.weight_bits_reuse * repeat,
        ops: r.ops * repeat,
        direct: {
          cycles: r.direct.cycles * repeat, compute_cycles: r.direct.compute_cycles * repeat, stall_cycles: r.direct.stall_cycles * repeat,
          sram: times(r.direct.sram), dram: times(r.direct.dram),
        },
      },
    }),
  };
}

export function totalsOf(layers: readonly LayerResult[], pes: number, vectorCycles: number): SimTotals {
  const t: SimTotals = {
    cycles: vectorCycles, vector_cycles: vectorCycles, compute_cycles: 0, stall_cycles: 0, macs: 0, utilization: 0, overall_utilization: 0,
    mapping_efficiency: 0, sram: emptySram(), dram: emptyDram(),
  };
  let folds = 0, effSum = 0, ops = 0;
  for (const l of layers) {
    t.cycles += l.cycles;
    t.compute_cycles += l.compute_cycles;
    t.stall_cycles += l.stall_cycles;
    t.macs += l.macs;
    ops += l.reuse?.ops ?? l.macs;
    for (const key of Object.keys(t.sram) as (keyof SramCounts)[]) t.sram[key] += l.sram[key];
    for (const key of Object.keys(t.dram) as (keyof DramTraffic)[]) t.dram[key] += l.dram[key];
    const f = l.row_folds * l.col_folds * l.repeat;
    folds += f;
    effSum += l.mapping_efficiency * f;
  }
  // operations the array performed (MST reuse performs fewer than the nominal MACs)
  t.utilization = t.compute_cycles > 0 ? ops / (pes * t.compute_cycles) : 0;
  t.overall_utilization = t.cycles > 0 ? ops / (pes * t.cycles) : 0;
  t.mapping_efficiency = folds > 0 ? effSum / folds : 0;
  return t;
}
