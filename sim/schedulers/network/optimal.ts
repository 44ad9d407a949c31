/**
 * The optimal scheduler: ILP replacement (and order, on small graphs), realized with
 * addresses by the online engine and checked.
 *
 * What is optimal, precisely:
 * - graphs of at most `orderIlpMaxOps` operators (default 8): operator order + replacement
 *   jointly optimal (orderIlp), for whole tensors, capacity without fragmentation;
 * - larger graphs: replacement optimal for each candidate order (orders.ts: graph, dfs,
 *   min-live, divide-and-conquer split); the best order among the candidates is taken, so
 *   the order itself is heuristic;
 * - placement is heuristic: every residency interval of the plan gets an address offline
 *   (largest / longest / earliest first, lowest free offset among the intervals overlapping
 *   it in time); when
 *   that arena exceeds the scratchpad, the engine replays the plan (drops exactly where the
 *   ILP does) with best-fit / split / first-fit allocation online. When no extra eviction is needed
 *   (`placement: 'exact'`) the schedule's traffic equals the ILP's, which is a lower bound
 *   for every placement, so it is optimal for that order under fragmentation too. When the
 *   allocator has to evict more (`'repaired'`) the schedule costs more than the bound; if
 *   that is worse than the heuristic, the heuristic's schedule is returned
 *   (`'heuristic'`), so optimal <= heuristic always.
 * Time limit: split across the ILPs; on a stop the incumbent is used and the MIP gap
 * reported (`gap`, relative to the realized schedule, against the best bound).
 */
import { makeSchedule, requireCapacity, type SpProblem, type SpSchedule } from '../../memory/scratchpad.ts';
import { offlinePlacement, runOrder, type PlacementPolicy, type VictimPolicy } from './engine.ts';
import { heuristicSchedule } from './heuristic.ts';
import { dropKey, orderIlp, replacementIlp, type IlpStatus, type ReplacementPlan } from './ilp.ts';
import { candidateOrders } from './orders.ts';

export interface OptimalInfo {
  /** 'order+replacement' (one ILP) or 'replacement per candidate order' */
  readonly mode: 'order-ilp' | 'candidate-orders';
  /** the worst solver status over the ILPs solved */
  readonly status: IlpStatus;
  /** traffic of the best ILP plan (bytes), before placement */
  readonly ilp_total_bytes: number;
  /** lower bound on total traffic for the orders considered (bytes) */
  readonly bound_bytes: number;
  /** (realized - bound) / realized: 0 when proven optimal and placed exactly */
  readonly gap: number;
  readonly placement: 'exact' | 'repaired' | 'heuristic';
  readonly order_name: string;
  readonly ilps: number;
  readonly variables: number;
  readonly solve_ms: number;
}

export interface OptimalSchedule extends SpSchedule {
  readonly optimal: OptimalInfo;
}

export interface OptimalOptions {
  /** seconds for all the ILPs together (default 10) */
  readonly timeLimitS?: number;
  /** joint order + replacement ILP up to this many operators (default 8) */
  readonly orderIlpMaxOps?: number;
}

const REALIZE: readonly [PlacementPolicy, VictimPolicy][] = [
  ['best-fit', 'ratio'], ['split', 'ratio'], ['first-fit', 'ratio'], ['best-fit', 'belady'], ['split', 'belady'],
];

function realize(p: SpProblem, plan: ReplacementPlan, capacity: number) {
  let best: { events: ReturnType<typeof runOrder>['events']; total: number } | null = null;
  const dropAfter = (t: number, s: number) => plan.drop.has(dropKey(t, s));
  const offline = offlinePlacement(p, plan.order, dropAfter, capacity, 'size')
    ?? offlinePlacement(p, plan.order, dropAfter, capacity, 'lifetime')
    ?? offlinePlacement(p, plan.order, dropAfter, capacity, 'start');
  const fixedAddr = offline ? (t: number, s: number) => offline.get(`${t}@${s}`) : undefined;
  for (const [placement, victim] of REALIZE) {
    const run = runOrder(p, plan.order, capacity, { placement, victim, dropAfter, ...(fixedAddr && { fixedAddr }) });
    const total = makeSchedule(p, 'optimal', capacity, plan.order, run.events).traffic.total_bytes;
    if (best === null || total < best.total) best = { events: run.events, total };
    if (total <= plan.total) break;
  }
  return best!;
}

const STATUS_RANK: Record<IlpStatus, number> = { trivial: 0, optimal: 1, 'time-limit': 2, infeasible: 3, error: 4 };

export async function optimalSchedule(p: SpProblem, capacity: number, opts: OptimalOptions = {}): Promise<OptimalSchedule> {
  requireCapacity(p, capacity);
  const t0 = performance.now();
  const limit = opts.timeLimitS ?? 10;
  const orderMax = opts.orderIlpMaxOps ?? 8;
  const plans: { plan: ReplacementPlan; name: string }[] = [];
  let mode: OptimalInfo['mode'];
  if (p.ops.length <= orderMax) {
    mode = 'order-ilp';
    plans.push({ plan: await orderIlp(p, capacity, limit), name: 'ilp' });
  } else {
    mode = 'candidate-orders';
    const cands = candidateOrders(p);
    for (const c of cands) plans.push({ plan: await replacementIlp(p, c.order, capacity, limit / cands.length), name: c.name });
  }
  let status: IlpStatus = 'trivial';
  let variables = 0;
  for (const { plan } of plans) {
    if (STATUS_RANK[plan.status] > STATUS_RANK[status]) status = plan.status;
    variables += plan.variables;
  }
  const solved = plans.filter((x) => Number.isFinite(x.plan.total)).sort((a, b) => a.plan.total - b.plan.total);
  const bound = Math.min(...plans.map((x) => (Number.isFinite(x.plan.bound) ? x.plan.bound : Infinity)));
  let best: { events: ReturnType<typeof runOrder>['events']; total: number; order: readonly number[]; name: string; planTotal: number } | null = null;
  for (const { plan, name } of solved) {
    if (best !== null && plan.total >= best.total) break;
    const r = realize(p, plan, capacity);
    if (best === null || r.total < best.total) best = { ...r, order: plan.order, name, planTotal: plan.total };
    if (r.total <= plan.total) break;
  }
  const heur = heuristicSchedule(p, capacity);
  let placement: OptimalInfo['placement'];
  let sched: SpSchedule;
  let name: string;
  if (best === null || heur.traffic.total_bytes < best.total) {
    placement = 'heuristic';
    sched = { ...heur, scheduler: 'optimal' };
    name = heur.heuristic.order_name;
  } else {
    placement = best.total <= best.planTotal ? 'exact' : 'repaired';
    sched = makeSchedule(p, 'optimal', capacity, best.order, best.events);
    name = best.name;
  }
  const realized = sched.traffic.total_bytes;
  const lb = Number.isFinite(bound) ? Math.min(bound, realized) : NaN;
  return {
    ...sched,
    optimal: {
      mode, status, ilp_total_bytes: solved[0]?.plan.total ?? NaN, bound_bytes: lb,
      gap: realized > 0 && Number.isFinite(lb) ? (realized - lb) / realized : 0,
      placement, order_name: name, ilps: plans.length, variables, solve_ms: performance.now() - t0,
    },
  };
}
