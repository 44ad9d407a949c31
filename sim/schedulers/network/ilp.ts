/**
 * Integer linear programs for scratchpad replacement (and, on small graphs, operator
 * order), written in CPLEX LP format and solved by HiGHS (the `highs` npm package, HiGHS
 * compiled to WebAssembly).
 *
 * Whole tensors, no fragmentation in the ILP (placement is the realizing engine's job,
 * checked by the replay checker). Both models count the same bytes as the checker:
 * loads (the first of a weight / input is compulsory) + write-backs of activations that
 * leave the scratchpad while still needed + the graph outputs' writes (a constant).
 *
 * `replacementIlp` (fixed order): for each tensor and each gap between two consecutive
 * uses with at least one step in between, a binary `l` = "not kept over the gap, loaded
 * again at the next use" (keeping it part of the gap and loading later never helps, and a
 * tensor not kept is best dropped right after its use). An activation that is dropped
 * while still needed is written back once (binary `w >= l`). Capacity per step: the
 * operator's working set + every tensor kept over that step <= C. This is exactly the
 * optimal replacement for that order when fragmentation is ignored, hence a lower bound
 * for every placement.
 *
 * `orderIlp` (small graphs): COSMA-style, binaries x[o,s] (op o at step s), r[t,s]
 * (resident at step s), l[t,s] (loaded before step s), w[t] (written back): one op per
 * step, producers before readers, r >= uses, an activation resident only once produced,
 * r[t,s] <= r[t,s-1] + l[t,s] (+ x[producer,s]), l <= w for activations, capacity.
 */
import type { Highs } from 'highs';
import type { SpProblem } from '../../memory/scratchpad.ts';
import { useSteps } from './engine.ts';

type Loader = () => Promise<Highs>;
let highsPromise: Promise<Highs> | undefined;
/**
 * The HiGHS runtime, loaded once, on the first ILP (not when a run starts). The package's
 * types are CommonJS-flavoured (default = the module); its ESM build exports the loader as `default`.
 */
function highs(): Promise<Highs> {
  highsPromise ??= import('highs').then((highsModule) => {
    const m = highsModule as unknown as { default: Loader | { default: Loader } };
    const load: Loader = typeof m.default === 'function' ? m.default : m.default.default;
    return load();
  });
  return highsPromise;
}

export type IlpStatus = 'optimal' | 'time-limit' | 'infeasible' | 'trivial' | 'error';

export interface IlpSolution {
  readonly status: IlpStatus;
  /** objective of the incumbent (bytes), NaN without one */
  readonly objective: number;
  /** the solver's lower bound on the objective */
  readonly bound: number;
  /** relative MIP gap, 0 when proven optimal */
  readonly gap: number;
  readonly values: ReadonlyMap<string, number>;
  readonly ms: number;
}

/** Solves a CPLEX LP-format MIP; `names` are the columns whose values are wanted. */
export async function solveLp(lp: string, names: readonly string[], timeLimitS: number): Promise<IlpSolution> {
  const h = await highs();
  const t0 = performance.now();
  const m = h.createModel({ format: 'lp', data: lp });
  try {
    m.options.set({ output_flag: false, time_limit: Math.max(0.05, timeLimitS), mip_rel_gap: 0, mip_abs_gap: 0.5 });
    m.run();
    const ms = performance.now() - t0;
    const st = m.getModelStatus();
    const C = h.constants.modelStatus;
    const objective = m.getObjectiveValue();
    const info = (k: string): number => {
      const v: unknown = m.info.get(k as Parameters<typeof m.info.get>[0]);
      return typeof v === 'number' ? v : Number(v);
    };
    if (st === C.infeasible) return { status: 'infeasible', objective: NaN, bound: NaN, gap: NaN, values: new Map(), ms };
    const hasSolution = st === C.optimal || (Number.isFinite(objective) && info('primal_solution_status') === 2);
    if (!hasSolution) return { status: 'error', objective: NaN, bound: NaN, gap: NaN, values: new Map(), ms };
    const col = m.getSolution().colValue;
    const values = new Map<string, number>();
    for (const n of names) {
      const i = m.getColByName(n);
      values.set(n, Math.round(col[i]));
    }
    const optimal = st === C.optimal;
    const bound = optimal ? objective : info('mip_dual_bound');
    const gap = optimal ? 0 : info('mip_gap');
    return { status: optimal ? 'optimal' : 'time-limit', objective, bound, gap, values, ms };
  } finally {
    m.dispose();
  }
}

export interface Gap {
  readonly tensor: number;
  /** step of the use it follows and of the next use */
  readonly from: number;
  readonly to: number;
}

export interface ReplacementPlan {
  readonly order: readonly number[];
  /** total traffic of the plan (bytes): compulsory + re-loads + write-backs */
  readonly total: number;
  /** lower bound on the total for this order (= total when optimal) */
  readonly bound: number;
  readonly status: IlpStatus;
  readonly gap: number;
  readonly ms: number;
  /** drop `tensor` right after step `step` (not kept until its next use) */
  readonly drop: ReadonlySet<string>;
  readonly variables: number;
  readonly constraints: number;
}

export const dropKey = (tensor: number, step: number) => `${tensor}@${step}`;

function outputBytes(p: SpProblem): number {
  let s = 0;
  for (const t of p.tensors) if (t.isOutput) s += t.bytes;
  return s;
}

/** Optimal replacement for a fixed order (capacity without fragmentation). */
export async function replacementIlp(p: SpProblem, order: readonly number[], capacity: number, timeLimitS: number): Promise<ReplacementPlan> {
  const uses = useSteps(p, order);
  const n = order.length;
  const base = new Float64Array(n);
  order.forEach((op, s) => {
    const o = p.ops[op];
    base[s] = p.tensors[o.output].bytes;
    for (const t of o.reads) base[s] += p.tensors[t].bytes;
  });
  const gaps: Gap[] = [];
  let firstLoads = 0;
  for (const t of p.tensors) {
    const u = uses[t.id];
    if (t.producer < 0 && u.length > 0) firstLoads += t.bytes;
    for (let i = 0; i + 1 < u.length; i++) if (u[i + 1] > u[i] + 1) gaps.push({ tensor: t.id, from: u[i], to: u[i + 1] });
  }
  const constant = firstLoads + outputBytes(p);
  // capacity rows: the gaps spanning each step
  const spanning: number[][] = Array.from({ length: n }, () => []);
  gaps.forEach((g, i) => {
    for (let s = g.from + 1; s < g.to; s++) spanning[s].push(i);
  });
  const rows: string[] = [];
  for (let s = 0; s < n; s++) {
    let kept = 0;
    for (const i of spanning[s]) kept += p.tensors[gaps[i].tensor].bytes;
    const need = kept - (capacity - base[s]);
    if (need > 0) rows.push(` c${s}: ${spanning[s].map((i) => `${p.tensors[gaps[i].tensor].bytes} l${i}`).join(' + ')} >= ${need}`);
  }
  const spillOf = new Map<number, number[]>();
  gaps.forEach((g, i) => {
    const t = p.tensors[g.tensor];
    if (t.kind === 'activation' && !t.isOutput) spillOf.set(t.id, [...(spillOf.get(t.id) ?? []), i]);
  });
  const drop = new Set<string>();
  if (rows.length === 0) {
    // everything can stay: the plan keeps every gap
    return { order, total: constant, bound: constant, status: 'trivial', gap: 0, ms: 0, drop, variables: 0, constraints: 0 };
  }
  for (const [t, is] of spillOf) for (const i of is) rows.push(` s${i}: w${t} - l${i} >= 0`);
  const obj = [
    ...gaps.map((g, i) => `${p.tensors[g.tensor].bytes} l${i}`),
    ...[...spillOf.keys()].map((t) => `${p.tensors[t].bytes} w${t}`),
  ];
  const names = gaps.map((_, i) => `l${i}`);
  const lp = [
    'Minimize', ` obj: ${obj.join(' + ')}`, 'Subject To', ...rows,
    'Binaries', ` ${[...names, ...[...spillOf.keys()].map((t) => `w${t}`)].join(' ')}`, 'End', '',
  ].join('\n');
  const sol = await solveLp(lp, names, timeLimitS);
  if (sol.status === 'infeasible' || sol.status === 'error') {
    return { order, total: NaN, bound: NaN, status: sol.status, gap: NaN, ms: sol.ms, drop, variables: names.length + spillOf.size, constraints: rows.length };
  }
  gaps.forEach((g, i) => {
    if (sol.values.get(`l${i}`) === 1) drop.add(dropKey(g.tensor, g.from));
  });
  return {
    order, total: Math.round(sol.objective) + constant, bound: Math.ceil(sol.bound - 1e-6) + constant, status: sol.status, gap: sol.gap,
    ms: sol.ms, drop, variables: names.length + spillOf.size, constraints: rows.length,
  };
}

/** Operator order + replacement in one ILP (small graphs). */
export async function orderIlp(p: SpProblem, capacity: number, timeLimitS: number): Promise<ReplacementPlan> {
  const N = p.ops.length;
  const T = p.tensors;
  const steps = [...Array(N).keys()];
  const x = (o: number, s: number) => `x${o}_${s}`;
  const r = (t: number, s: number) => `r${t}_${s}`;
  const l = (t: number, s: number) => `l${t}_${s}`;
  const rows: string[] = [];
  const bins: string[] = [];
  for (const o of p.ops) {
    rows.push(` a${o.id}: ${steps.map((s) => x(o.id, s)).join(' + ')} = 1`);
    for (const s of steps) bins.push(x(o.id, s));
  }
  for (const s of steps) rows.push(` b${s}: ${p.ops.map((o) => x(o.id, s)).join(' + ')} = 1`);
  for (const o of p.ops) {
    const producers = new Set<number>();
    for (const t of o.reads) if (T[t].producer >= 0) producers.add(T[t].producer);
    for (const q of producers) {
      rows.push(` p${q}_${o.id}: ${steps.map((s) => `${s + 1} ${x(o.id, s)}`).join(' + ')} - ${steps.map((s) => `${s + 1} ${x(q, s)}`).join(' - ')} >= 1`);
    }
  }
  const obj: string[] = [];
  for (const t of T) {
    const users = [...t.readers, ...(t.producer >= 0 ? [t.producer] : [])];
    for (const s of steps) {
      bins.push(r(t.id, s), l(t.id, s));
      rows.push(` u${t.id}_${s}: ${r(t.id, s)} - ${users.map((o) => x(o, s)).join(' - ')} >= 0`);
      const prev = s > 0 ? ` - ${r(t.id, s - 1)}` : '';
      if (t.producer >= 0) {
        rows.push(` n${t.id}_${s}: ${r(t.id, s)} - ${steps.slice(0, s + 1).map((q) => x(t.producer, q)).join(' - ')} <= 0`);
        rows.push(` k${t.id}_${s}: ${r(t.id, s)}${prev} - ${l(t.id, s)} - ${x(t.producer, s)} <= 0`);
        if (!t.isOutput) rows.push(` s${t.id}_${s}: w${t.id} - ${l(t.id, s)} >= 0`);
      } else {
        rows.push(` k${t.id}_${s}: ${r(t.id, s)}${prev} - ${l(t.id, s)} <= 0`);
      }
      obj.push(`${t.bytes} ${l(t.id, s)}`);
    }
    if (t.producer >= 0 && !t.isOutput) {
      bins.push(`w${t.id}`);
      obj.push(`${t.bytes} w${t.id}`);
    }
  }
  for (const s of steps) rows.push(` c${s}: ${T.map((t) => `${t.bytes} ${r(t.id, s)}`).join(' + ')} <= ${capacity}`);
  const lp = ['Minimize', ` obj: ${obj.join(' + ')}`, 'Subject To', ...rows, 'Binaries', ` ${bins.join(' ')}`, 'End', ''].join('\n');
  const names = [...p.ops.flatMap((o) => steps.map((s) => x(o.id, s))), ...T.flatMap((t) => steps.map((s) => r(t.id, s)))];
  const sol = await solveLp(lp, names, timeLimitS);
  const drop = new Set<string>();
  if (sol.status === 'infeasible' || sol.status === 'error') {
    return { order: [], total: NaN, bound: NaN, status: sol.status, gap: NaN, ms: sol.ms, drop, variables: bins.length, constraints: rows.length };
  }
  const order = steps.map((s) => p.ops.find((o) => sol.values.get(x(o.id, s)) === 1)!.id);
  const uses = useSteps(p, order);
  for (const t of T) {
    const u = uses[t.id];
    for (let i = 0; i + 1 < u.length; i++) {
      for (let s = u[i] + 1; s < u[i + 1]; s++) {
        if (sol.values.get(r(t.id, s)) !== 1) {
          drop.add(dropKey(t.id, u[i]));
          break;
        }
      }
    }
  }
  const out = outputBytes(p);
  return {
    order, total: Math.round(sol.objective) + out, bound: Math.ceil(sol.bound - 1e-6) + out, status: sol.status, gap: sol.gap, ms: sol.ms,
    drop, variables: bins.length, constraints: rows.length,
  };
}
