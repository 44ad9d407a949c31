/**
 * One simulation: (arch, layers, options) -> SimResult.
 *
 * bitweave's conventions (default):
 *  - cycles = compute cycles (sum of fold lengths, see dataflows/mapping.ts) + stall cycles
 *    from the DRAM model (memory/traffic.ts); word sizes from the PE's formats;
 *  - convolutions carry real padding (the topology reader decides it); padding is not read
 *    from SRAM;
 *  - utilization = MACs / (R x C x compute cycles); overall_utilization also counts stalls;
 *  - ofmap_reads counts partial sums read back between folds.
 * SCALE-Sim parity (`compat: 'scalesim'`), SCALE-Sim v2's conventions:
 *  - reported cycles = the last cycle index (compute cycles - 1), no stalls (its CALC
 *    interface bandwidth), 1-byte words;
 *  - utilization = its "Compute Util" (mean per-fold ratio, with its per-fold cycle count);
 *  - SRAM counts as its compute model counts them: padding requests (-1) count as reads, no
 *    partial-sum reads, and in os an extra
 *    R + C ofmap writes per fold (systolic_compute_os.py adds the drained matrix's
 *    shape[0] + shape[1] to ofmap_writes).
 * Computation reuse:
 *  - EN-T (`pe.reuse === 'ent'`) changes no count: the bits are the plain PE's and the cost
 *    model (sim/cost) prices the encoders, the wider registers and the simpler multiplier;
 *    `arch.reuse` records it.
 *  - MST (`reuse: 'mst'`) reschedules each binary layer (schedulers/mst-layer.ts): fewer
 *    operations and compute cycles, a difference-list weight format (filter footprint, DRAM
 *    bytes, stalls, filter reads), parent outputs read back. The layer's `reuse` block holds
 *    the statistics and the counts without reuse; `macs` stays the layer's nominal MACs and
 *    utilization counts the operations performed. Functional runs on an XNOR PE compute the
 *    binary layers with the tree's weights and check the reuse outputs against the array's.
 */
import { makeRng } from './random.ts';
import { InputError } from './errors.ts';
import { runVector, type VectorResult, type VectorWork } from './workload/vector.ts';
import { gemmView, ifmapElements, type Layer } from './workload/layer.ts';
import type { ArchConfig, Dataflow } from './arch/schema.ts';
import { fastEngine } from './array/fast-engine.ts';
import { psumStore, type PsumStore } from './array/psum.ts';
import { referenceEngine } from './array/reference-engine.ts';
import type { EngineResult, SramCounts } from './array/types.ts';
import { capacities, type WordBytes } from './memory/buffers.ts';
import { footprints, layerTraffic, type DramTraffic, type LayerTraffic } from './memory/traffic.ts';
import { decode } from './pe/codec.ts';
import { bytesPerValue, type NumberFormat } from './pe/formats.ts';
import type { PeKind } from './pe/types.ts';
import { im2col } from './workload/im2col.ts';
import type { NetworkScheduleSummary } from './schedulers/network/index.ts';
import { reuseDot } from './schedulers/mst-reuse.ts';
import {
  layerWeightSeed, mstComputeCycles, mstWeightBits, packColumns, planMst, randomPacked,
  type MstPlan, type MstWeightSource,
} from './schedulers/mst-layer.ts';
import { packBinary, wordsFor } from './pe/xnor.ts';
import { mapGemm, mappingEfficiency, scaleSimComputeUtil, type Mapping } from './dataflows/mapping.ts';

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
  /** weight storage at the run's weight word: N x K words vs root + difference lists */
  weight_bits_direct: number;
  weight_bits_reuse: number;
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
export interface RunAccuracy {
  readonly dataset: string;
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
  /** images whose logits were not finite */
  readonly non_finite: number;
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

export interface RunOptions {
  readonly arch: ArchConfig;
  readonly pe: PeKind;
  /** partial-sum storage format; default: the PE's accumulator format */
  readonly psumFormat?: NumberFormat;
  readonly layers: readonly Layer[];
  /** how many times each layer runs (default 1): counts scale, one instance is simulated */
  readonly repeats?: readonly number[];
  /** work for the vector unit (the model's non-matrix operators) */
  readonly vectorOps?: readonly VectorWork[];
  readonly compat?: Compat;
  readonly engine?: EngineName;
  /** compute the output values (seeded random operands) */
  readonly functional?: boolean;
  readonly seed?: number;
  readonly onLayer?: (detail: LayerDetail) => void;
  /** 'mst': MST-ordered channels on every binary layer (needs at least one) */
  readonly reuse?: ArrayReuse;
  /** per layer: +-1 weights (binary conv / linear); default: every layer when the PE is XNOR */
  readonly binary?: readonly boolean[];
  /** per layer: the model's weights in B layout (K x N row-major), for MST's tree (signs used) */
  readonly weights?: readonly (Float32Array | undefined)[];
}


export function wordBytes(pe: PeKind, psum: NumberFormat | undefined, compat: Compat): WordBytes {
  if (compat === 'scalesim') return { input: 1, weight: 1, psum: 1 };
  return { input: bytesPerValue(pe.input), weight: bytesPerValue(pe.weight), psum: bytesPerValue(psum ?? pe.acc) };
}

function fnv1a(bits: Float64Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bits.length; i++) {
    let v = bits[i];
    // 8 bytes of the (up to 53-bit) integer pattern, low first
    for (let j = 0; j < 7; j++) {
      h ^= v % 256;
      h = Math.imul(h, 0x01000193) >>> 0;
      v = Math.floor(v / 256);
    }
  }
  return h.toString(16).padStart(8, '0');
}

/** First/last access cycle within a fold, per operand, from the fold's data movement. */
function inFoldWindows(mp: Mapping, ru: number, cu: number): { ifmap: [number, number]; filter: [number, number]; ofmap: [number, number] } {
  const R = mp.rows, T = mp.t;
  if (mp.dataflow === 'os') {
    return { ifmap: [0, T - 1 + ru - 1], filter: [0, T - 1 + cu - 1], ofmap: [T - 1, T - 1 + ru - 1 + cu - 1] };
  }
  const preload: [number, number] = [R - ru, R - 1];
  const stream: [number, number] = [R, R + T - 1 + ru - 1];
  const out: [number, number] = [R + R - 1, R + T - 1 + R - 1 + cu - 1];
  return mp.dataflow === 'ws'
    ? { ifmap: stream, filter: preload, ofmap: out }
    : { ifmap: preload, filter: stream, ofmap: out };
}

function emptySram(): SramCounts {
  return { ifmap_reads: 0, filter_reads: 0, ofmap_reads: 0, ofmap_writes: 0 };
}

function emptyDram(): DramTraffic {
  return {
    ifmap_read_bytes: 0, filter_read_bytes: 0, ofmap_read_bytes: 0, ofmap_write_bytes: 0,
    compulsory_bytes: 0, non_compulsory_bytes: 0,
  };
}

export function simulate(opts: RunOptions): SimResult {
  const { arch, pe } = opts;
  const compat = opts.compat ?? 'none';
  const engineName = opts.engine ?? 'fast';
  const engine = engineName === 'reference' ? referenceEngine : fastEngine;
  const store: PsumStore = psumStore(pe, opts.psumFormat);
  const words = wordBytes(pe, opts.psumFormat, compat);
  const R = arch.array.rows, C = arch.array.cols;
  const rng = makeRng(opts.seed ?? 1);
  const rand = rng.next;
  const layers: LayerResult[] = [];
  const vectorOps = (opts.vectorOps ?? []).map((w) => runVector(w, arch.vector_throughput));
  const vector = {
    throughput: arch.vector_throughput,
    cycles: vectorOps.reduce((c, v) => c + v.cycles, 0),
    element_ops: vectorOps.reduce((c, v) => c + v.element_ops, 0),
    ops: vectorOps,
  };
  const mst = (opts.reuse ?? 'none') === 'mst';
  const seed = opts.seed ?? 1;
  const isBinary = (i: number): boolean => pe.multiplier === 'xnor' || (opts.binary?.[i] ?? false);
  if (mst) {
    if (compat === 'scalesim') throw new InputError('--reuse mst: SCALE-Sim parity (--compat scalesim) has no reuse; use --compat none');
    if (pe.reuse === 'ent') throw new InputError('--reuse takes one scheme: ent (a PE option) or mst (binary layers), not both');
    if (!opts.layers.some((_, i) => isBinary(i))) {
      throw new InputError(
        `--reuse mst needs binary layers (+-1 weights): none of the ${opts.layers.length} layer(s) is binary and the PE ` +
          `${pe.name} is not xnor; use a model with binary conv / linear layers (e.g. binary_resnet18) or --pe xnor`,
      );
    }
  }
  opts.layers.forEach((layer, index) => {
    const g = gemmView(layer);
    const mp = mapGemm(g, R, C, arch.dataflow);
    const fp = footprints(layer, mp, words);
    const cap = capacities(arch, mp, words, fp, `${arch.name} (layer ${layer.name})`);
    let plan: MstPlan | undefined;
    if (mst && isBinary(index)) {
      const w = opts.weights?.[index];
      if (w !== undefined && w.length !== g.k * g.n) {
        throw new InputError(`layer ${layer.name}: ${w.length} weights given for MST reuse, the layer has K x N = ${g.k} x ${g.n}`);
      }
      const packed = w !== undefined ? packColumns(w, g.k, g.n, (v) => v < 0) : randomPacked(layerWeightSeed(seed, index), g.n, g.k);
      plan = planMst(packed, g.n, g.k, w !== undefined ? 'model' : 'random');
    }
    let operands;
    let ifmapVals: Float64Array | undefined;
    let bVals: Float64Array | undefined;
    if (opts.functional) {
      const nIn = ifmapElements(layer);
      const ifmap = new Float64Array(nIn);
      ifmapVals = new Float64Array(nIn);
      for (let i = 0; i < nIn; i++) ifmap[i] = pe.quantizeInput(rand() * 2 - 1);
      const b = new Float64Array(g.k * g.n);
      for (let i = 0; i < b.length; i++) b[i] = pe.quantizeWeight(rand() * 2 - 1);
      // an XNOR array computes a reused layer with the tree's own weights (bit 1 = -1)
      if (plan !== undefined && pe.multiplier === 'xnor') unpackColumns(plan.packed, g.k, g.n, b);
      bVals = b;
      const { a } = im2col(layer, g.m, g.k, ifmap, pe.quantizeInput(0));
      operands = { pe, psum: store, a, b };
    }
    const er = engine({ layer, mapping: mp, countPadReads: compat === 'scalesim', ...(operands ? { operands } : {}) });
    const traffic = layerTraffic(layer, mp, words, fp, cap, {
      bandwidth: arch.dram.bandwidth,
      latency: arch.dram.latency,
      doubleBuffered: arch.sram.double_buffered,
      stallFree: compat === 'scalesim',
    });
    const sram = { ...er.sram };
    if (compat === 'scalesim') {
      sram.ofmap_reads = 0;
      if (mp.dataflow === 'os') sram.ofmap_writes += mp.folds * (R + C);
    }
    const stall = traffic.stallCycles;
    const cycles = compat === 'scalesim' ? er.computeCycles - 1 : er.computeCycles + stall;
    const foldStart = new Float64Array(mp.folds);
    let clock = 0;
    for (let f = 0; f < mp.folds; f++) {
      clock += traffic.perFold.stall[f];
      foldStart[f] = clock;
      clock += er.foldCycles[f];
    }
    // access windows: first fold's first access, last fold's last access
    const lastF = mp.folds - 1;
    const w0 = inFoldWindows(mp, Math.min(R, mp.sr), Math.min(C, mp.sc));
    const wl = inFoldWindows(mp, mp.sr - (mp.rowFolds - 1) * R, mp.sc - (mp.colFolds - 1) * C);
    const win = (op: 'ifmap' | 'filter' | 'ofmap'): AccessWindow => ({
      start: foldStart[0] + w0[op][0],
      stop: foldStart[lastF] + wl[op][1],
    });
    const result: LayerResult = {
      name: layer.name,
      kind: layer.kind,
      gemm: { m: g.m, n: g.n, k: g.k },
      dataflow: mp.dataflow,
      row_folds: mp.rowFolds,
      col_folds: mp.colFolds,
      fold_cycles: mp.foldCycles,
      cycles,
      compute_cycles: er.computeCycles,
      stall_cycles: stall,
      macs: er.macs,
      utilization: compat === 'scalesim' ? scaleSimComputeUtil(mp) : er.macs / (R * C * er.computeCycles),
      overall_utilization: er.macs / (R * C * Math.max(1, cycles)),
      mapping_efficiency: mappingEfficiency(mp),
      sram,
      dram: traffic.dram,
      sram_windows: { ifmap: win('ifmap'), filter: win('filter'), ofmap: win('ofmap') },
      repeat: 1,
    };
    if (er.out && ifmapVals !== undefined && bVals !== undefined && operands) {
      result.output = summarizeOutput(er.out, store.format, operands.a, bVals, g, pe);
    }
    const final = plan !== undefined
      ? withMstReuse(result, plan, { layer, mp, words, arch, compat, R, C, store, ...(operands && er.out && pe.multiplier === 'xnor' && { check: { a: operands.a, out: er.out } }) })
      : result;
    layers.push(repeated(final, repeatOf(opts.repeats, index, layer)));
    opts.onLayer?.({ index, layer, mapping: mp, engine: er, traffic, foldStart, result, words, arch });
  });
  return {
    arch: {
      name: arch.name,
      rows: R,
      cols: C,
      dataflow: arch.dataflow,
      pe: pe.name,
      ...(pe.reuse === 'ent' ? { reuse: 'ent' as const } : mst ? { reuse: 'mst' as const } : {}),
      psum_format: store.format.name,
      clock_mhz: arch.clock_mhz,
      word_bytes: { input: words.input, weight: words.weight, psum: words.psum },
      sram: arch.sram,
      dram: arch.dram,
    },
    compat,
    engine: engineName,
    functional: opts.functional === true,
    totals: totalsOf(layers, R * C, vector.cycles),
    layers,
    vector,
  };
}

/** Writes the packed channels back into a K x N matrix of binary bit patterns. */
function unpackColumns(packed: Uint32Array, k: number, n: number, b: Float64Array): void {
  const words = wordsFor(k);
  for (let i = 0; i < k; i++) {
    for (let c = 0; c < n; c++) b[i * n + c] = (packed[c * words + (i >>> 5)] >>> (i & 31)) & 1;
  }
}

interface MstContext {
  readonly layer: Layer;
  readonly mp: Mapping;
  readonly words: WordBytes;
  readonly arch: ArchConfig;
  readonly compat: Compat;
  readonly R: number;
  readonly C: number;
  readonly store: PsumStore;
  /** functional XNOR runs: the im2col'd activations (bits) and the array's output bits */
  readonly check?: { readonly a: Float64Array; readonly out: Float64Array };
}

/** The layer's counts under the MST reuse schedule (schedulers/mst-layer.ts), one instance. */
function withMstReuse(direct: LayerResult, plan: MstPlan, ctx: MstContext): LayerResult {
  const { layer, mp, words, arch, R, C } = ctx;
  const { m, n, k } = mp.gemm;
  const st = plan.stats;
  const bits = mstWeightBits(st, words.weight * 8);
  const ratio = bits.reuse / bits.direct;
  const w2: WordBytes = { ...words, weight: words.weight * ratio };
  const computeCycles = mstComputeCycles(mp, st);
  const fp = footprints(layer, mp, w2);
  const cap = capacities(arch, mp, w2, fp, `${arch.name} (layer ${layer.name}, MST weights)`);
  const traffic = layerTraffic(layer, { ...mp, foldCycles: Math.ceil(computeCycles / mp.folds) }, w2, fp, cap, {
    bandwidth: arch.dram.bandwidth,
    latency: arch.dram.latency,
    doubleBuffered: arch.sram.double_buffered,
    stallFree: false,
  });
  const ops = m * st.reuse_ops;
  const cycles = computeCycles + traffic.stallCycles;
  const sram: SramCounts = {
    ...direct.sram,
    filter_reads: Math.round(direct.sram.filter_reads * ratio),
    ofmap_reads: direct.sram.ofmap_reads + m * (n - 1),
  };
  let output_check: MstLayerReuse['output_check'];
  if (ctx.check !== undefined) {
    const { a, out } = ctx.check;
    const reuseBits = new Float64Array(m * n);
    const row = new Int32Array(n);
    for (let i = 0; i < m; i++) {
      reuseDot(plan.tree, plan.packed, packBinary(a.subarray(i * k, (i + 1) * k), k), n, k, row);
      for (let j = 0; j < n; j++) reuseBits[i * n + j] = ctx.store.bits(row[j]);
    }
    const cd = fnv1a(out), cr = fnv1a(reuseBits);
    let identical = true;
    for (let i = 0; i < out.length && identical; i++) identical = out[i] === reuseBits[i];
    output_check = { checksum_direct: cd, checksum_reuse: cr, identical };
  }
  return {
    ...direct,
    cycles,
    compute_cycles: computeCycles,
    stall_cycles: traffic.stallCycles,
    utilization: ops / (R * C * computeCycles),
    overall_utilization: ops / (R * C * Math.max(1, cycles)),
    sram,
    dram: traffic.dram,
    reuse: {
      kind: 'mst',
      weights: plan.source,
      channels: n,
      k,
      direct_ops: st.direct_ops,
      reuse_ops: st.reuse_ops,
      saving: st.saving,
      tree_depth: st.tree_depth,
      weight_bits_direct: bits.direct,
      weight_bits_reuse: bits.reuse,
      ops,
      direct: {
        cycles: direct.cycles, compute_cycles: direct.compute_cycles, stall_cycles: direct.stall_cycles,
        sram: { ...direct.sram }, dram: { ...direct.dram },
      },
      ...(output_check !== undefined && { output_check }),
    },
  };
}

function repeatOf(repeats: readonly number[] | undefined, index: number, layer: Layer): number {
  const r = repeats?.[index] ?? 1;
  if (!Number.isInteger(r) || r < 1) throw new InputError(`layer ${layer.name}: repeat must be a positive integer, got ${r}`);
  return r;
}

/** A layer's counts for `repeat` runs of the same shape on different operands. */
function repeated(l: LayerResult, repeat: number): LayerResult {
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

function summarizeOutput(
  out: Float64Array, format: NumberFormat, a: Float64Array, b: Float64Array,
  g: { m: number; n: number; k: number }, pe: PeKind,
): OutputSummary {
  let maxErr = 0, errSq = 0, refSq = 0;
  const av = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) av[i] = pe.inputValue(a[i]);
  const bv = new Float64Array(b.length);
  for (let i = 0; i < b.length; i++) bv[i] = pe.weightValue(b[i]);
  for (let i = 0; i < g.m; i++) {
    for (let j = 0; j < g.n; j++) {
      let s = 0;
      for (let k = 0; k < g.k; k++) s += av[i * g.k + k] * bv[k * g.n + j];
      const got = decode(format, out[i * g.n + j]);
      const e = Math.abs(got - s);
      if (e > maxErr || e !== e) maxErr = e;
      errSq += e * e;
      refSq += s * s;
    }
  }
  return {
    format: format.name,
    count: out.length,
    checksum: fnv1a(out),
    max_abs_error: maxErr,
    rel_error: refSq > 0 ? Math.sqrt(errSq / refSq) : Math.sqrt(errSq),
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
