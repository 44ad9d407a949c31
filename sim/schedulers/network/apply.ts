/**
 * Puts a network schedule's DRAM traffic into a SimResult: per layer, the bytes come from
 * the schedule instead of the per-layer buffer model, and the stalls are recomputed.
 *
 * Attribution: an operator's traffic (the loads, write-backs and evictions before it runs)
 * goes to its array layer (an attention node's to its first, Q.K^T); a vector-unit
 * operator's to the array layer of the nearest array operator before it in the graph (the
 * first array layer when there is none). Totals are exact.
 *
 * Stalls (a simpler model than memory/traffic.ts's fold by fold one, since the schedule
 * moves whole tensors): a layer's transfer takes latency + bytes / bandwidth cycles;
 * double-buffered, it overlaps the layer's compute and only the excess stalls; otherwise
 * all of it stalls. Energy follows from the counts (runCost).
 */
import { InputError } from '../../errors.ts';
import { conventionsOf } from '../../conventions.ts';
import type { ArchConfig } from '../../arch/schema.ts';
import type { DramTraffic } from '../../memory/traffic.ts';
import { totalsOf, type LayerResult, type SimResult } from '../../result.ts';
import type { SpProblem, SpSchedule } from '../../memory/scratchpad.ts';
import type { NetworkScheduleSummary } from './index.ts';

/** The scratchpad the network schedule uses: the unified one, or the three buffers together. */
export function scratchpadBytes(arch: ArchConfig): number {
  const s = arch.sram;
  return Math.floor(1024 * (s.unified_kb ?? (s.ifmap_kb ?? 0) + (s.filter_kb ?? 0) + (s.ofmap_kb ?? 0)));
}

/**
 * Per layer, the DRAM traffic the schedule charges to it. `layerNodes[i]` is the graph node
 * array layer i comes from (the model's lowering says which).
 */
export function layerDram(p: SpProblem, s: SpSchedule, layerNodes: readonly string[], layers: number): DramTraffic[] {
  if (layerNodes.length !== layers) throw new InputError('network schedule: the run\'s layers are not the model\'s array operators');
  if (layers === 0) throw new InputError('network schedule: the model has no array layers to charge the traffic to');
  const first = new Map<string, number>();
  layerNodes.forEach((node, i) => {
    if (!first.has(node)) first.set(node, i);
  });
  const out: DramTraffic[] = Array.from({ length: layers }, () => ({
    ifmap_read_bytes: 0, filter_read_bytes: 0, ofmap_read_bytes: 0, ofmap_write_bytes: 0, compulsory_bytes: 0, non_compulsory_bytes: 0,
  }));
  let current = -1;
  const pending: number[] = [];
  const add = (op: number, li: number) => {
    const t = s.perOp[op], d = out[li];
    d.ifmap_read_bytes += t.activation_read_bytes;
    d.filter_read_bytes += t.weight_read_bytes;
    d.ofmap_write_bytes += t.write_bytes;
    d.compulsory_bytes += t.compulsory_bytes;
    d.non_compulsory_bytes += t.non_compulsory_bytes;
  };
  for (const o of p.ops) {
    const li = first.get(o.node);
    if (li !== undefined) current = li;
    if (current < 0) pending.push(o.id);
    else add(o.id, current);
  }
  for (const op of pending) add(op, 0);
  return out;
}

export function applyNetworkSchedule(
  result: SimResult, arch: ArchConfig, p: SpProblem, s: SpSchedule, layerNodes: readonly string[], summary: NetworkScheduleSummary,
): SimResult {
  const noSchedule = conventionsOf(result.compat).noReuse;
  if (noSchedule !== undefined) throw new InputError(`--schedule: ${noSchedule}`);
  const dram = layerDram(p, s, layerNodes, result.layers.length);
  const R = result.arch.rows, C = result.arch.cols;
  const layers: LayerResult[] = result.layers.map((l, i) => {
    const d = dram[i];
    const bytes = d.ifmap_read_bytes + d.filter_read_bytes + d.ofmap_read_bytes + d.ofmap_write_bytes;
    const transfer = bytes > 0 ? arch.dram.latency + bytes / arch.dram.bandwidth : 0;
    const stall = arch.sram.double_buffered ? Math.max(0, Math.ceil(transfer - l.compute_cycles)) : Math.ceil(transfer);
    const cycles = l.compute_cycles + stall;
    return { ...l, dram: d, stall_cycles: stall, cycles, overall_utilization: l.macs / (R * C * Math.max(1, cycles)) };
  });
  return { ...result, layers, totals: totalsOf(layers, R * C, result.vector.cycles), schedule: summary };
}
