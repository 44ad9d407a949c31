/**
 * A run as a user states it (`bitweave run`'s options, or one sweep point): an arch, a model
 * source, PE options, conventions, reuse, schedule, cost options and a data set, all plain
 * data. `runRequest` resolves the names (the PE, the model source, the data set) and runs the
 * one pipeline (sim/pipeline.ts), so `bitweave run` and a sweep point with the same fields
 * give the same result.
 */
import type { ArchConfig } from '../sim/arch/schema.ts';
import { conventionsOf } from '../sim/conventions.ts';
import { InputError } from '../sim/errors.ts';
import { getFormat } from '../sim/pe/formats.ts';
import { getPe, type PeOptions } from '../sim/pe/registry.ts';
import type { PeKind } from '../sim/pe/types.ts';
import { checkPipeline, runPipeline, type PipelineOptions, type PipelineResult, type ScheduleRequest } from '../sim/pipeline.ts';
import type { Compat, EngineName, LayerDetail } from '../sim/result.ts';
import type { CostOptions } from '../sim/cost/run-cost.ts';
import type { PaddingMode } from '../sim/workload/layer.ts';
import type { Workload } from '../sim/workload/workload.ts';
import { accuracyOfRun, checkAccuracyRequest } from './accuracy/of-run.ts';
import { loadWorkload, type WorkloadOptions } from './workload.ts';
import { gateSamples } from './gate-samples.ts';
import { committedLibrary, designKeyFor } from '../rtl/gates/library.ts';
import type { GateRunOptions } from '../sim/cost/gates/run-gates.ts';

export interface RunRequest {
  /** the arch with every override applied (its pe, acc, psum, dataflow, array, memory) */
  readonly arch: ArchConfig;
  /** a zoo spec, an .onnx or topology .csv file, a trained model's name, or gemm:MxNxK */
  readonly model: string;
  /** PE options besides the arch's accumulator (reuse 'ent' among them) */
  readonly peOptions?: PeOptions;
  readonly compat?: Compat;
  readonly engine?: EngineName;
  readonly functional?: boolean;
  readonly seed?: number;
  /** padding of topology CSV convolutions (default: the conventions') */
  readonly padding?: PaddingMode;
  /** ONNX models with dynamic inputs: their shapes by input name */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** MST-ordered channels on binary layers */
  readonly mst?: boolean;
  /** with `mst`: bound on the reuse tree's depth (default: the minimum-depth MST) */
  readonly mstDepth?: number;
  readonly schedule?: ScheduleRequest;
  readonly cost?: Omit<CostOptions, 'pe'>;
  /** a data set: the trained model's accuracy through this PE and dataflow */
  readonly dataset?: string;
  readonly limit?: number;
  readonly jobs?: number;
  /** with a data set: images done so far, of the total, as ranges of images finish */
  readonly onAccuracyProgress?: (done: number, total: number) => void;
  readonly onLayer?: (detail: LayerDetail) => void;
  /** technology gates45: zero-operand clock gating in the PEs */
  readonly gateZeros?: boolean;
  /** technology gates45, trained models: calibration images whose activations are sampled (default 1) */
  readonly gateImages?: number;
}

/**
 * Builds PEs and loads workloads once per key: a sweep worker runs many points with few
 * distinct PEs (product tables: 20-70 ms for the 8-bit kinds) and models. Both are read-only
 * once built.
 */
export class RunCache {
  private readonly pes = new Map<string, PeKind>();
  private readonly workloads = new Map<string, Workload>();

  pe(name: string, opts: PeOptions): PeKind {
    const key = `${name}\u0000${JSON.stringify(opts)}`;
    let pe = this.pes.get(key);
    if (!pe) {
      pe = getPe(name, opts);
      this.pes.set(key, pe);
    }
    return pe;
  }

  workload(source: string, opts: WorkloadOptions): Workload {
    const key = `${source}\u0000${JSON.stringify(opts)}`;
    let w = this.workloads.get(key);
    if (!w) {
      w = loadWorkload(source, opts);
      if (this.workloads.size >= 16) this.workloads.clear();
      this.workloads.set(key, w);
    }
    return w;
  }
}

/** The PE of a request: the arch's kind with its accumulator and the request's options. */
export function requestPe(req: RunRequest, cache?: RunCache): PeKind {
  const opts: PeOptions = { ...(req.arch.acc !== undefined && { acc: req.arch.acc }), ...req.peOptions };
  return cache ? cache.pe(req.arch.pe, opts) : getPe(req.arch.pe, opts);
}

/** Everything the pipeline needs, every name resolved and checked; nothing has run yet. */
export function resolveRun(req: RunRequest, cache?: RunCache): PipelineOptions {
  const compat = req.compat ?? 'none';
  if (req.mst && req.peOptions?.reuse === 'ent') throw new InputError('--reuse takes one scheme: ent (a PE option) or mst (binary layers), not both');
  if (req.mstDepth !== undefined) {
    if (req.mst !== true) throw new InputError('--mst-depth bounds the MST reuse tree; it needs --reuse mst');
    if (!Number.isInteger(req.mstDepth) || req.mstDepth < 1) throw new InputError(`--mst-depth must be an integer >= 1, got ${req.mstDepth}`);
  }
  const pe = requestPe(req, cache);
  const psumFormat = req.arch.psum !== undefined ? getFormat(req.arch.psum) : undefined;
  const padding = req.padding ?? conventionsOf(compat).topologyPadding;
  const wl = { padding, weights: req.mst === true, ...(req.inputShapes !== undefined && { inputShapes: req.inputShapes }) };
  const workload = cache ? cache.workload(req.model, wl) : loadWorkload(req.model, wl);
  const { dataset } = req;
  if (dataset !== undefined) checkAccuracyRequest(req.model, dataset);
  if (req.limit !== undefined && dataset === undefined) throw new InputError('--limit counts images of --dataset; give --dataset too');
  const gates = gateOptions(req, pe, workload);
  const resolved: PipelineOptions = {
    arch: req.arch, pe, workload, compat,
    ...(psumFormat !== undefined && { psumFormat }),
    ...(req.engine !== undefined && { engine: req.engine }),
    ...(req.functional !== undefined && { functional: req.functional }),
    ...(req.seed !== undefined && { seed: req.seed }),
    ...(req.mst === true && { reuse: 'mst' as const, ...(req.mstDepth !== undefined && { mstDepth: req.mstDepth }) }),
    ...(req.schedule !== undefined && { schedule: req.schedule }),
    ...(req.cost !== undefined && { cost: req.cost }),
    ...(req.onLayer !== undefined && { onLayer: req.onLayer }),
    ...(gates !== undefined && { gates }),
    ...(dataset !== undefined && {
      accuracy: () => accuracyOfRun(req.model, dataset, req.arch, req.peOptions ?? {}, {
        ...(req.limit !== undefined && { limit: req.limit }), ...(req.jobs !== undefined && { jobs: req.jobs }),
        ...(req.onAccuracyProgress !== undefined && { onProgress: req.onAccuracyProgress }),
      }),
    }),
  };
  checkPipeline(resolved);
  return resolved;
}

/**
 * Technology gates45: the netlists, the design of the run's PE (and the plain one for EN-T), and
 * for timing-only runs of a model with weights the operand samples (models/gate-samples.ts).
 */
function gateOptions(req: RunRequest, pe: PeKind, workload: Workload): GateRunOptions | undefined {
  const t = req.cost?.technology;
  const name = typeof t === 'object' ? t.name : t?.trim().toLowerCase();
  if (name !== 'gates45') {
    if (req.gateZeros === true) throw new InputError('--gate-zeros prices zero-operand clock gating from gates: it needs --technology gates45');
    return undefined;
  }
  const opts: PeOptions = { ...(req.arch.acc !== undefined && { acc: req.arch.acc }), ...req.peOptions };
  const design = designKeyFor(req.arch.pe, opts);
  const { reuse: _reuse, ...plainOpts } = opts;
  const plainDesign = pe.reuse === 'ent' ? designKeyFor(req.arch.pe, plainOpts) : undefined;
  if (req.gateImages !== undefined && !(Number.isInteger(req.gateImages) && req.gateImages >= 1 && req.gateImages <= 1000)) {
    throw new InputError(`calibration images for the gate-level samples must be an integer in 1..1000, got ${req.gateImages}`);
  }
  const samples = req.functional === true ? undefined : gateSamples(req.model, workload, pe, {
    ...(req.seed !== undefined && { seed: req.seed }), ...(req.gateImages !== undefined && { images: req.gateImages }),
  });
  return {
    library: committedLibrary(), design,
    ...(plainDesign !== undefined && { plainDesign }),
    gateZeros: req.gateZeros === true,
    ...(samples !== undefined && { samples: samples.samples }),
    ...(req.seed !== undefined && { seed: req.seed }),
  };
}

export function runRequest(req: RunRequest, cache?: RunCache): Promise<PipelineResult> {
  return runPipeline(resolveRun(req, cache));
}
