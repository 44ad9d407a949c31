/**
 * One sweep point: the same simulation `bitweave run` performs, reduced to the figures a
 * sweep tabulates (the totals; per-layer detail stays with `bitweave run`).
 */
import { getFormat } from '../sim/pe/formats.ts';
import { getPe } from '../sim/pe/registry.ts';
import { simulate } from '../sim/run.ts';
import { runCost, withCost } from '../sim/cost/run-cost.ts';
import { loadWorkload, type Workload } from '../models/workload.ts';
import type { PointConfig } from './spec.ts';

function workloadArgs(w: Workload) {
  return { layers: w.layers, repeats: w.repeats, vectorOps: w.vectorOps };
}

export function runPoint(config: PointConfig): Record<string, unknown> {
  const { arch } = config;
  const pe = getPe(arch.pe, arch.acc !== undefined ? { acc: arch.acc } : {});
  const simulated = simulate({
    arch,
    pe,
    ...(arch.psum !== undefined && { psumFormat: getFormat(arch.psum) }),
    ...workloadArgs(loadWorkload(config.model)),
    compat: config.compat,
    functional: config.functional,
    seed: config.seed,
  });
  const { totals } = withCost(simulated, runCost(simulated, arch, { pe }));
  return { layers: simulated.layers.length, ...totals };
}
