/**
 * The pipeline every caller runs (`bitweave run`, sweep points, the EN-T design points):
 *
 *   workload -> simulate (array engine, buffers, DRAM; simulate.ts)
 *            -> network schedule (optional: DRAM traffic and stalls from a whole-network
 *               scratchpad schedule, schedulers/network/)
 *            -> cost (energy and area from the counts, cost/run-cost.ts)
 *            -> accuracy (optional: the trained model on a data set, measured by models/)
 *
 * One typed result (`PipelineResult`: the SimResult with its costs, and the accuracy when
 * asked), so a sweep point is exactly a run with the same options. Every option is checked
 * before any work starts.
 */
import { accumulateOf, type ArchConfig } from './arch/schema.ts';
import { conventionsOf } from './conventions.ts';
import { checkCostOptions, runCost, withCost, type CostedSimResult, type CostOptions } from './cost/run-cost.ts';
import { InputError } from './errors.ts';
import type { NumberFormat } from './pe/formats.ts';
import type { PeKind } from './pe/types.ts';
import type { ArrayReuse, Compat, EngineName, LayerDetail, RunAccuracy, SimResult } from './result.ts';
import { applyNetworkSchedule, scratchpadBytes } from './schedulers/network/apply.ts';
import { scheduleNetwork, summarizeSchedule } from './schedulers/network/index.ts';
import type { SchedulerName } from './memory/scratchpad.ts';
import { checkRunSize, simulate } from './simulate.ts';
import type { Workload } from './workload/workload.ts';
import { gateRun, type GateRunOptions } from './cost/gates/run-gates.ts';

export interface ScheduleRequest {
  readonly scheduler: SchedulerName;
  /** seconds for the ILP solver (optimal) */
  readonly timeLimitS: number;
  /** split convs / linears whose weights exceed this many KB (default: whole tensors) */
  readonly weightKb?: number;
}

export interface PipelineOptions {
  readonly arch: ArchConfig;
  readonly pe: PeKind;
  /** partial-sum storage format; default: the PE's accumulator format */
  readonly psumFormat?: NumberFormat;
  readonly workload: Workload;
  readonly compat?: Compat;
  readonly engine?: EngineName;
  /** compute the output values (seeded random operands) */
  readonly functional?: boolean;
  readonly seed?: number;
  /** 'mst': MST-ordered channels on every binary layer (EN-T is a PE option) */
  readonly reuse?: ArrayReuse;
  /** MST reuse: bound on the reuse tree's depth (default: the minimum-depth MST) */
  readonly mstDepth?: number;
  readonly schedule?: ScheduleRequest;
  /** technology, node, supply and DRAM type of the cost model (the PE is `pe`) */
  readonly cost?: Omit<CostOptions, 'pe'>;
  readonly onLayer?: (detail: LayerDetail) => void;
  /** the trained model's accuracy through this run's PE and dataflow (models/ measures it) */
  readonly accuracy?: () => Promise<RunAccuracy>;
  /** technology gates45: the netlists, the PE's design and where layer operands come from */
  readonly gates?: GateRunOptions;
}

export type PipelineResult = CostedSimResult & { accuracy?: RunAccuracy };

/** Refuses a bad schedule request before anything runs. */
function checkSchedule(opts: PipelineOptions): void {
  const s = opts.schedule;
  if (s === undefined) return;
  const no = conventionsOf(opts.compat ?? 'none').noReuse;
  if (no !== undefined) throw new InputError(`--schedule: ${no}`);
  if (opts.workload.network === undefined) {
    throw new InputError('--schedule needs a model with a graph (a zoo model or an .onnx file), not a topology CSV or --gemm');
  }
  if (!(s.timeLimitS > 0)) throw new InputError(`--schedule-time-limit must be positive, got ${s.timeLimitS}`);
  if (s.weightKb !== undefined && !(s.weightKb > 0)) throw new InputError(`--schedule-weight-kb must be positive, got ${s.weightKb}`);
}

async function schedule(result: SimResult, opts: PipelineOptions, s: ScheduleRequest): Promise<SimResult> {
  const network = opts.workload.network;
  if (network === undefined) throw new Error('pipeline: schedule without a network (checked before)');
  const w = result.arch.word_bytes;
  const p = network.problem({ input: w.input, weight: w.weight, psum: w.psum }, {
    ...(s.weightKb !== undefined && { maxWeightBytes: s.weightKb * 1024 }),
  });
  const sched = await scheduleNetwork(p, s.scheduler, scratchpadBytes(opts.arch), { timeLimitS: s.timeLimitS });
  const summary = summarizeSchedule(p, sched);
  return applyNetworkSchedule(result, opts.arch, p, sched, network.layerNodes, summary);
}

/** gates45 and the gate options go together. */
function checkGates(opts: PipelineOptions): void {
  const tech = opts.cost?.technology;
  const name = typeof tech === 'object' ? tech.name : tech?.trim().toLowerCase();
  if (name === 'gates45' && opts.gates === undefined) throw new InputError('technology gates45 needs the synthesized netlists (rtl/netlists): run it through bitweave run, sweep or report');
  if (opts.gates !== undefined && name !== 'gates45') throw new InputError('gate-level options (--gate-zeros) need --technology gates45');
}

/** Every check the pipeline makes before it starts: the schedule request, the cost options, the run's size. */
export function checkPipeline(opts: PipelineOptions): void {
  checkSchedule(opts);
  checkGates(opts);
  checkCostOptions(opts.arch, { ...opts.cost, pe: opts.pe });
  checkRunSize({
    arch: opts.arch, layers: opts.workload.layers, repeats: opts.workload.repeats,
    ...(opts.engine !== undefined && { engine: opts.engine }), ...(opts.functional !== undefined && { functional: opts.functional }),
    ...(opts.compat !== undefined && { compat: opts.compat }),
  });
}

export async function runPipeline(opts: PipelineOptions): Promise<PipelineResult> {
  checkPipeline(opts);
  const { arch, pe, workload: work } = opts;
  const gates = opts.gates !== undefined ? gateRun(opts.gates, pe, arch.dataflow, opts.psumFormat, accumulateOf(arch)) : undefined;
  const simulated = simulate({
    arch, pe, layers: work.layers, repeats: work.repeats, vectorOps: work.vectorOps,
    ...(opts.psumFormat !== undefined && { psumFormat: opts.psumFormat }),
    ...(opts.compat !== undefined && { compat: opts.compat }),
    ...(opts.engine !== undefined && { engine: opts.engine }),
    ...(opts.functional !== undefined && { functional: opts.functional }),
    ...(opts.seed !== undefined && { seed: opts.seed }),
    ...(opts.reuse !== undefined && { reuse: opts.reuse }),
    ...(opts.mstDepth !== undefined && { mstDepth: opts.mstDepth }),
    ...(work.binary !== undefined && { binary: work.binary }),
    ...(work.weights !== undefined && { weights: work.weights }),
    ...(opts.onLayer !== undefined && { onLayer: opts.onLayer }),
    ...(gates !== undefined && opts.functional === true && { onOperands: gates.onOperands }),
  });
  const scheduled = opts.schedule !== undefined ? await schedule(simulated, opts, opts.schedule) : simulated;
  const gateCost = gates?.finish(work.layers, arch.array.rows, arch.array.cols, arch.dataflow);
  const costed = withCost(scheduled, runCost(scheduled, arch, { ...opts.cost, pe, ...(gateCost !== undefined && { gates: gateCost }) }));
  if (opts.accuracy === undefined) return costed;
  return { ...costed, accuracy: await opts.accuracy() };
}
