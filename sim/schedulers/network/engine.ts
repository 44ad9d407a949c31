/**
 * Replays an operator order on the scratchpad and decides, online, where each tensor goes
 * and what to evict: the engine behind the heuristic scheduler, and the one that realizes
 * the ILP's replacement plan with addresses (sim/schedulers/network/optimal.ts).
 *
 * Per step (operator o):
 * 1. o's working set (inputs, weights, output buffer) is pinned; each missing tensor,
 *    largest first, gets a contiguous hole (the placement policy). When no hole fits, the
 *    victim policy picks a contiguous window of the scratchpad and evicts every tensor in
 *    it: a dirty one (an activation not yet in DRAM, still needed) is written back first,
 *    a clean one is dropped (it can be read again). Fragmentation is real: a window must
 *    be contiguous and may not cover a pinned tensor.
 * 2. If no window exists (pinned tensors fragment the space), everything the operator does
 *    not need is evicted; if its own resident inputs still cut the space up, everything is
 *    evicted and the working set is laid out from address 0 (it fits: working set <= capacity).
 * 3. o runs; a graph output is written to DRAM right away (its compulsory write); tensors
 *    with no later use are freed; `dropAfter` (the ILP's plan) can drop others early.
 * Loads are just in time: a load earlier than the first use never saves traffic.
 */
import type { SpEvent, SpProblem } from '../../memory/scratchpad.ts';

export type VictimPolicy =
  /** Belady: the window whose nearest next use is farthest, then the fewest bytes */
  | 'belady'
  /** the fewest bytes moved (write-back + re-load), then the farthest next use */
  | 'bytes'
  /** bytes moved / distance to the next use, summed over the window */
  | 'ratio';

export type PlacementPolicy =
  /** the smallest hole that fits, at its low end */
  | 'best-fit'
  /** the lowest hole that fits */
  | 'first-fit'
  /** activations first-fit from the bottom, weights and inputs from the top (they are short-lived) */
  | 'split';

export interface EngineOptions {
  readonly victim: VictimPolicy;
  readonly placement: PlacementPolicy;
  /** drop `tensor` after step `step` even though it is used later (the ILP's "not kept") */
  readonly dropAfter?: (tensor: number, step: number) => boolean;
  /** a precomputed address for `tensor` when it is placed at `step` (used when that range is free) */
  readonly fixedAddr?: (tensor: number, step: number) => number | undefined;
}

interface Block {
  readonly t: number;
  readonly addr: number;
  readonly end: number;
}

/** Per-tensor sorted use steps (the producer's step included) for an order. */
export function useSteps(p: SpProblem, order: readonly number[]): number[][] {
  const uses: number[][] = p.tensors.map(() => []);
  order.forEach((op, s) => {
    const o = p.ops[op];
    for (const t of o.reads) uses[t].push(s);
    uses[o.output].push(s);
  });
  return uses;
}

/**
 * next use of tensor t after step s, for steps that only move forward: a cursor per tensor
 * keeps the whole walk linear in the number of uses
 */
function nextUseCursor(uses: readonly (readonly number[])[]): (t: number, s: number) => number {
  const ptr = new Int32Array(uses.length);
  return (t, s) => {
    const u = uses[t];
    let i = ptr[t];
    while (i < u.length && u[i] <= s) i++;
    ptr[t] = i;
    return i < u.length ? u[i] : Infinity;
  };
}

export interface EngineRun {
  readonly events: SpEvent[];
  /** evictions the victim policy had to make (0: only planned / dead drops) */
  readonly forced: number;
}

export function runOrder(p: SpProblem, order: readonly number[], capacity: number, o: EngineOptions): EngineRun {
  const events: SpEvent[] = [];
  const uses = useSteps(p, order);
  const resident = new Map<number, { addr: number; dirty: boolean }>();
  let forced = 0;
  const nextUse = nextUseCursor(uses);
  const blocks = (): Block[] => {
    const b: Block[] = [];
    for (const [t, r] of resident) b.push({ t, addr: r.addr, end: r.addr + p.tensors[t].bytes });
    return b.sort((x, y) => x.addr - y.addr);
  };
  const evict = (t: number) => {
    const r = resident.get(t);
    if (!r) return;
    if (r.dirty) events.push({ kind: 'store', tensor: t });
    events.push({ kind: 'free', tensor: t });
    resident.delete(t);
  };
  const findHole = (size: number, weightLike: boolean): number | null => {
    const b = blocks();
    let best: { addr: number; len: number } | null = null;
    let prev = 0;
    const holes: { addr: number; len: number }[] = [];
    for (const x of b) {
      if (x.addr > prev) holes.push({ addr: prev, len: x.addr - prev });
      prev = Math.max(prev, x.end);
    }
    if (capacity > prev) holes.push({ addr: prev, len: capacity - prev });
    for (const h of holes) {
      if (h.len < size) continue;
      if (o.placement === 'first-fit' || (o.placement === 'split' && !weightLike)) return h.addr;
      if (o.placement === 'split') best = h; // the highest hole that fits
      else if (best === null || h.len < best.len) best = h;
    }
    if (best === null) return null;
    return o.placement === 'split' ? best.addr + best.len - size : best.addr;
  };
  const isFree = (addr: number, size: number): boolean => {
    if (addr < 0 || addr + size > capacity) return false;
    for (const [t, r] of resident) if (addr < r.addr + p.tensors[t].bytes && r.addr < addr + size) return false;
    return true;
  };
  /** a contiguous window of `size` bytes free of pinned tensors; evicts what it covers */
  const makeRoom = (size: number, pinned: ReadonlySet<number>, s: number): number | null => {
    const b = blocks();
    const starts = new Set<number>([0, capacity - size]);
    for (const x of b) {
      starts.add(x.end);
      starts.add(x.addr - size);
    }
    let best: { a: number; k1: number; k2: number; victims: number[] } | null = null;
    for (const a of starts) {
      if (a < 0 || a + size > capacity) continue;
      const victims: number[] = [];
      let ok = true;
      let bytes = 0, minNext = Infinity, ratio = 0;
      for (const x of b) {
        if (x.end <= a || x.addr >= a + size) continue;
        if (pinned.has(x.t)) {
          ok = false;
          break;
        }
        victims.push(x.t);
        const tb = p.tensors[x.t].bytes;
        const cost = tb * ((resident.get(x.t)!.dirty ? 1 : 0) + 1);
        const d = nextUse(x.t, s) - s;
        bytes += cost;
        minNext = Math.min(minNext, d);
        ratio += cost / d;
      }
      if (!ok) continue;
      const [k1, k2] = o.victim === 'belady' ? [-minNext, bytes] : o.victim === 'bytes' ? [bytes, -minNext] : [ratio, bytes];
      if (best === null || k1 < best.k1 || (k1 === best.k1 && (k2 < best.k2 || (k2 === best.k2 && a < best.a)))) {
        best = { a, k1, k2, victims };
      }
    }
    if (best === null) return null;
    for (const t of best.victims) {
      evict(t);
      forced++;
    }
    return best.a;
  };

  order.forEach((op, s) => {
    const node = p.ops[op];
    const need = [...node.reads, node.output];
    const pinned = new Set(need);
    const missing = need.filter((t) => !resident.has(t)).sort((x, y) => p.tensors[y].bytes - p.tensors[x].bytes || x - y);
    const place = (t: number, addr: number) => {
      if (t === node.output) {
        events.push({ kind: 'alloc', tensor: t, addr });
        resident.set(t, { addr, dirty: true });
      } else {
        events.push({ kind: 'load', tensor: t, addr });
        resident.set(t, { addr, dirty: false });
      }
    };
    let fallback = false;
    for (const t of missing) {
      const size = p.tensors[t].bytes;
      const weightLike = p.tensors[t].kind !== 'activation';
      const fixed = o.fixedAddr?.(t, s);
      let addr = fixed !== undefined && isFree(fixed, size) ? fixed : findHole(size, weightLike);
      if (addr === null) addr = makeRoom(size, pinned, s);
      if (addr === null) {
        fallback = true;
        break;
      }
      place(t, addr);
    }
    if (fallback) {
      // first clear everything the op does not need, then, if the space is still cut up by
      // its own resident inputs, start from an empty scratchpad
      for (const t of [...resident.keys()]) {
        if (pinned.has(t)) continue;
        evict(t);
        forced++;
      }
      const rest = need.filter((t) => !resident.has(t)).sort((x, y) => p.tensors[y].bytes - p.tensors[x].bytes || x - y);
      const planned: [number, number][] = [];
      for (const t of rest) {
        const addr = findHole(p.tensors[t].bytes, p.tensors[t].kind !== 'activation');
        if (addr === null) break;
        planned.push([t, addr]);
        resident.set(t, { addr, dirty: false }); // reserve while planning
      }
      for (const [t] of planned) resident.delete(t);
      if (planned.length === rest.length) {
        for (const [t, addr] of planned) place(t, addr);
      } else {
        for (const t of [...resident.keys()]) {
          evict(t);
          forced++;
        }
        let addr = 0;
        for (const t of need) {
          place(t, addr);
          addr += p.tensors[t].bytes;
        }
      }
    }
    events.push({ kind: 'run', op });
    const out = p.tensors[node.output];
    if (out.isOutput) {
      events.push({ kind: 'store', tensor: out.id });
      resident.get(out.id)!.dirty = false;
    }
    for (const t of need) {
      if (!resident.has(t)) continue;
      if (nextUse(t, s) === Infinity) {
        events.push({ kind: 'free', tensor: t });
        resident.delete(t);
      } else if (o.dropAfter?.(t, s)) {
        evict(t);
      }
    }
  });
  return { events, forced };
}

/**
 * Offline placement of a replacement plan (which tensor is resident over which steps):
 * every residency interval gets one address, in the given order (largest first, longest
 * first, or earliest first), at the lowest offset free of the intervals already placed that
 * overlap it in time. Returns addresses keyed
 * `tensor@start step`, or null when the arena would exceed the capacity.
 */
export function offlinePlacement(
  p: SpProblem, order: readonly number[], drop: (tensor: number, step: number) => boolean, capacity: number,
  sortBy: 'size' | 'lifetime' | 'start' = 'size',
): Map<string, number> | null {
  const uses = useSteps(p, order);
  const iv: { t: number; from: number; to: number; bytes: number }[] = [];
  for (const t of p.tensors) {
    const u = uses[t.id];
    if (u.length === 0) continue;
    let start = u[0];
    for (let i = 0; i < u.length; i++) {
      if (i + 1 === u.length || drop(t.id, u[i])) {
        iv.push({ t: t.id, from: start, to: u[i], bytes: t.bytes });
        if (i + 1 < u.length) start = u[i + 1];
      }
    }
  }
  const life = (x: { from: number; to: number }) => x.to - x.from;
  if (sortBy === 'size') iv.sort((a, b) => b.bytes - a.bytes || life(b) - life(a) || a.from - b.from);
  else if (sortBy === 'lifetime') iv.sort((a, b) => life(b) - life(a) || b.bytes - a.bytes || a.from - b.from);
  else iv.sort((a, b) => a.from - b.from || b.bytes - a.bytes);
  const placed: { from: number; to: number; addr: number; end: number }[] = [];
  const out = new Map<string, number>();
  for (const x of iv) {
    const busy = placed.filter((y) => y.from <= x.to && x.from <= y.to).sort((a, b) => a.addr - b.addr);
    let addr = 0;
    for (const y of busy) {
      if (y.addr >= addr + x.bytes) break;
      addr = Math.max(addr, y.end);
    }
    if (addr + x.bytes > capacity) return null;
    placed.push({ from: x.from, to: x.to, addr, end: addr + x.bytes });
    out.set(`${x.t}@${x.from}`, addr);
  }
  return out;
}

/**
 * A replacement plan by capacity alone (no addresses): walk the order, evict by the victim
 * policy until the working set fits, and record each eviction as a drop right after the
 * tensor's last use. The heuristic places such a plan offline (offlinePlacement).
 */
export function planByBytes(p: SpProblem, order: readonly number[], capacity: number, victim: VictimPolicy): Set<string> {
  const uses = useSteps(p, order);
  const lastUse = new Int32Array(p.tensors.length).fill(-1);
  const resident = new Set<number>();
  const spilled = new Set<number>();
  const drops = new Set<string>();
  let bytes = 0;
  const nextUse = nextUseCursor(uses);
  order.forEach((op, s) => {
    const o = p.ops[op];
    const need = [...o.reads, o.output];
    let missing = 0;
    for (const t of need) if (!resident.has(t)) missing += p.tensors[t].bytes;
    while (bytes + missing > capacity) {
      let best = -1, k1 = Infinity, k2 = Infinity;
      for (const t of resident) {
        if (need.includes(t)) continue;
        const b = p.tensors[t].bytes;
        const cost = b * (p.tensors[t].kind === 'activation' && !spilled.has(t) && !p.tensors[t].isOutput ? 2 : 1);
        const d = nextUse(t, s) - s;
        const [a1, a2] = victim === 'belady' ? [-d, cost] : victim === 'bytes' ? [cost, -d] : [cost / d, cost];
        if (a1 < k1 || (a1 === k1 && a2 < k2)) {
          best = t;
          k1 = a1;
          k2 = a2;
        }
      }
      if (best < 0) break;
      resident.delete(best);
      bytes -= p.tensors[best].bytes;
      if (p.tensors[best].kind === 'activation') spilled.add(best);
      drops.add(`${best}@${lastUse[best]}`);
    }
    for (const t of need) {
      if (!resident.has(t)) {
        resident.add(t);
        bytes += p.tensors[t].bytes;
      }
      lastUse[t] = s;
    }
    if (p.tensors[o.output].isOutput) spilled.add(o.output);
    for (const t of need) {
      if (nextUse(t, s) === Infinity) {
        resident.delete(t);
        bytes -= p.tensors[t].bytes;
      }
    }
  });
  return drops;
}
