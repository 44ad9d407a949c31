/**
 * The heuristic scheduler: Belady-style replacement on reuse-favouring operator orders.
 *
 * It replays every candidate order (orders.ts: graph, dfs, min-live, and the divide-and-
 * conquer `split`) with the online engine (engine.ts) under each victim policy (Belady,
 * fewest bytes, bytes per distance to next use) and each placement (best-fit, split
 * weights-top / activations-bottom), plus, per order and victim policy, a plan made by
 * bytes alone whose residency intervals are then placed offline (largest first); it keeps
 * the schedule that moves the fewest bytes (the naive schedule is a candidate too, so the
 * heuristic never moves more than naive).
 *
 * Monotone in the scratchpad size: a schedule that fits a smaller scratchpad also fits a
 * larger one, so at size C the heuristic also replays at every size of the grid
 * floor(2^(k/4)) bytes below C down to the smallest feasible size, and at that smallest
 * size itself (the largest working set), and keeps the best. Hence for two sizes C1 < C2
 * where C1 is on the grid (every power of two is) or is the smallest feasible size,
 * heuristic(C2) <= heuristic(C1).
 */
import { countTraffic, makeSchedule, minCapacity, requireCapacity, type SpEvent, type SpProblem, type SpSchedule } from '../../memory/scratchpad.ts';
import { naiveSchedule } from './naive.ts';
import { offlinePlacement, planByBytes, runOrder, type PlacementPolicy, type VictimPolicy } from './engine.ts';
import { candidateOrders } from './orders.ts';

export interface HeuristicInfo {
  /** the candidate order that won */
  readonly order_name: string;
  readonly victim: VictimPolicy;
  /** 'offline': a plan by bytes (planByBytes), every residency interval placed ahead of time */
  readonly placement: PlacementPolicy | 'offline' | 'naive';
  /** the scratchpad size the winning replay assumed (<= the real one) */
  readonly replay_capacity: number;
  readonly replays: number;
}

export interface HeuristicSchedule extends SpSchedule {
  readonly heuristic: HeuristicInfo;
}

export const VICTIMS: readonly VictimPolicy[] = ['belady', 'bytes', 'ratio'];
export const PLACEMENTS: readonly PlacementPolicy[] = ['best-fit', 'split'];

/** Grid sizes floor(2^(k/4)) in [lo, hi). */
export function capacityGrid(lo: number, hi: number): number[] {
  const out: number[] = [];
  if (lo <= 0) return out;
  for (let k = Math.floor(4 * Math.log2(lo)) - 1; ; k++) {
    const c = Math.floor(2 ** (k / 4));
    if (c >= hi) break;
    if (c >= lo && (out.length === 0 || out[out.length - 1] !== c)) out.push(c);
  }
  return out;
}

export function heuristicSchedule(p: SpProblem, capacity: number): HeuristicSchedule {
  requireCapacity(p, capacity);
  const min = minCapacity(p).bytes;
  const caps = [...new Set([capacity, ...capacityGrid(min, capacity).reverse(), min])];
  let best: { total: number; events: SpEvent[]; order: readonly number[]; info: HeuristicInfo } | null = null;
  let replays = 0;
  const consider = (events: SpEvent[], order: readonly number[], info: HeuristicInfo) => {
    const total = countTraffic(p, events).traffic.total_bytes;
    if (best === null || total < best.total) best = { total, events, order, info };
  };
  for (const c of caps) {
    for (const cand of candidateOrders(p)) {
      for (const victim of VICTIMS) {
        for (const placement of PLACEMENTS) {
          const { events } = runOrder(p, cand.order, c, { victim, placement });
          replays++;
          consider(events, cand.order, { order_name: cand.name, victim, placement, replay_capacity: c, replays: 0 });
        }
        // plan by bytes, then place the whole plan offline
        const drops = planByBytes(p, cand.order, c, victim);
        const dropAfter = (t: number, s: number) => drops.has(`${t}@${s}`);
        const offline = offlinePlacement(p, cand.order, dropAfter, c, 'size') ?? offlinePlacement(p, cand.order, dropAfter, c, 'lifetime');
        if (offline) {
          const { events } = runOrder(p, cand.order, c, { victim, placement: 'best-fit', dropAfter, fixedAddr: (t, s) => offline.get(`${t}@${s}`) });
          replays++;
          consider(events, cand.order, { order_name: cand.name, victim, placement: 'offline', replay_capacity: c, replays: 0 });
        }
      }
    }
  }
  // the naive layer-by-layer schedule is a candidate too: the heuristic never moves more
  const naive = naiveSchedule(p, capacity);
  consider([...naive.events], naive.order, { order_name: 'graph', victim: 'belady', placement: 'naive', replay_capacity: capacity, replays: 0 });
  const b = best!;
  return { ...makeSchedule(p, 'heuristic', capacity, b.order, b.events), heuristic: { ...b.info, replays } };
}
