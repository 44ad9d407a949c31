/**
 * One sweep point: exactly what `bitweave run` runs with the same options (the same request,
 * models/run-request.ts, through the same pipeline), reduced to the figures a sweep tabulates
 * (the totals; per-layer detail stays with `bitweave run`).
 */
import { RunCache, runRequest, type RunRequest } from '../models/run-request.ts';
import { InputError } from '../sim/errors.ts';
import type { ResultLine } from './results.ts';
import type { PointConfig, SweepPoint } from './spec.ts';

// A worker runs many points with few distinct PEs and models: each is built once per worker.
const cache = new RunCache();

/** The run request of a point (the fields `bitweave run` has, as its flags would give them). */
export function pointRequest(config: PointConfig): RunRequest {
  const reuse = config.reuse ?? 'none';
  return {
    arch: config.arch,
    model: config.model,
    compat: config.compat,
    functional: config.functional,
    seed: config.seed,
    ...(config.engine !== undefined && { engine: config.engine }),
    ...(reuse === 'ent' && { peOptions: { reuse: 'ent' as const } }),
    ...(reuse === 'mst' && { mst: true }),
    ...(config.mst_depth !== undefined && { mstDepth: config.mst_depth }),
    ...(config.schedule !== undefined && {
      schedule: {
        scheduler: config.schedule, timeLimitS: config.schedule_time_limit ?? 10,
        ...(config.schedule_weight_kb !== undefined && { weightKb: config.schedule_weight_kb }),
      },
    }),
    cost: {
      technology: config.technology ?? 'horowitz45',
      ...(config.node !== undefined && { node_nm: config.node }),
    },
    ...(config.dataset !== undefined && { dataset: config.dataset, ...(config.limit !== undefined && { limit: config.limit }) }),
    ...(config.gate_zeros !== undefined && { gateZeros: config.gate_zeros }),
  };
}

export async function runPoint(config: PointConfig): Promise<Record<string, unknown>> {
  const r = await runRequest(pointRequest(config), cache);
  const a = r.accuracy;
  if (a === undefined) return { layers: r.layers.length, ...r.totals };
  // accuracy first among its fields: sweep plots take the first field named like it
  return {
    layers: r.layers.length, ...r.totals,
    accuracy_top1: a.top1, accuracy_agreement: a.agreement, accuracy_images: a.images, logit_rel_error: a.rel_error,
    // a language model on a text set: per character, and images are its windows
    ...(a.language && {
      bits_per_char: a.language.bits_per_char, reference_bits_per_char: a.language.reference_bits_per_char,
      perplexity: a.language.perplexity, characters: a.language.characters,
    }),
  };
}

/** A point's result line: its figures, or its input error (any other error propagates: a crash). */
export async function pointResultLine(point: SweepPoint): Promise<ResultLine> {
  const head = { index: point.index, key: point.key, vars: point.vars };
  try {
    return { ...head, status: 'ok', result: await runPoint(point.config) };
  } catch (e) {
    if (e instanceof InputError) return { ...head, status: 'error', error: e.message };
    throw e;
  }
}
