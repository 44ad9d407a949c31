/**
 * The unified scratchpad at network level: which tensors a network's operators read and
 * write, how many bytes each takes, and what a schedule is (operator order + every load,
 * allocation, write-back and drop, with scratchpad addresses).
 *
 * Granularity: whole tensors. An operator runs when its whole working set is resident in
 * one scratchpad: every tensor it reads (activations, weights, biases, norm parameters) and
 * its output buffer, each in one contiguous address range. Partial sums stay inside the
 * operator (array accumulators / ofmap buffer, modelled per layer by memory/traffic.ts).
 *
 * A problem is built from a model's graph by models/scratchpad-problem.ts:
 * - every operator that does work (array or vector unit) is a step; views (reshape, flatten,
 *   slice, concat, expand, identity) and batch norms folded into a conv move no data: their
 *   output is the tensor(s) they view. A concat's consumer reads each branch's tensor where
 *   it lies (an address generator that gathers; the branches need not be adjacent);
 * - a slice of a weight or input (BERT's position table) and an embedding lookup read only
 *   the rows they use: the slice, or ids x width of the table;
 * - bytes: array weights (operand 1 of conv / linear) at the PE's weight word
 *   (`bytesPerValue`), everything else (activations, biases, norm parameters, embeddings,
 *   graph inputs) at the input word: an operator's output is requantized to the input
 *   format the next operator reads. Sizes round up to whole bytes.
 *
 * Traffic (what `countTraffic` and the checker count): a load moves the tensor's bytes from
 * DRAM, a store moves them to DRAM. Compulsory: the first load of each weight / graph input
 * and the first store of each graph output. Everything else (re-loads, spills of
 * intermediate activations and their re-loads) is non-compulsory.
 */
import { InputError } from '../errors.ts';
import type { WordBytes } from './buffers.ts';

export type SpTensorKind = 'weight' | 'input' | 'activation';

export interface SpTensor {
  readonly id: number;
  readonly name: string;
  readonly bytes: number;
  /** weight and input tensors start in DRAM; activations are produced by an operator */
  readonly kind: SpTensorKind;
  /** the operator that produces it (-1: in DRAM from the start) */
  readonly producer: number;
  /** operators that read it, ascending */
  readonly readers: readonly number[];
  /** a graph output: written to DRAM once (compulsory) */
  readonly isOutput: boolean;
}

export interface SpOp {
  readonly id: number;
  /** graph node name (`node#i` for part i of a split operator) */
  readonly name: string;
  /** the graph node it computes (all of it, or a part) */
  readonly node: string;
  /** the node's operator (models/ops) */
  readonly op: string;
  /** tensors read, distinct */
  readonly reads: readonly number[];
  readonly output: number;
}

export interface SpProblem {
  readonly name: string;
  readonly tensors: readonly SpTensor[];
  /** in the graph's topological order */
  readonly ops: readonly SpOp[];
  readonly words: WordBytes;
}

export type SpEvent =
  /** DRAM -> scratchpad at [addr, addr + bytes) */
  | { readonly kind: 'load'; readonly tensor: number; readonly addr: number }
  /** reserve an operator's output buffer (no traffic) */
  | { readonly kind: 'alloc'; readonly tensor: number; readonly addr: number }
  | { readonly kind: 'run'; readonly op: number }
  /** scratchpad -> DRAM; the tensor stays resident, now clean */
  | { readonly kind: 'store'; readonly tensor: number }
  /** release the range (clean, or dead: no later reader and not an unwritten graph output) */
  | { readonly kind: 'free'; readonly tensor: number };

export interface SpTraffic {
  read_bytes: number;
  write_bytes: number;
  compulsory_bytes: number;
  non_compulsory_bytes: number;
  total_bytes: number;
}

/** Traffic of the events charged to one operator (those before its run, after the previous run). */
export interface OpTraffic extends SpTraffic {
  /** loads of weights / graph inputs */
  weight_read_bytes: number;
  /** loads of activations */
  activation_read_bytes: number;
}

export type SchedulerName = 'naive' | 'heuristic' | 'optimal';

export interface SpSchedule {
  readonly scheduler: SchedulerName;
  /** scratchpad bytes */
  readonly capacity: number;
  /** op ids in execution order */
  readonly order: readonly number[];
  readonly events: readonly SpEvent[];
  readonly traffic: SpTraffic;
  /** indexed by op id */
  readonly perOp: readonly OpTraffic[];
}

/** Bytes an operator needs resident while it runs: its inputs, weights and output. */
export function workingSet(p: SpProblem, op: number): number {
  const o = p.ops[op];
  let s = p.tensors[o.output].bytes;
  for (const t of o.reads) s += p.tensors[t].bytes;
  return s;
}

/** The smallest scratchpad any schedule can use: the largest working set. */
export function minCapacity(p: SpProblem): { bytes: number; op: number } {
  let best = { bytes: 0, op: 0 };
  for (const o of p.ops) {
    const w = workingSet(p, o.id);
    if (w > best.bytes) best = { bytes: w, op: o.id };
  }
  return best;
}

export function kbStr(bytes: number): string {
  return `${+(bytes / 1024).toFixed(2)} KB`;
}

/** InputError when one operator's working set does not fit the scratchpad. */
export function requireCapacity(p: SpProblem, capacity: number): void {
  if (!(capacity > 0) || !Number.isFinite(capacity)) throw new InputError(`scratchpad size must be a positive number of bytes, got ${capacity}`);
  const need = minCapacity(p);
  if (need.bytes > capacity) {
    const o = p.ops[need.op];
    throw new InputError(
      `scratchpad of ${capacity} bytes (${kbStr(capacity)}) is too small for ${p.name}: operator '${o.name}' (${o.op}) needs ` +
        `${need.bytes} bytes (${kbStr(need.bytes)}) resident at once (inputs, weights and output, whole tensors)`,
    );
  }
}

/** Bytes that every schedule moves: each weight / input read once, each graph output written once. */
export function compulsoryBytes(p: SpProblem): number {
  let s = 0;
  for (const t of p.tensors) if (t.kind !== 'activation' || t.isOutput) s += t.bytes;
  return s;
}

export function emptyTraffic(): SpTraffic {
  return { read_bytes: 0, write_bytes: 0, compulsory_bytes: 0, non_compulsory_bytes: 0, total_bytes: 0 };
}

function emptyOpTraffic(): OpTraffic {
  return { ...emptyTraffic(), weight_read_bytes: 0, activation_read_bytes: 0 };
}

/**
 * Traffic of an event list (the schedulers' own count; test/schedulers' checker recounts it
 * independently). Events after the last run are charged to the last operator.
 */
export function countTraffic(p: SpProblem, events: readonly SpEvent[]): { traffic: SpTraffic; perOp: OpTraffic[] } {
  const perOp = p.ops.map(() => emptyOpTraffic());
  const total = emptyTraffic();
  const loaded = new Set<number>();
  const stored = new Set<number>();
  let pending: { bytes: number; read: boolean; compulsory: boolean; weight: boolean }[] = [];
  let last = -1;
  const charge = (op: number) => {
    const o = perOp[op];
    for (const e of pending) {
      for (const acc of [o, total]) {
        if (e.read) acc.read_bytes += e.bytes;
        else acc.write_bytes += e.bytes;
        if (e.compulsory) acc.compulsory_bytes += e.bytes;
        else acc.non_compulsory_bytes += e.bytes;
        acc.total_bytes += e.bytes;
      }
      if (e.read) {
        if (e.weight) o.weight_read_bytes += e.bytes;
        else o.activation_read_bytes += e.bytes;
      }
    }
    pending = [];
  };
  for (const e of events) {
    if (e.kind === 'load') {
      const t = p.tensors[e.tensor];
      pending.push({ bytes: t.bytes, read: true, compulsory: t.kind !== 'activation' && !loaded.has(t.id), weight: t.kind !== 'activation' });
      loaded.add(t.id);
    } else if (e.kind === 'store') {
      const t = p.tensors[e.tensor];
      pending.push({ bytes: t.bytes, read: false, compulsory: t.isOutput && !stored.has(t.id), weight: false });
      stored.add(t.id);
    } else if (e.kind === 'run') {
      charge(e.op);
      last = e.op;
    }
  }
  if (pending.length > 0 && last >= 0) charge(last);
  return { traffic: total, perOp };
}

export function makeSchedule(p: SpProblem, scheduler: SchedulerName, capacity: number, order: readonly number[], events: readonly SpEvent[]): SpSchedule {
  const { traffic, perOp } = countTraffic(p, events);
  return { scheduler, capacity, order, events, traffic, perOp };
}
