/**
 * One sweep point: the same simulation `bitweave run` performs, reduced to the figures a
 * sweep tabulates (the totals; per-layer detail stays with `bitweave run`).
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../sim/errors.ts';
import { getFormat } from '../sim/pe/formats.ts';
import { getPe } from '../sim/pe/registry.ts';
import { simulate } from '../sim/run.ts';
import { runCost, withCost } from '../sim/cost/run-cost.ts';
import { gemmLayer, type Layer } from '../models/layers.ts';
import { parseTopologyCsv } from '../models/import/scalesim-csv.ts';
import type { PointConfig } from './spec.ts';

/** Model sources a sweep understands: gemm:MxNxK, or a SCALE-Sim topology CSV file. */
export function resolveLayers(source: string): Layer[] {
  const g = /^gemm:(\d+)x(\d+)x(\d+)$/i.exec(source.trim());
  if (g) return [gemmLayer('gemm', Number(g[1]), Number(g[2]), Number(g[3]), `model ${source}`)];
  if (source.toLowerCase().endsWith('.csv')) {
    let text: string;
    try {
      text = readFileSync(source, 'utf8');
    } catch {
      throw new InputError(`model ${source}: cannot read the file`);
    }
    return parseTopologyCsv(text, { file: source });
  }
  throw new InputError(`model '${source}': expected gemm:MxNxK or a SCALE-Sim topology .csv file`);
}

export function runPoint(config: PointConfig): Record<string, unknown> {
  const { arch } = config;
  const pe = getPe(arch.pe, arch.acc !== undefined ? { acc: arch.acc } : {});
  const simulated = simulate({
    arch,
    pe,
    ...(arch.psum !== undefined && { psumFormat: getFormat(arch.psum) }),
    layers: resolveLayers(config.model),
    compat: config.compat,
    functional: config.functional,
    seed: config.seed,
  });
  const { totals } = withCost(simulated, runCost(simulated, arch, { pe }));
  return { layers: simulated.layers.length, ...totals };
}
