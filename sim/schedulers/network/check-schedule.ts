/**
 * An independent replay checker for network scratchpad schedules. It shares no code with
 * the schedulers (only the problem and event types) and verifies, event by event:
 * - every placed range lies in [0, capacity) and overlaps no resident tensor, so the bytes
 *   resident never exceed the capacity, with real addresses (fragmentation counts);
 * - a load reads a tensor that has a valid DRAM copy (a weight / input, or an activation
 *   written back earlier) and is not resident; an alloc is the output of an operator that
 *   has not run;
 * - each operator runs once, after its producers, with all its inputs and its output
 *   buffer resident;
 * - a store writes a resident, computed tensor; a free never drops the only copy of a
 *   tensor that is still needed (a later reader or an unwritten graph output);
 * - at the end every operator ran and every graph output is in DRAM;
 * and recounts the traffic (compulsory: first load of each weight / input, first store of
 * each graph output), which must equal what the scheduler reported, in total and per op.
 */
import type { SpProblem, SpSchedule } from '../../memory/scratchpad.ts';

export interface CheckedStep {
  readonly op: number;
  /** resident tensors while the op runs: [tensor, addr, bytes] */
  readonly resident: readonly (readonly [number, number, number])[];
  readonly residentBytes: number;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly errors: string[];
  readonly total: number;
  readonly compulsory: number;
  readonly nonCompulsory: number;
  readonly peakResidentBytes: number;
  readonly steps: CheckedStep[];
}

export function checkSchedule(p: SpProblem, s: SpSchedule, opts: { keepSteps?: boolean } = {}): CheckResult {
  const errors: string[] = [];
  const err = (m: string) => {
    if (errors.length < 20) errors.push(m);
  };
  const cap = s.capacity;
  const res = new Map<number, { addr: number; dirty: boolean }>();
  const inDram = new Set<number>();
  const everLoaded = new Set<number>();
  const everStored = new Set<number>();
  for (const t of p.tensors) if (t.producer < 0) inDram.add(t.id);
  const ran = new Set<number>();
  const computed = new Set<number>();
  let total = 0, comp = 0, peak = 0;
  const perOpTotal = new Float64Array(p.ops.length);
  const perOpComp = new Float64Array(p.ops.length);
  let pendingTotal = 0, pendingComp = 0, lastRun = -1;
  const steps: CheckedStep[] = [];
  const name = (t: number) => `'${p.tensors[t]?.name ?? `#${t}`}'`;

  const stillNeeded = (t: number) => p.tensors[t].readers.some((r) => !ran.has(r)) || (p.tensors[t].isOutput && !inDram.has(t));
  const placeCheck = (t: number, addr: number, what: string) => {
    const b = p.tensors[t].bytes;
    if (!Number.isInteger(addr) || addr < 0 || addr + b > cap) err(`${what} ${name(t)} at [${addr}, ${addr + b}) is outside the scratchpad [0, ${cap})`);
    for (const [u, r] of res) {
      const e = r.addr + p.tensors[u].bytes;
      if (addr < e && r.addr < addr + b) err(`${what} ${name(t)} at [${addr}, ${addr + b}) overlaps ${name(u)} at [${r.addr}, ${e})`);
    }
  };

  for (const e of s.events) {
    if (e.kind !== 'run' && (e.tensor < 0 || e.tensor >= p.tensors.length)) {
      err(`event on unknown tensor ${e.tensor}`);
      continue;
    }
    switch (e.kind) {
      case 'load': {
        if (res.has(e.tensor)) err(`load of ${name(e.tensor)}, already resident`);
        if (!inDram.has(e.tensor)) err(`load of ${name(e.tensor)}, which has no copy in DRAM`);
        placeCheck(e.tensor, e.addr, 'load of');
        res.set(e.tensor, { addr: e.addr, dirty: false });
        const b = p.tensors[e.tensor].bytes;
        pendingTotal += b;
        if (p.tensors[e.tensor].producer < 0 && !everLoaded.has(e.tensor)) pendingComp += b;
        everLoaded.add(e.tensor);
        break;
      }
      case 'alloc': {
        const t = p.tensors[e.tensor];
        if (t.producer < 0) err(`alloc of ${name(e.tensor)}, which no operator produces`);
        else if (ran.has(t.producer)) err(`alloc of ${name(e.tensor)} after its producer ran`);
        if (res.has(e.tensor)) err(`alloc of ${name(e.tensor)}, already resident`);
        placeCheck(e.tensor, e.addr, 'alloc of');
        res.set(e.tensor, { addr: e.addr, dirty: true });
        break;
      }
      case 'run': {
        const o = p.ops[e.op];
        if (!o) {
          err(`run of unknown op ${e.op}`);
          break;
        }
        if (ran.has(e.op)) err(`op '${o.name}' runs twice`);
        for (const t of o.reads) {
          if (!res.has(t)) err(`op '${o.name}' runs without its input ${name(t)} resident`);
          if (p.tensors[t].producer >= 0 && !computed.has(t)) err(`op '${o.name}' reads ${name(t)} before it is computed`);
        }
        if (!res.has(o.output)) err(`op '${o.name}' runs without its output buffer ${name(o.output)}`);
        let bytes = 0;
        for (const [t] of res) bytes += p.tensors[t].bytes;
        if (bytes > cap) err(`op '${o.name}': ${bytes} bytes resident > capacity ${cap}`);
        peak = Math.max(peak, bytes);
        if (opts.keepSteps) {
          steps.push({ op: e.op, resident: [...res].map(([t, r]) => [t, r.addr, p.tensors[t].bytes] as const).sort((a, b) => a[1] - b[1]), residentBytes: bytes });
        }
        ran.add(e.op);
        computed.add(o.output);
        perOpTotal[e.op] += pendingTotal;
        perOpComp[e.op] += pendingComp;
        total += pendingTotal;
        comp += pendingComp;
        pendingTotal = pendingComp = 0;
        lastRun = e.op;
        break;
      }
      case 'store': {
        const r = res.get(e.tensor);
        if (!r) err(`store of ${name(e.tensor)}, not resident`);
        else if (!computed.has(e.tensor) && p.tensors[e.tensor].producer >= 0) err(`store of ${name(e.tensor)} before it is computed`);
        if (r) r.dirty = false;
        inDram.add(e.tensor);
        const b = p.tensors[e.tensor].bytes;
        pendingTotal += b;
        if (p.tensors[e.tensor].isOutput && !everStored.has(e.tensor)) pendingComp += b;
        everStored.add(e.tensor);
        break;
      }
      case 'free': {
        const r = res.get(e.tensor);
        if (!r) {
          err(`free of ${name(e.tensor)}, not resident`);
          break;
        }
        if (r.dirty && computed.has(e.tensor) && stillNeeded(e.tensor)) err(`${name(e.tensor)} dropped dirty (not written back) while still needed`);
        if (r.dirty && !computed.has(e.tensor)) err(`output buffer ${name(e.tensor)} freed before its operator ran`);
        res.delete(e.tensor);
        break;
      }
    }
  }
  if (lastRun >= 0) {
    perOpTotal[lastRun] += pendingTotal;
    perOpComp[lastRun] += pendingComp;
  }
  total += pendingTotal;
  comp += pendingComp;
  for (const o of p.ops) if (!ran.has(o.id)) err(`op '${o.name}' never runs`);
  for (const t of p.tensors) if (t.isOutput && !inDram.has(t.id)) err(`graph output ${name(t.id)} never written to DRAM`);
  const order = s.events.filter((e) => e.kind === 'run').map((e) => (e.kind === 'run' ? e.op : -1));
  if (order.join(',') !== s.order.join(',')) err('the reported order differs from the order of the run events');
  if (total !== s.traffic.total_bytes) err(`traffic: replay ${total} bytes, scheduler reported ${s.traffic.total_bytes}`);
  if (comp !== s.traffic.compulsory_bytes) err(`compulsory: replay ${comp} bytes, scheduler reported ${s.traffic.compulsory_bytes}`);
  if (total - comp !== s.traffic.non_compulsory_bytes) err(`non-compulsory: replay ${total - comp} bytes, scheduler reported ${s.traffic.non_compulsory_bytes}`);
  for (const o of p.ops) {
    const r = s.perOp[o.id];
    if (!r || r.total_bytes !== perOpTotal[o.id] || r.compulsory_bytes !== perOpComp[o.id]) {
      err(`op '${o.name}': replay ${perOpTotal[o.id]} bytes (${perOpComp[o.id]} compulsory), scheduler reported ${r?.total_bytes} (${r?.compulsory_bytes})`);
    }
  }
  return { ok: errors.length === 0, errors, total, compulsory: comp, nonCompulsory: total - comp, peakResidentBytes: peak, steps };
}
