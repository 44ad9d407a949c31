/**
 * Network-level scratchpad scheduling (sim/schedulers/network/):
 * - on small graphs, the order + replacement ILP equals a brute force written here
 *   (every topological order x every keep/drop choice, costed by a step-by-step replay);
 *   the fixed-order replacement ILP equals the brute force restricted to that order;
 * - on zoo models (small inputs) and a NAS-style cell net, at several scratchpad sizes:
 *   optimal <= heuristic <= naive in non-compulsory traffic, traffic never below the
 *   compulsory bytes, non-increasing as the scratchpad grows, and every schedule replayed
 *   by the independent checker (sim/schedulers/network/check-schedule.ts);
 * - the checker rejects broken schedules; a scratchpad too small is an InputError that
 *   says how much is needed; `run --schedule` puts the schedule's traffic into the result.
 */
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../models/zoo/builder.ts';
import { buildZooModel } from '../../models/zoo/index.ts';
import { nasCellNet } from '../../models/zoo/nas.ts';
import type { Graph } from '../../models/graph.ts';
import { loadWorkload } from '../../models/workload.ts';
import { InputError } from '../../sim/errors.ts';
import { compulsoryBytes, minCapacity, type SpProblem, type SpSchedule } from '../../sim/memory/scratchpad.ts';
import { scratchpadProblem } from '../../models/scratchpad-problem.ts';
import { checkSchedule } from '../../sim/schedulers/network/check-schedule.ts';
import { capacityGrid, heuristicSchedule } from '../../sim/schedulers/network/heuristic.ts';
import { naiveSchedule } from '../../sim/schedulers/network/naive.ts';
import { optimalSchedule } from '../../sim/schedulers/network/optimal.ts';
import { orderIlp, replacementIlp } from '../../sim/schedulers/network/ilp.ts';
import { isTopological } from '../../sim/schedulers/network/orders.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { parseArch } from '../../sim/arch/schema.ts';
import { simulate } from '../../sim/simulate.ts';
import { scheduleRequest } from '../../cli/schedule-option.ts';
import { runPipeline, type ScheduleRequest } from '../../sim/pipeline.ts';

const WORDS = { input: 1, weight: 1, psum: 4 };

function expectValid(p: SpProblem, s: SpSchedule): void {
  const c = checkSchedule(p, s);
  expect(c.errors).toEqual([]);
  expect(c.peakResidentBytes).toBeLessThanOrEqual(s.capacity);
  expect(isTopological(p, s.order)).toBe(true);
}

// ---------- brute force (independent of the ILP code) ----------

function topoOrders(p: SpProblem): number[][] {
  const out: number[][] = [];
  const done = new Set<number>();
  const cur: number[] = [];
  const rec = () => {
    if (cur.length === p.ops.length) {
      out.push([...cur]);
      return;
    }
    for (const o of p.ops) {
      if (done.has(o.id)) continue;
      if (o.reads.some((t) => p.tensors[t].producer >= 0 && !done.has(p.tensors[t].producer))) continue;
      done.add(o.id);
      cur.push(o.id);
      rec();
      cur.pop();
      done.delete(o.id);
    }
  };
  rec();
  return out;
}

/** Min total traffic over every keep/drop choice for one order; Infinity when nothing fits. */
function bruteForceOrder(p: SpProblem, order: readonly number[], capacity: number): number {
  const uses: number[][] = p.tensors.map(() => []);
  order.forEach((op, s) => {
    for (const t of p.ops[op].reads) uses[t].push(s);
    uses[p.ops[op].output].push(s);
  });
  // the choices: keep tensor t from use i to use i+1, or drop it right after use i
  const choices: [number, number][] = [];
  for (const t of p.tensors) for (let i = 0; i + 1 < uses[t.id].length; i++) choices.push([t.id, uses[t.id][i]]);
  let best = Infinity;
  for (let mask = 0; mask < 1 << choices.length; mask++) {
    const dropAt = new Set<string>();
    choices.forEach(([t, s], i) => {
      if (mask & (1 << i)) dropAt.add(`${t}@${s}`);
    });
    const resident = new Set<number>();
    const inDram = new Set<number>(p.tensors.filter((t) => t.producer < 0).map((t) => t.id));
    let cost = 0, ok = true;
    order.forEach((op, s) => {
      if (!ok) return;
      const o = p.ops[op];
      for (const t of o.reads) {
        if (!resident.has(t)) {
          if (!inDram.has(t)) ok = false;
          cost += p.tensors[t].bytes;
          resident.add(t);
        }
      }
      resident.add(o.output);
      let bytes = 0;
      for (const t of resident) bytes += p.tensors[t].bytes;
      if (bytes > capacity) ok = false;
      if (p.tensors[o.output].isOutput) {
        cost += p.tensors[o.output].bytes;
        inDram.add(o.output);
      }
      for (const t of [...o.reads, o.output]) {
        const later = uses[t].some((u) => u > s);
        if (!later) resident.delete(t);
        else if (dropAt.has(`${t}@${s}`)) {
          if (!inDram.has(t)) {
            cost += p.tensors[t].bytes;
            inDram.add(t);
          }
          resident.delete(t);
        }
      }
    });
    if (ok) best = Math.min(best, cost);
  }
  return best;
}

function bruteForce(p: SpProblem, capacity: number): number {
  let best = Infinity;
  for (const order of topoOrders(p)) best = Math.min(best, bruteForceOrder(p, order, capacity));
  return best;
}

// ---------- small graphs ----------

/** x -> conv -> relu -> conv -> + x -> relu (a residual block) */
function residualBlock(): Graph {
  const b = new GraphBuilder('residual');
  const x = b.input('x', [1, 8, 8, 8]);
  const h = b.conv(b.relu(b.conv(x, 'c1', { out: 8, k: 3, bias: false }), 'r1'), 'c2', { out: 8, k: 3, bias: false });
  b.output(b.relu(b.binary('add', h, x, 'add'), 'r2'));
  return b.g;
}

/** two parallel branches with large weights merged by concat, then a 1x1 conv: the branch that runs second must live beside the first one's output */
function twoBranchCell(): Graph {
  const b = new GraphBuilder('cell');
  const x = b.input('x', [1, 8, 6, 6]);
  const a = b.relu(b.conv(x, 'a.conv', { out: 16, k: 3, bias: false }), 'a.relu');
  const c = b.relu(b.conv(b.maxpool(x, 'b.pool', 3, 1, 1), 'b.conv', { out: 16, k: 3, bias: false }), 'b.relu');
  b.output(b.conv(b.concat([a, c], 'cat', 1), 'mix', { out: 8, k: 1, bias: false }));
  return b.g;
}

/** a tensor read three times at different distances (Belady's case) */
function fanOut(): Graph {
  const b = new GraphBuilder('fanout');
  const x = b.input('x', [1, 16, 8, 8]);
  const y = b.relu(x, 'y');
  const s1 = b.binary('add', b.conv(y, 'p1', { out: 16, k: 3, bias: false }), y, 's1');
  b.output(b.binary('add', b.conv(s1, 'p2', { out: 16, k: 3, bias: false }), y, 'out'));
  return b.g;
}

describe('network scheduling: ILP against brute force on small graphs', () => {
  const graphs = [residualBlock(), twoBranchCell(), fanOut()];
  for (const g of graphs) {
    it(`${g.name}: order + replacement ILP == brute force at every size`, async () => {
      const p = scratchpadProblem(g, WORDS);
      expect(p.ops.length).toBeLessThanOrEqual(7);
      const min = minCapacity(p).bytes;
      let total = 0;
      for (const t of p.tensors) total += t.bytes;
      for (const cap of [min, Math.round(min * 1.2), Math.round(min * 1.5), Math.round((min + total) / 2), total]) {
        const brute = bruteForce(p, cap);
        const ilp = await orderIlp(p, cap, 20);
        expect(ilp.status).toBe('optimal');
        expect(ilp.total).toBe(brute);
        // the fixed-order ILP against the brute force over the same order
        const fixed = await replacementIlp(p, p.ops.map((o) => o.id), cap, 20);
        expect(fixed.total).toBe(bruteForceOrder(p, fixed.order, cap));
        const opt = await optimalSchedule(p, cap, { timeLimitS: 20 });
        expectValid(p, opt);
        expect(opt.traffic.total_bytes).toBeGreaterThanOrEqual(brute);
        if (opt.optimal.placement === 'exact') expect(opt.traffic.total_bytes).toBe(brute);
        const heur = heuristicSchedule(p, cap);
        expectValid(p, heur);
        expect(heur.traffic.total_bytes).toBeGreaterThanOrEqual(brute);
        expect(opt.traffic.total_bytes).toBeLessThanOrEqual(heur.traffic.total_bytes);
      }
    });
  }

  it('the brute force is not trivial: a tight scratchpad costs re-loads or spills', () => {
    const extra = graphs.map((g) => {
      const p = scratchpadProblem(g, WORDS);
      let total = 0;
      for (const t of p.tensors) total += t.bytes;
      expect(bruteForce(p, total)).toBe(compulsoryBytes(p));
      return bruteForce(p, minCapacity(p).bytes) - compulsoryBytes(p);
    });
    expect(extra.every((e) => e > 0)).toBe(true);
  });
});

// ---------- zoo models ----------

interface Case {
  readonly name: string;
  readonly graph: () => Graph;
  readonly maxWeightBytes?: number;
}

const CASES: readonly Case[] = [
  { name: 'resnet18 64x64', graph: () => buildZooModel('resnet18:resolution=64') },
  { name: 'resnet18 64x64, weights split at 64 KB', graph: () => buildZooModel('resnet18:resolution=64'), maxWeightBytes: 65536 },
  { name: 'resnet50 32x32', graph: () => buildZooModel('resnet50:resolution=32') },
  { name: 'mobilenet_v2 96x96', graph: () => buildZooModel('mobilenet_v2:resolution=96') },
  { name: 'bert_base seq 16', graph: () => buildZooModel('bert_base:seq=16') },
  { name: 'deit_tiny 64x64', graph: () => buildZooModel('deit_tiny:resolution=64') },
  { name: 'vit_b16 32x32', graph: () => buildZooModel('vit_b16:resolution=32') },
  { name: 'NAS cells', graph: () => nasCellNet({ batch: 1, resolution: 32, channels: 32, cells: 3, classes: 10 }) },
  // the rest of the zoo, at small sizes
  { name: 'alexnet 64x64', graph: () => buildZooModel('alexnet:resolution=64') },
  { name: 'vgg16 32x32', graph: () => buildZooModel('vgg16:resolution=32') },
  { name: 'efficientnet_b0 64x64', graph: () => buildZooModel('efficientnet_b0:resolution=64') },
  { name: 'binary_resnet18 64x64', graph: () => buildZooModel('binary_resnet18:resolution=64') },
  { name: 'gpt2 prefill of 16', graph: () => buildZooModel('gpt2:seq=16') },
  { name: 'gpt2 decode after 15', graph: () => buildZooModel('gpt2:mode=decode,seq=15') },
  { name: 'llama_block x2 (dim 256, GQA)', graph: () => buildZooModel('llama_block:dim=256,heads=4,kv_heads=2,hidden=512,seq=16,layers=2') },
];

describe('network scheduling on the zoo', () => {
  for (const c of CASES) {
    it(`${c.name}: optimal <= heuristic <= naive, >= compulsory, non-increasing in the size, all checked`, async () => {
      const p = scratchpadProblem(c.graph(), WORDS, c.maxWeightBytes !== undefined ? { maxWeightBytes: c.maxWeightBytes } : {});
      const min = minCapacity(p).bytes;
      const comp = compulsoryBytes(p);
      // the smallest feasible size, then grid sizes (the heuristic is monotone by construction
      // on them): the first three above the minimum, then about twice and four times it
      const grid = capacityGrid(min, 8 * min);
      const caps = [min, grid[0], grid[1], grid[2], grid[4], grid[8]];
      const prev = { naive: Infinity, heuristic: Infinity, optimal: Infinity };
      for (const cap of caps) {
        const n = naiveSchedule(p, cap);
        const h = heuristicSchedule(p, cap);
        const o = await optimalSchedule(p, cap, { timeLimitS: 5 });
        for (const s of [n, h, o]) {
          expectValid(p, s);
          expect(s.traffic.compulsory_bytes).toBe(comp);
          expect(s.traffic.total_bytes).toBeGreaterThanOrEqual(comp);
          expect(s.traffic.non_compulsory_bytes).toBeGreaterThanOrEqual(0);
        }
        expect(o.traffic.non_compulsory_bytes).toBeLessThanOrEqual(h.traffic.non_compulsory_bytes);
        expect(h.traffic.non_compulsory_bytes).toBeLessThanOrEqual(n.traffic.non_compulsory_bytes);
        expect(o.traffic.total_bytes).toBeGreaterThanOrEqual(o.optimal.bound_bytes);
        expect(n.traffic.total_bytes).toBeLessThanOrEqual(prev.naive);
        expect(h.traffic.total_bytes).toBeLessThanOrEqual(prev.heuristic);
        expect(o.traffic.total_bytes).toBeLessThanOrEqual(prev.optimal);
        prev.naive = n.traffic.total_bytes;
        prev.heuristic = h.traffic.total_bytes;
        prev.optimal = o.traffic.total_bytes;
      }
      // naive keeps nothing: every activation read comes back from DRAM
      expect(prev.naive).toBeGreaterThan(comp);
    });
  }
});

// ---------- the checker, bad input, run integration ----------

describe('the replay checker rejects broken schedules', () => {
  const p = scratchpadProblem(residualBlock(), WORDS);
  const cap = minCapacity(p).bytes * 2;
  const good = heuristicSchedule(p, cap);

  it('accepts the scheduler\'s schedule and records what is resident at every step', () => {
    const c = checkSchedule(p, good, { keepSteps: true });
    expect(c.ok).toBe(true);
    expect(c.steps.length).toBe(p.ops.length);
    for (const st of c.steps) {
      const o = p.ops[st.op];
      for (const t of [...o.reads, o.output]) expect(st.resident.some(([r]) => r === t)).toBe(true);
    }
  });

  it('a missing input, an overlap, a dirty drop and a wrong count are all caught', () => {
    const firstLoad = good.events.findIndex((e) => e.kind === 'load');
    const noLoad = { ...good, events: good.events.filter((_, i) => i !== firstLoad) };
    expect(checkSchedule(p, noLoad).errors.join('\n')).toMatch(/without its input|free of .* not resident/);

    const overlap = { ...good, events: good.events.map((e) => (e.kind === 'alloc' ? { ...e, addr: 0 } : e.kind === 'load' ? { ...e, addr: 0 } : e)) };
    expect(checkSchedule(p, overlap).errors.join('\n')).toMatch(/overlaps/);

    const outside = { ...good, capacity: 16 };
    expect(checkSchedule(p, outside).errors.join('\n')).toMatch(/outside the scratchpad|capacity/);

    const naive = naiveSchedule(p, cap);
    const noStore = { ...naive, events: naive.events.filter((e) => !(e.kind === 'store' && p.tensors[e.tensor].name === 'c1')) };
    expect(checkSchedule(p, noStore).errors.join('\n')).toMatch(/dropped dirty|no copy in DRAM/);

    const lying = { ...good, traffic: { ...good.traffic, total_bytes: good.traffic.total_bytes - 1 } };
    expect(checkSchedule(p, lying).errors.join('\n')).toMatch(/traffic: replay/);
  });
});

describe('bad input and integration', () => {
  it('a scratchpad smaller than one operator\'s working set: an InputError that says how much is needed', async () => {
    const p = scratchpadProblem(buildZooModel('resnet18:resolution=64'), WORDS);
    const need = minCapacity(p);
    for (const f of [() => naiveSchedule(p, need.bytes - 1), () => heuristicSchedule(p, need.bytes - 1)]) {
      expect(f).toThrow(InputError);
      expect(f).toThrow(new RegExp(`needs ${need.bytes} bytes \\(${+(need.bytes / 1024).toFixed(2)} KB\\)`));
      expect(f).toThrow(new RegExp(`operator '${p.ops[need.op].name}'`));
    }
    await expect(optimalSchedule(p, 1000)).rejects.toThrow(/too small .* needs \d+ bytes/);
  });

  it('run --schedule: the per-layer DRAM bytes come from the schedule; energy follows; no --schedule changes nothing', async () => {
    const arch = parseArch({ name: 't', array: { rows: 16, cols: 16 }, dataflow: 'ws', pe: 'int8', sram: { unified_kb: 1500 }, dram: { bandwidth: 8, latency: 50 } });
    const pe = getPe('int8');
    const workload = loadWorkload('mobilenet_v2:resolution=96');
    const run = (schedule?: ScheduleRequest['scheduler'], w = workload) =>
      runPipeline({ arch, pe, workload: w, ...(schedule !== undefined && { schedule: { scheduler: schedule, timeLimitS: 5 } }) });
    const base = await run();
    expect(base.schedule).toBeUndefined();
    expect(base.totals.dram).toEqual(simulate({ arch, pe, layers: workload.layers, repeats: workload.repeats, vectorOps: workload.vectorOps }).totals.dram);
    const energy: Record<string, number> = {};
    for (const s of ['naive', 'heuristic', 'optimal'] as const) {
      const r = await run(s);
      const sch = r.schedule!;
      expect(sch.scheduler).toBe(s);
      expect(r.totals.dram.compulsory_bytes).toBe(sch.compulsory_bytes);
      expect(r.totals.dram.non_compulsory_bytes).toBe(sch.non_compulsory_bytes);
      const moved = r.totals.dram.ifmap_read_bytes + r.totals.dram.filter_read_bytes + r.totals.dram.ofmap_read_bytes + r.totals.dram.ofmap_write_bytes;
      expect(moved).toBe(sch.total_bytes);
      expect(r.totals.cycles).toBe(r.totals.compute_cycles + r.totals.stall_cycles + r.totals.vector_cycles);
      energy[s] = r.totals.energy_pj.dram;
    }
    expect(energy.heuristic).toBeLessThan(energy.naive);
    expect(energy.optimal).toBeLessThanOrEqual(energy.heuristic);
    expect(() => scheduleRequest({ schedule: 'belady', scheduleTimeLimit: 5 })).toThrow(/naive, heuristic, optimal/);
    const { network: _n, ...csv } = workload;
    await expect(run('naive', csv)).rejects.toThrow(/needs a model with a graph/);
  });
});
