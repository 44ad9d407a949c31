/**
 * Candidate operator orders for the heuristic and the per-order ILP. All of them are
 * topological orders and none depends on the scratchpad size (so the best over them is
 * monotone in it):
 * - `graph`: the graph's own topological order (the naive baseline's);
 * - `dfs`: always run, among the ready operators, one that reads the most recently produced
 *   tensor (a consumer right after its producer: branches run to completion one at a time);
 * - `min-live`: always run the ready operator that leaves the fewest live bytes;
 * - `split` (divide and conquer): cut the graph where at most one tensor is live across
 *   the cut (between residual blocks, encoder layers, cells), then order each piece alone:
 *   exhaustively by branch and bound on its peak live bytes when it is small (<= 12
 *   operators and a bounded search), else with `min-live`.
 * Live bytes: a tensor is live from its production (or first load) to its last reader.
 */
import type { SpProblem } from '../../memory/scratchpad.ts';

export interface NamedOrder {
  readonly name: string;
  readonly order: readonly number[];
}

function preds(p: SpProblem): number[][] {
  return p.ops.map((o) => {
    const s = new Set<number>();
    for (const t of o.reads) if (p.tensors[t].producer >= 0) s.add(p.tensors[t].producer);
    return [...s];
  });
}

/** Live bytes over an order; returns the peak. */
export function peakLiveBytes(p: SpProblem, order: readonly number[]): number {
  const remaining = p.tensors.map((t) => t.readers.length);
  const live = new Set<number>();
  let bytes = 0, peak = 0;
  for (const op of order) {
    const o = p.ops[op];
    for (const t of [...o.reads, o.output]) {
      if (!live.has(t)) {
        live.add(t);
        bytes += p.tensors[t].bytes;
      }
    }
    peak = Math.max(peak, bytes);
    for (const t of o.reads) remaining[t]--;
    for (const t of [...o.reads, o.output]) {
      if (remaining[t] <= 0 && live.has(t)) {
        live.delete(t);
        bytes -= p.tensors[t].bytes;
      }
    }
  }
  return peak;
}

type Chooser = (ready: readonly number[], state: GreedyState) => number;

interface GreedyState {
  readonly producedAt: Int32Array;
  readonly remaining: Int32Array;
  readonly step: number;
}

function greedy(p: SpProblem, ops: readonly number[], choose: Chooser, remaining: Int32Array, producedAt: Int32Array, stepBase: number): number[] {
  const inSet = new Set(ops);
  const pr = preds(p);
  const waiting = new Map<number, number>();
  for (const op of ops) waiting.set(op, pr[op].filter((q) => inSet.has(q)).length);
  const succ = new Map<number, number[]>();
  for (const op of ops) for (const q of pr[op]) if (inSet.has(q)) succ.set(q, [...(succ.get(q) ?? []), op]);
  let ready = ops.filter((op) => waiting.get(op) === 0);
  const out: number[] = [];
  while (ready.length > 0) {
    const op = choose(ready, { producedAt, remaining, step: stepBase + out.length });
    ready = ready.filter((x) => x !== op);
    out.push(op);
    producedAt[p.ops[op].output] = stepBase + out.length - 1;
    for (const t of p.ops[op].reads) remaining[t]--;
    for (const c of succ.get(op) ?? []) {
      const w = waiting.get(c)! - 1;
      waiting.set(c, w);
      if (w === 0) ready.push(c);
    }
  }
  return out;
}

const recency = (p: SpProblem, op: number, st: GreedyState) => {
  let r = -1;
  for (const t of p.ops[op].reads) if (p.tensors[t].producer >= 0) r = Math.max(r, st.producedAt[t]);
  return r;
};

const dfsChoose = (p: SpProblem): Chooser => (ready, st) => {
  let best = ready[0], bestR = -2;
  for (const op of ready) {
    const r = recency(p, op, st);
    if (r > bestR || (r === bestR && op < best)) {
      best = op;
      bestR = r;
    }
  }
  return best;
};

/** live bytes added by running op now (its output) minus those it frees (last reads) */
function liveDelta(p: SpProblem, op: number, remaining: Int32Array): number {
  const o = p.ops[op];
  let d = p.tensors[o.output].readers.length > 0 ? p.tensors[o.output].bytes : 0;
  for (const t of o.reads) if (remaining[t] === 1) d -= p.tensors[t].bytes;
  return d;
}

const minLiveChoose = (p: SpProblem): Chooser => (ready, st) => {
  let best = ready[0], bestD = Infinity, bestR = -2;
  for (const op of ready) {
    const d = liveDelta(p, op, st.remaining);
    const r = recency(p, op, st);
    if (d < bestD || (d === bestD && (r > bestR || (r === bestR && op < best)))) {
      best = op;
      bestD = d;
      bestR = r;
    }
  }
  return best;
};

function fresh(p: SpProblem): { remaining: Int32Array; producedAt: Int32Array } {
  return { remaining: Int32Array.from(p.tensors.map((t) => t.readers.length)), producedAt: new Int32Array(p.tensors.length).fill(-1) };
}

/** Segments of the graph order separated by cuts with at most one live tensor across. */
export function segments(p: SpProblem): number[][] {
  const n = p.ops.length;
  const first = new Int32Array(p.tensors.length).fill(n);
  const last = new Int32Array(p.tensors.length).fill(-1);
  for (const o of p.ops) {
    for (const t of [...o.reads, o.output]) {
      first[t] = Math.min(first[t], o.id);
      last[t] = Math.max(last[t], o.id);
    }
  }
  // crossing[s]: tensors live across the boundary after op s
  const crossing = new Int32Array(n);
  for (let t = 0; t < p.tensors.length; t++) for (let s = first[t]; s < last[t]; s++) crossing[s]++;
  const segs: number[][] = [];
  let cur: number[] = [];
  for (let s = 0; s < n; s++) {
    cur.push(s);
    if (crossing[s] <= 1 || s === n - 1) {
      segs.push(cur);
      cur = [];
    }
  }
  return segs;
}

const MAX_EXHAUSTIVE_OPS = 12;
const MAX_EXPANSIONS = 20_000;

/** Branch and bound over the topological orders of a segment, minimizing its peak live bytes. */
function bestSegmentOrder(p: SpProblem, seg: readonly number[], remaining: Int32Array, liveStart: ReadonlySet<number>): number[] | null {
  if (seg.length > MAX_EXHAUSTIVE_OPS) return null;
  const inSet = new Set(seg);
  const pr = preds(p).map((q) => q.filter((x) => inSet.has(x)));
  const rem = Int32Array.from(remaining);
  const live = new Set(liveStart);
  let bytes = 0;
  for (const t of live) bytes += p.tensors[t].bytes;
  const done = new Set<number>();
  const cur: number[] = [];
  let best: number[] | null = null, bestPeak = Infinity, expansions = 0;
  const rec = (peak: number): boolean => {
    if (peak >= bestPeak) return true;
    if (cur.length === seg.length) {
      best = [...cur];
      bestPeak = peak;
      return true;
    }
    for (const op of seg) {
      if (done.has(op) || pr[op].some((q) => !done.has(q))) continue;
      if (++expansions > MAX_EXPANSIONS) return false;
      const o = p.ops[op];
      const added: number[] = [];
      for (const t of [...o.reads, o.output]) {
        if (!live.has(t)) {
          live.add(t);
          added.push(t);
          bytes += p.tensors[t].bytes;
        }
      }
      const stepPeak = Math.max(peak, bytes);
      const removed: number[] = [];
      for (const t of o.reads) rem[t]--;
      for (const t of [...o.reads, o.output]) {
        if (rem[t] <= 0 && live.has(t)) {
          live.delete(t);
          removed.push(t);
          bytes -= p.tensors[t].bytes;
        }
      }
      done.add(op);
      cur.push(op);
      const ok = rec(stepPeak);
      cur.pop();
      done.delete(op);
      for (const t of removed) {
        live.add(t);
        bytes += p.tensors[t].bytes;
      }
      for (const t of o.reads) rem[t]++;
      for (const t of added) {
        live.delete(t);
        bytes -= p.tensors[t].bytes;
      }
      if (!ok) return false;
    }
    return true;
  };
  const complete = rec(0);
  return complete ? best : null;
}

function splitOrder(p: SpProblem): number[] {
  const { remaining, producedAt } = fresh(p);
  const live = new Set<number>();
  const out: number[] = [];
  for (const seg of segments(p)) {
    const ord = bestSegmentOrder(p, seg, remaining, live) ?? greedy(p, seg, minLiveChoose(p), Int32Array.from(remaining), Int32Array.from(producedAt), out.length);
    for (const op of ord) {
      const o = p.ops[op];
      producedAt[o.output] = out.length;
      out.push(op);
      for (const t of [...o.reads, o.output]) live.add(t);
      for (const t of o.reads) remaining[t]--;
      for (const t of [...o.reads, o.output]) if (remaining[t] <= 0) live.delete(t);
    }
  }
  return out;
}

const cache = new WeakMap<SpProblem, NamedOrder[]>();

/** The candidate orders (deduplicated), cached per problem. */
export function candidateOrders(p: SpProblem): NamedOrder[] {
  const hit = cache.get(p);
  if (hit) return hit;
  const all = p.ops.map((o) => o.id);
  const list: NamedOrder[] = [{ name: 'graph', order: all }];
  const f1 = fresh(p);
  list.push({ name: 'dfs', order: greedy(p, all, dfsChoose(p), f1.remaining, f1.producedAt, 0) });
  const f2 = fresh(p);
  list.push({ name: 'min-live', order: greedy(p, all, minLiveChoose(p), f2.remaining, f2.producedAt, 0) });
  list.push({ name: 'split', order: splitOrder(p) });
  const seen = new Set<string>();
  const out = list.filter((o) => {
    const k = o.order.join(',');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  cache.set(p, out);
  return out;
}

/** Whether `order` is a permutation of the ops that respects every producer -> reader edge. */
export function isTopological(p: SpProblem, order: readonly number[]): boolean {
  if (order.length !== p.ops.length) return false;
  const pos = new Int32Array(p.ops.length).fill(-1);
  order.forEach((op, i) => {
    pos[op] = i;
  });
  if (pos.some((x) => x < 0)) return false;
  return p.ops.every((o) => o.reads.every((t) => p.tensors[t].producer < 0 || pos[p.tensors[t].producer] < pos[o.id]));
}
