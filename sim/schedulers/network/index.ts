/**
 * Network-level scratchpad scheduling: one entry point for the three schedulers and the
 * summary a run reports (the README's "Network-level scratchpad scheduling" section).
 */
import { compulsoryBytes, kbStr, minCapacity, type SchedulerName, type SpProblem, type SpSchedule } from '../../memory/scratchpad.ts';
import { InputError } from '../../errors.ts';
import { heuristicSchedule, type HeuristicSchedule } from './heuristic.ts';
import { naiveSchedule } from './naive.ts';
import { optimalSchedule, type OptimalInfo, type OptimalOptions, type OptimalSchedule } from './optimal.ts';

export const SCHEDULERS: readonly SchedulerName[] = ['naive', 'heuristic', 'optimal'];

export function parseScheduler(text: string): SchedulerName {
  const s = text.trim().toLowerCase();
  if (!(SCHEDULERS as readonly string[]).includes(s)) throw new InputError(`--schedule must be one of ${SCHEDULERS.join(', ')}, got '${text}'`);
  return s as SchedulerName;
}

export type AnySchedule = SpSchedule | HeuristicSchedule | OptimalSchedule;

export async function scheduleNetwork(p: SpProblem, scheduler: SchedulerName, capacity: number, opts: OptimalOptions = {}): Promise<AnySchedule> {
  if (scheduler === 'naive') return naiveSchedule(p, capacity);
  if (scheduler === 'heuristic') return heuristicSchedule(p, capacity);
  return optimalSchedule(p, capacity, opts);
}

/** The `schedule` block of a run's result (JSON) and its human summary. */
export interface NetworkScheduleSummary {
  scheduler: SchedulerName;
  granularity: string;
  capacity_bytes: number;
  /** the largest operator working set: no schedule fits a smaller scratchpad */
  min_capacity_bytes: number;
  operators: number;
  tensors: number;
  /** the operator order used (candidate name; 'graph' for naive) */
  order: string;
  compulsory_bytes: number;
  non_compulsory_bytes: number;
  total_bytes: number;
  naive_non_compulsory_bytes: number;
  naive_total_bytes: number;
  /** reduction of non-compulsory traffic vs the naive schedule, percent (0 when naive has none) */
  reduction_pct: number;
  /** optimal only: what the ILP proved */
  ilp?: Omit<OptimalInfo, 'order_name' | 'solve_ms'>;
}

/** The summary of a schedule: counts only (no solver time), so the same run gives the same JSON. */
export function summarizeSchedule(p: SpProblem, s: AnySchedule): NetworkScheduleSummary {
  const naive = s.scheduler === 'naive' ? s : naiveSchedule(p, s.capacity);
  const nn = naive.traffic.non_compulsory_bytes;
  const order = 'optimal' in s ? s.optimal.order_name : 'heuristic' in s ? s.heuristic.order_name : 'graph';
  const out: NetworkScheduleSummary = {
    scheduler: s.scheduler,
    granularity: 'whole tensors (every operator needs its inputs, weights and output resident at once)',
    capacity_bytes: s.capacity,
    min_capacity_bytes: minCapacity(p).bytes,
    operators: p.ops.length,
    tensors: p.tensors.length,
    order,
    compulsory_bytes: s.traffic.compulsory_bytes,
    non_compulsory_bytes: s.traffic.non_compulsory_bytes,
    total_bytes: s.traffic.total_bytes,
    naive_non_compulsory_bytes: nn,
    naive_total_bytes: naive.traffic.total_bytes,
    reduction_pct: nn > 0 ? (100 * (nn - s.traffic.non_compulsory_bytes)) / nn : 0,
  };
  if ('optimal' in s) {
    const { order_name: _o, solve_ms: _s, ...ilp } = s.optimal;
    out.ilp = ilp;
  }
  if (compulsoryBytes(p) !== s.traffic.compulsory_bytes) throw new Error('schedule: compulsory traffic differs from the problem\'s');
  return out;
}

export function describeSummary(s: NetworkScheduleSummary): string {
  const mb = (b: number) => `${(b / 1e6).toFixed(3)} MB`;
  let text =
    `network schedule: ${s.scheduler} (order ${s.order}), scratchpad ${kbStr(s.capacity_bytes)} ` +
    `(>= ${kbStr(s.min_capacity_bytes)} needed), ${s.operators} operators, ${s.tensors} tensors, ${s.granularity}\n` +
    `  DRAM ${mb(s.total_bytes)}: compulsory ${mb(s.compulsory_bytes)}, non-compulsory ${mb(s.non_compulsory_bytes)} ` +
    `(naive ${mb(s.naive_non_compulsory_bytes)}: ${s.reduction_pct.toFixed(1)}% less)\n`;
  if (s.ilp) {
    text += `  ILP (${s.ilp.mode}): ${s.ilp.status}, gap ${(100 * s.ilp.gap).toFixed(2)}%, bound ${mb(s.ilp.bound_bytes)}, ` +
      `placement ${s.ilp.placement}, ${s.ilp.ilps} ILP(s), ${s.ilp.variables} binaries\n`;
  }
  return text;
}
