/**
 * One simulation of the machine: (arch, PE, layers, vector work, options) -> SimResult with
 * the counts of every layer and the totals. Per layer: map the GEMM onto the array (the
 * dataflow, sim/dataflows/), run an array engine (cycles, SRAM accesses, output bits), model
 * the buffers and DRAM (memory/), apply the run's conventions (conventions.ts: bitweave's own,
 * or SCALE-Sim's for parity) and, with `reuse: 'mst'`, the MST schedule of binary layers
 * (schedulers/mst-run.ts). Costs, network schedules and accuracy come after it, in
 * pipeline.ts.
 *
 * Computation reuse:
 *  - EN-T (`pe.reuse === 'ent'`) changes no count: the bits are the plain PE's and the cost
 *    model (sim/cost) prices the encoders, the wider registers and the simpler multiplier;
 *    `arch.reuse` records it.
 *  - MST (`reuse: 'mst'`) reschedules each binary layer: the layer's `reuse` block holds the
 *    statistics and the counts without reuse; `macs` stays the layer's nominal MACs and
 *    utilization counts the operations performed.
 */
import { makeRng } from './random.ts';
import { InputError } from './errors.ts';
import { checkLimit } from './limits.ts';
import { runVector, type VectorWork } from './workload/vector.ts';
import { gemmView, ifmapElements, type Layer } from './workload/layer.ts';
import { im2col } from './workload/im2col.ts';
import { accumulateOf, type ArchConfig } from './arch/schema.ts';
import { fastEngine } from './array/fast-engine.ts';
import { psumStore, type PsumStore } from './array/psum.ts';
import { referenceEngine } from './array/reference-engine.ts';
import type { Operands } from './array/types.ts';
import { conventionsOf } from './conventions.ts';
import { mappingEfficiency } from './dataflows/efficiency.ts';
import { mapGemm, type Mapping } from './dataflows/mapping.ts';
import { capacities, type Footprints } from './memory/buffers.ts';
import type { ScaleSimMemoryResult } from './memory/scalesim/memory-system.ts';
import { footprints, layerTraffic } from './memory/traffic.ts';
import type { NumberFormat } from './pe/formats.ts';
import type { PeKind } from './pe/types.ts';
import { summarizeOutput } from './output-check.ts';
import {
  repeated, totalsOf,
  type AccessWindow, type ArrayReuse, type Compat, type EngineName, type LayerDetail, type LayerResult, type SimResult,
} from './result.ts';
import { layerMstPlan, unpackColumns, withMstReuse } from './schedulers/mst-run.ts';
import { MST_MAX_CHANNELS, type MstPlan } from './schedulers/mst-layer.ts';

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
  /** MST reuse: bound on the reuse tree's depth (default: the minimum-depth MST) */
  readonly mstDepth?: number;
  /** per layer: +-1 weights (binary conv / linear); default: every layer when the PE is XNOR */
  readonly binary?: readonly boolean[];
  /** per layer: the model's weights in B layout (K x N row-major), for MST's tree (signs used) */
  readonly weights?: readonly (Float32Array | undefined)[];
  /** functional runs: each layer's operands as the array uses them (gate-level energy, cost/gates/) */
  readonly onOperands?: (index: number, mapping: Mapping, operands: Operands) => void;
}

function repeatOf(repeats: readonly number[] | undefined, index: number, layer: Layer): number {
  const r = repeats?.[index] ?? 1;
  if (!Number.isInteger(r) || r < 1) throw new InputError(`layer ${layer.name}: repeat must be a positive integer, got ${r}`);
  return r;
}

/**
 * A layer's cycles, stalls, DRAM traffic and windows from a convention's own memory model
 * (SCALE-Sim's, 1-byte words): the compulsory part of the traffic is what the footprints
 * need, the rest re-reads and the padding slots SCALE-Sim counts.
 */
function ownMemoryModel(m: ScaleSimMemoryResult, macs: number, pes: number, fp: Footprints): Partial<LayerResult> {
  const d = m.dram;
  const total = d.ifmap.words + d.filter.words + d.ofmap.words;
  const compulsory = Math.min(d.ifmap.words, fp.ifmap) + Math.min(d.filter.words, fp.filter) + Math.min(d.ofmap.words, fp.ofmap);
  const window = (a: { start: number; stop: number }) => ({ start: a.start, stop: a.stop });
  return {
    cycles: m.totalCycles,
    stall_cycles: m.stallCycles,
    overall_utilization: macs / (pes * Math.max(1, m.totalCycles)),
    dram: {
      ifmap_read_bytes: d.ifmap.words, filter_read_bytes: d.filter.words, ofmap_read_bytes: 0, ofmap_write_bytes: d.ofmap.words,
      compulsory_bytes: compulsory, non_compulsory_bytes: total - compulsory,
    },
    sram_windows: { ifmap: window(m.sram.ifmap), filter: window(m.sram.filter), ofmap: window(m.sram.ofmap) },
    dram_windows: { ifmap: window(d.ifmap), filter: window(d.filter), ofmap: window(d.ofmap) },
  };
}

/** The size of a run, as the limits of sim/limits.ts count it (computed from the mappings alone). */
export interface RunSize {
  readonly layers: number;
  /** folds of all layers (one instance of each) */
  readonly folds: number;
  /** MACs with repeats */
  readonly macs: number;
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * Refuses a run whose size is above a limit (sim/limits.ts), before any layer is simulated:
 * per layer the folds (timing is O(folds)) and a fold's length (a 32-bit integer); in all,
 * the layers, the folds, the MACs (exact integer counts), and for functional and reference
 * runs the operand elements, the MACs through the PE arithmetic and the PE-cycles. Reads the
 * mappings only: O(layers).
 */
export function checkRunSize(opts: Pick<RunOptions, 'arch' | 'layers' | 'repeats' | 'engine' | 'functional' | 'compat'>): RunSize {
  const { arch } = opts;
  const R = arch.array.rows, C = arch.array.cols;
  const where = `${arch.name} (${R}x${C} ${arch.dataflow})`;
  checkLimit('array_dim', Math.max(R, C), where, 'the larger array dimension');
  checkLimit('layers', opts.layers.length, 'workload', 'the number of array layers');
  // a convention with a memory model of its own (SCALE-Sim's) steps through every compute cycle of every layer
  const ownMemory = conventionsOf(opts.compat ?? 'none').memory !== undefined;
  let folds = 0, macs = 0, funcMacs = 0, steps = 0, memorySteps = 0;
  opts.layers.forEach((layer, index) => {
    const at = `layer ${layer.name}`;
    const g = gemmView(layer);
    const mp = mapGemm(g, R, C, arch.dataflow);
    checkLimit('folds', mp.folds, at, `the number of folds on the ${R}x${C} array (${arch.dataflow}; GEMM ${g.m}x${g.n}x${g.k})`);
    for (const [d, v] of [['M', g.m], ['N', g.n], ['K', g.k]] as const) {
      if (v > INT32_MAX) throw new InputError(`${at}: GEMM ${d} is ${v.toLocaleString('en-US')}; at most ${INT32_MAX.toLocaleString('en-US')}`);
    }
    if (mp.foldCycles > INT32_MAX) throw new InputError(`${at}: one fold takes ${mp.foldCycles} cycles; at most ${INT32_MAX}`);
    folds += mp.folds;
    const m = g.m * g.n * g.k;
    macs += m * repeatOf(opts.repeats, index, layer);
    if (opts.functional) {
      checkLimit('functional_elements', g.m * g.k + g.k * g.n + g.m * g.n, at, 'the operand elements of a functional layer (M*K + K*N + M*N)');
      funcMacs += m;
    }
    if (opts.engine === 'reference') steps += R * C * mp.folds * mp.foldCycles;
    if (ownMemory) {
      checkLimit('scalesim_elements', g.m * g.k + g.k * g.n + g.m * g.n, at, "the operand elements of a layer under SCALE-Sim's memory system (M*K + K*N + M*N)");
      memorySteps += (R + C) * mp.folds * mp.foldCycles;
    }
  });
  checkLimit('run_folds', folds, 'workload', 'the number of folds of all layers');
  checkLimit('macs', macs, 'workload');
  checkLimit('functional_macs', funcMacs, 'workload', 'the MACs of the functional run');
  checkLimit('reference_steps', steps, 'workload', 'the PE-cycles of the reference engine');
  checkLimit('scalesim_steps', memorySteps, 'workload', "the steps of SCALE-Sim's memory system (compute cycles x (rows + cols))");
  return { layers: opts.layers.length, folds, macs };
}

export function simulate(opts: RunOptions): SimResult {
  checkRunSize(opts);
  const { arch, pe } = opts;
  const compat = opts.compat ?? 'none';
  const conv = conventionsOf(compat);
  const engineName = opts.engine ?? 'fast';
  const engine = engineName === 'reference' ? referenceEngine : fastEngine;
  if (engineName === 'reference' && (pe.accumulation?.promote ?? 0) > 0) {
    throw new InputError(
      '--acc-promote needs the fast engine: the per-cycle reference engine keeps one accumulator per PE, not the register and the fp32 accumulator it is promoted into',
    );
  }
  const store: PsumStore = psumStore(pe, opts.psumFormat);
  const words = conv.wordBytes(pe, opts.psumFormat);
  const R = arch.array.rows, C = arch.array.cols;
  const accumulate = accumulateOf(arch);
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
    if (conv.noReuse !== undefined) throw new InputError(`--reuse mst: ${conv.noReuse}`);
    if (pe.reuse === 'ent') throw new InputError('--reuse takes one scheme: ent (a PE option) or mst (binary layers), not both');
    if (!opts.layers.some((_, i) => isBinary(i))) {
      throw new InputError(
        `--reuse mst needs binary layers (+-1 weights): none of the ${opts.layers.length} layer(s) is binary and the PE ` +
          `${pe.name} is not xnor; use a model with binary conv / linear layers (e.g. binary_resnet18) or --pe xnor`,
      );
    }
    // refuse an oversized layer before simulating any
    opts.layers.forEach((layer, i) => {
      const n = gemmView(layer).n;
      if (isBinary(i) && n > MST_MAX_CHANNELS) {
        throw new InputError(`--reuse mst: layer ${layer.name} has ${n} output channels; MST reuse takes at most ${MST_MAX_CHANNELS} (an N x N distance matrix)`);
      }
    });
  }
  opts.layers.forEach((layer, index) => {
    const g = gemmView(layer);
    const mp = mapGemm(g, R, C, arch.dataflow);
    const fp = footprints(layer, mp, words);
    const cap = capacities(arch, mp, words, fp, `${arch.name} (layer ${layer.name})`);
    const plan: MstPlan | undefined = mst && isBinary(index) ? layerMstPlan(layer, g.k, g.n, index, seed, opts.weights?.[index], opts.mstDepth) : undefined;
    let operands: Operands | undefined;
    if (opts.functional) {
      // seeded random operands, the PE's own quantization; padding is the PE's zero
      const nIn = ifmapElements(layer);
      const ifmap = new Float64Array(nIn);
      if (pe.block) {
        // a block PE quantizes whole vectors along K: A's rows (after im2col, padding a real
        // 0) and B's columns, in blocks from K index 0
        for (let i = 0; i < nIn; i++) ifmap[i] = rand() * 2 - 1;
        const br = new Float64Array(g.k * g.n);
        for (let i = 0; i < br.length; i++) br[i] = rand() * 2 - 1;
        const { a: ar } = im2col(layer, g.m, g.k, ifmap, 0);
        const a = pe.block.quantize('input', ar, g.m, g.k, g.k, 1).codes;
        const b = pe.block.quantize('weight', br, g.n, g.k, 1, g.n).codes;
        operands = { pe, psum: store, a, b, accumulate };
      } else {
        for (let i = 0; i < nIn; i++) ifmap[i] = pe.quantizeInput(rand() * 2 - 1);
        const b = new Float64Array(g.k * g.n);
        for (let i = 0; i < b.length; i++) b[i] = pe.quantizeWeight(rand() * 2 - 1);
        // an XNOR array computes a reused layer with the tree's own weights (bit 1 = -1)
        if (plan !== undefined && pe.multiplier === 'xnor') unpackColumns(plan.packed, g.k, g.n, b);
        const { a } = im2col(layer, g.m, g.k, ifmap, pe.quantizeInput(0));
        operands = { pe, psum: store, a, b, accumulate };
      }
      opts.onOperands?.(index, mp, operands);
    }
    const er = engine({ layer, mapping: mp, countPadReads: conv.countPadReads, ...(operands ? { operands } : {}) });
    const traffic = layerTraffic(layer, mp, words, fp, cap, {
      bandwidth: arch.dram.bandwidth,
      latency: arch.dram.latency,
      doubleBuffered: arch.sram.double_buffered,
      stallFree: conv.stallFree,
    });
    const sram = conv.reportedSram(er.sram, mp);
    const stall = traffic.stallCycles;
    const cycles = conv.reportedCycles(er.computeCycles, stall);
    // access windows: first fold's first access, last fold's last access; the last fold starts
    // after every fold's stall and every other fold's cycles (integers: exact in any order)
    const lastF = mp.folds - 1;
    const firstStart = traffic.stallBefore.first, lastStart = traffic.stallBefore.folds + er.computeCycles - er.foldCycles[lastF];
    const w0 = mp.rules.windows(mp, Math.min(R, mp.sr), Math.min(C, mp.sc));
    const wl = mp.rules.windows(mp, mp.sr - (mp.rowFolds - 1) * R, mp.sc - (mp.colFolds - 1) * C);
    const win = (op: 'ifmap' | 'filter' | 'ofmap'): AccessWindow => ({
      start: firstStart + w0[op][0],
      stop: lastStart + wl[op][1],
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
      utilization: conv.utilization(mp, er.macs, er.computeCycles),
      overall_utilization: er.macs / (R * C * Math.max(1, cycles)),
      mapping_efficiency: mappingEfficiency(mp),
      sram,
      dram: traffic.dram,
      sram_windows: { ifmap: win('ifmap'), filter: win('filter'), ofmap: win('ofmap') },
      repeat: 1,
    };
    if (conv.memory !== undefined) Object.assign(result, ownMemoryModel(conv.memory(layer, mp, arch), er.macs, R * C, fp));
    if (er.out && operands) result.output = summarizeOutput(er.out, store.format, operands.a, operands.b, g, pe);
    const final = plan !== undefined
      ? withMstReuse(result, plan, { layer, mp, words, arch, store, depthBound: opts.mstDepth, ...(operands && er.out && pe.multiplier === 'xnor' && { check: { a: operands.a, out: er.out } }) })
      : result;
    layers.push(repeated(final, repeatOf(opts.repeats, index, layer)));
    if (opts.onLayer) {
      // each fold's start cycle, for the traces
      const foldStart = new Float64Array(mp.folds);
      let clock = 0;
      for (let f = 0; f < mp.folds; f++) {
        clock += traffic.perFold.stall[f];
        foldStart[f] = clock;
        clock += er.foldCycles[f];
      }
      opts.onLayer({ index, layer, mapping: mp, engine: er, traffic, foldStart, result, words, arch });
    }
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
      accumulate,
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


