/**
 * `bitweave run --schedule naive|heuristic|optimal`: the network-level scratchpad schedule
 * (sim/schedulers/network/) replaces the per-layer DRAM traffic and stalls of a run; energy
 * follows from the counts. Without --schedule nothing changes.
 */
import { InputError } from '../sim/errors.ts';
import type { ArchConfig } from '../sim/arch/schema.ts';
import type { SimResult } from '../sim/result.ts';
import { scratchpadProblem } from '../models/scratchpad-problem.ts';
import { applyNetworkSchedule, scratchpadBytes } from '../sim/schedulers/network/apply.ts';
import { describeSummary, parseScheduler, scheduleNetwork, summarizeSchedule } from '../sim/schedulers/network/index.ts';
import type { Workload } from '../models/workload.ts';

export interface ScheduleArgs {
  schedule?: string;
  scheduleTimeLimit: number;
  scheduleWeightKb?: number;
  trace: boolean;
}

export const SCHEDULE_OPTIONS = {
  schedule: { type: 'string', describe: 'network scratchpad schedule: naive | heuristic | optimal (DRAM traffic, stalls and energy from it; default: the per-layer buffer model)' },
  'schedule-time-limit': { type: 'number', default: 10, describe: 'with --schedule optimal: seconds for the ILP solver (the gap is reported when it stops early)' },
  'schedule-weight-kb': { type: 'number', describe: 'with --schedule: split convs / linears whose weights exceed this many KB along their output channels (default: whole tensors)' },
} as const;

export async function applyScheduleOption(args: ScheduleArgs, result: SimResult, arch: ArchConfig, work: Workload): Promise<SimResult> {
  if (args.schedule === undefined) return result;
  const scheduler = parseScheduler(args.schedule);
  if (args.trace) throw new InputError('--trace records the per-layer buffer model; it is not available with --schedule');
  if (work.graph === undefined || work.lowered === undefined) {
    throw new InputError('--schedule needs a model with a graph (a zoo model or an .onnx file), not a topology CSV or --gemm');
  }
  if (!(args.scheduleTimeLimit > 0)) throw new InputError(`--schedule-time-limit must be positive, got ${args.scheduleTimeLimit}`);
  if (args.scheduleWeightKb !== undefined && !(args.scheduleWeightKb > 0)) throw new InputError(`--schedule-weight-kb must be positive, got ${args.scheduleWeightKb}`);
  const w = result.arch.word_bytes;
  const p = scratchpadProblem(work.graph, { input: w.input, weight: w.weight, psum: w.psum }, {
    ...(args.scheduleWeightKb !== undefined && { maxWeightBytes: args.scheduleWeightKb * 1024 }),
  });
  const t0 = performance.now();
  const s = await scheduleNetwork(p, scheduler, scratchpadBytes(arch), { timeLimitS: args.scheduleTimeLimit });
  const summary = summarizeSchedule(p, s, performance.now() - t0);
  return applyNetworkSchedule(result, arch, p, s, work.lowered.arrayOps.map((o) => o.node), summary);
}

export function printSchedule(r: SimResult): void {
  if (r.schedule !== undefined) process.stdout.write(`\n${describeSummary(r.schedule)}`);
}
