/**
 * MST reuse in a run (`simulate` with `reuse: 'mst'`): the tree of one binary layer, from the
 * model's weights or seeded random ones, and what the reuse schedule (mst-layer.ts) does to
 * the layer's counts: fewer operations and compute cycles, the never-larger weight storage of
 * mst-storage.ts (filter footprint, DRAM bytes, stalls, filter reads), parent outputs read back.
 * The tree is mst-tree.ts's: the minimum-depth MST, or the best found under `--mst-depth`. Functional
 * runs on an XNOR PE compute the layer with the tree's weights and check the reuse outputs
 * against the array's.
 */
import type { ArchConfig } from '../arch/schema.ts';
import type { SramCounts } from '../array/types.ts';
import type { PsumStore } from '../array/psum.ts';
import type { Mapping } from '../dataflows/mapping.ts';
import { InputError } from '../errors.ts';
import { capacities, type WordBytes } from '../memory/buffers.ts';
import { footprints, layerTraffic } from '../memory/traffic.ts';
import { fnv1a } from '../output-check.ts';
import { packBinary, wordsFor } from '../pe/xnor.ts';
import type { LayerResult, MstLayerReuse } from '../result.ts';
import type { Layer } from '../workload/layer.ts';
import { reuseDot } from './mst-reuse.ts';
import {
  layerWeightSeed, mstComputeCycles, mstWeightStorage, packColumns, planMst, randomPacked, type MstPlan,
} from './mst-layer.ts';

/**
 * The reuse tree of binary layer `index`: from `weights` (K x N, B layout, signs used) when
 * the model has them, otherwise from seeded random +-1 weights (one stream per layer).
 */
export function layerMstPlan(
  layer: Layer, k: number, n: number, index: number, seed: number, weights: Float32Array | undefined, maxDepth?: number,
): MstPlan {
  if (weights !== undefined && weights.length !== k * n) {
    throw new InputError(`layer ${layer.name}: ${weights.length} weights given for MST reuse, the layer has K x N = ${k} x ${n}`);
  }
  const packed = weights !== undefined ? packColumns(weights, k, n, (v) => v < 0) : randomPacked(layerWeightSeed(seed, index), n, k);
  return planMst(packed, n, k, weights !== undefined ? 'model' : 'random', maxDepth);
}

/** Writes the packed channels back into a K x N matrix of binary bit patterns. */
export function unpackColumns(packed: Uint32Array, k: number, n: number, b: Float64Array): void {
  const words = wordsFor(k);
  for (let i = 0; i < k; i++) {
    for (let c = 0; c < n; c++) b[i * n + c] = (packed[c * words + (i >>> 5)] >>> (i & 31)) & 1;
  }
}


export interface MstContext {
  readonly layer: Layer;
  readonly mp: Mapping;
  readonly words: WordBytes;
  readonly arch: ArchConfig;
  readonly store: PsumStore;
  /** the `--mst-depth` bound the tree was built under, if any */
  readonly depthBound?: number | undefined;
  /** functional XNOR runs: the im2col'd activations (bits) and the array's output bits */
  readonly check?: { readonly a: Float64Array; readonly out: Float64Array };
}

/** The layer's counts under the MST reuse schedule (schedulers/mst-layer.ts), one instance. */
export function withMstReuse(direct: LayerResult, plan: MstPlan, ctx: MstContext): LayerResult {
  const { layer, mp, words, arch } = ctx;
  const R = mp.rows, C = mp.cols;
  const { m, n, k } = mp.gemm;
  const st = plan.stats;
  const storage = mstWeightStorage(plan, words.weight * 8);
  const ratio = storage.bits / storage.direct_bits;
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
      ...(ctx.depthBound !== undefined && { depth_bound: ctx.depthBound }),
      total_distance: st.total_distance,
      weight_bits_direct: storage.direct_bits,
      weight_bits_reuse: storage.bits,
      storage: {
        format: storage.format, children_list: storage.children_list,
        children_plain: storage.children_plain, flag_bits: storage.flag_bits,
      },
      ops,
      direct: {
        cycles: direct.cycles, compute_cycles: direct.compute_cycles, stall_cycles: direct.stall_cycles,
        sram: { ...direct.sram }, dram: { ...direct.dram },
      },
      ...(output_check !== undefined && { output_check }),
    },
  };
}
