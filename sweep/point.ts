/**
 * One sweep point: the same simulation `bitweave run` performs, reduced to the figures a
 * sweep tabulates (the totals; per-layer detail stays with `bitweave run`).
 */
import { getFormat } from '../sim/pe/formats.ts';
import { getPe } from '../sim/pe/registry.ts';
import { simulate } from '../sim/simulate.ts';
import { runCost, withCost } from '../sim/cost/run-cost.ts';
import { loadWorkload, type Workload } from '../models/workload.ts';
import type { PeKind } from '../sim/pe/types.ts';
import type { PointConfig } from './spec.ts';
import { accuracyOfRun } from '../models/accuracy/of-run.ts';

function workloadArgs(w: Workload) {
  return { layers: w.layers, repeats: w.repeats, vectorOps: w.vectorOps };
}

// A worker runs many points with few distinct PEs and models: building a PE (its product
// tables: 20-70 ms for the 8-bit kinds) and lowering a model once per worker, not per
// point, keeps timing-only points cheap. Both are read-only once built.
const pes = new Map<string, PeKind>();
const workloads = new Map<string, Workload>();

function cachedPe(name: string, acc: string | undefined): PeKind {
  const key = `${name}\u0000${acc ?? ''}`;
  let pe = pes.get(key);
  if (!pe) {
    pe = getPe(name, acc !== undefined ? { acc } : {});
    pes.set(key, pe);
  }
  return pe;
}

function cachedWorkload(source: string): Workload {
  let w = workloads.get(source);
  if (!w) {
    w = loadWorkload(source);
    if (workloads.size >= 16) workloads.clear();
    workloads.set(source, w);
  }
  return w;
}

export async function runPoint(config: PointConfig): Promise<Record<string, unknown>> {
  const { arch } = config;
  const pe = cachedPe(arch.pe, arch.acc);
  const simulated = simulate({
    arch,
    pe,
    ...(arch.psum !== undefined && { psumFormat: getFormat(arch.psum) }),
    ...workloadArgs(cachedWorkload(config.model)),
    compat: config.compat,
    functional: config.functional,
    seed: config.seed,
  });
  const { totals } = withCost(simulated, runCost(simulated, arch, { pe }));
  if (config.dataset === undefined) return { layers: simulated.layers.length, ...totals };
  // accuracy first among its fields: sweep plots take the first field named like it
  const a = await accuracyOfRun(config.model, config.dataset, arch, {}, config.limit !== undefined ? { limit: config.limit } : {});
  return {
    layers: simulated.layers.length, ...totals,
    accuracy_top1: a.top1, accuracy_agreement: a.agreement, accuracy_images: a.images, logit_rel_error: a.rel_error,
  };
}
