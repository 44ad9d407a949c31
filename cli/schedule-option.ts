/**
 * `bitweave run --schedule naive|heuristic|optimal`: the network-level scratchpad schedule
 * (sim/schedulers/network/, run by sim/pipeline.ts) replaces the per-layer DRAM traffic and
 * stalls of a run; energy follows from the counts. Without --schedule nothing changes.
 */
import { InputError } from '../sim/errors.ts';
import { numberOption } from './option-checks.ts';
import type { SimResult } from '../sim/result.ts';
import type { ScheduleRequest } from '../sim/pipeline.ts';
import { describeSummary, parseScheduler } from '../sim/schedulers/network/index.ts';

export interface ScheduleArgs {
  schedule?: string;
  scheduleTimeLimit: number;
  scheduleWeightKb?: number;
  /** --trace (any mode) */
  trace?: string;
}

export const SCHEDULE_OPTIONS = {
  schedule: { type: 'string', describe: 'network scratchpad schedule: naive | heuristic | optimal (DRAM traffic, stalls and energy from it; default: the per-layer buffer model)' },
  'schedule-time-limit': numberOption('schedule-time-limit', { positive: true, default: 10, describe: 'with --schedule optimal: seconds for the ILP solver (the gap is reported when it stops early)' }),
  'schedule-weight-kb': numberOption('schedule-weight-kb', { positive: true, describe: 'with --schedule: split convs / linears whose weights exceed this many KB along their output channels (default: whole tensors)' }),
} as const;

/** The schedule request of the command line (undefined without --schedule); checked again by the pipeline. */
export function scheduleRequest(args: ScheduleArgs): ScheduleRequest | undefined {
  if (args.schedule === undefined) return undefined;
  const scheduler = parseScheduler(args.schedule);
  if (args.trace !== undefined) throw new InputError('--trace records the per-layer buffer model; it is not available with --schedule');
  return { scheduler, timeLimitS: args.scheduleTimeLimit, ...(args.scheduleWeightKb !== undefined && { weightKb: args.scheduleWeightKb }) };
}

export function printSchedule(r: SimResult): void {
  if (r.schedule !== undefined) process.stdout.write(`\n${describeSummary(r.schedule)}`);
}
