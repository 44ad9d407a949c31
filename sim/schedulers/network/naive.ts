/**
 * The naive baseline: layer by layer in the graph's topological order, nothing kept across
 * operators. Every operator loads all of its inputs and weights from DRAM (laid out from
 * address 0), runs, writes its output back and frees everything.
 */
import { makeSchedule, requireCapacity, type SpEvent, type SpProblem, type SpSchedule } from '../../memory/scratchpad.ts';

export function naiveSchedule(p: SpProblem, capacity: number): SpSchedule {
  requireCapacity(p, capacity);
  const events: SpEvent[] = [];
  const order = p.ops.map((o) => o.id);
  for (const op of order) {
    const o = p.ops[op];
    let addr = 0;
    for (const t of o.reads) {
      events.push({ kind: 'load', tensor: t, addr });
      addr += p.tensors[t].bytes;
    }
    events.push({ kind: 'alloc', tensor: o.output, addr });
    events.push({ kind: 'run', op });
    events.push({ kind: 'store', tensor: o.output });
    for (const t of [...o.reads, o.output]) events.push({ kind: 'free', tensor: t });
  }
  return makeSchedule(p, 'naive', capacity, order, events);
}
