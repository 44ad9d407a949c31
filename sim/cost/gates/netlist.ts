/**
 * A gate-level netlist as bitweave stores it (rtl/netlists/*.json, made from Yosys's JSON by
 * rtl/gates/convert.ts): nets are numbered, 0 is constant 0 and 1 constant 1; every cell is one
 * generic gate (the set abc maps to) or a D flip-flop, stored as four integers
 * [type, output net, input A, input B] in topological order (a cell's inputs are driven by
 * ports, constants, flip-flops or earlier cells), so one pass evaluates the logic.
 */
import { InputError } from '../../errors.ts';

/** Cell types, by code. The generic gates are Yosys's $_NOT_, $_AND_, ... ; DFF is $_DFF_P_. */
export const CELL_TYPES = ['NOT', 'AND', 'NAND', 'OR', 'NOR', 'XOR', 'XNOR', 'ANDNOT', 'ORNOT', 'BUF', 'DFF'] as const;
export type CellType = (typeof CELL_TYPES)[number];
export const CELL_CODE: Readonly<Record<CellType, number>> = Object.fromEntries(CELL_TYPES.map((t, i) => [t, i])) as Record<CellType, number>;
export const DFF_CODE = CELL_CODE.DFF;
export const NETLIST_FORMAT = 'bitweave-netlist/1';

export interface Netlist {
  readonly format: typeof NETLIST_FORMAT;
  /** unit id, e.g. "mul.fp8-e4m3" */
  readonly id: string;
  readonly kind: 'comb' | 'regs';
  readonly description: string;
  /** hash of the unit's Verilog and the synthesis script (rtl/gates/units.ts: unitHash) */
  readonly source: string;
  readonly yosys: string;
  readonly script: string;
  readonly nets: number;
  /** port name -> nets, LSB first */
  readonly inputs: Readonly<Record<string, readonly number[]>>;
  readonly outputs: Readonly<Record<string, readonly number[]>>;
  /** 4 integers per cell: type code, output, input A, input B (B = 0 for one-input cells) */
  readonly cells: readonly number[];
  /** regs units: flip-flops by register name (the Verilog reg each one is a bit of) */
  readonly registers?: Readonly<Record<string, number>>;
  /** cells by type name */
  readonly counts: Readonly<Record<string, number>>;
}

/** A netlist with its cells in typed arrays, checked: the form the evaluator runs. */
export interface CompiledNetlist {
  readonly id: string;
  readonly nets: number;
  readonly inputs: Readonly<Record<string, Int32Array>>;
  readonly outputs: Readonly<Record<string, Int32Array>>;
  readonly type: Uint8Array;
  readonly out: Int32Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** number of input pins reading each net (the fanout a net's driver sees) */
  readonly fanout: Uint16Array;
  /** the cell code driving each net (-1: a port or a constant) */
  readonly driver: Int16Array;
  readonly source: Netlist;
}

function fail(id: string, what: string): never {
  throw new InputError(`netlist ${id}: ${what}`);
}

/** Checks a parsed netlist file and compiles it; any inconsistency is an InputError naming it. */
export function compileNetlist(n: Netlist): CompiledNetlist {
  const id = String(n.id);
  if (n.format !== NETLIST_FORMAT) fail(id, `format is ${String(n.format)}, expected ${NETLIST_FORMAT}`);
  const N = n.nets;
  if (!Number.isInteger(N) || N < 2 || N > 1 << 24) fail(id, `bad net count ${N}`);
  if (!Array.isArray(n.cells) || n.cells.length % 4 !== 0) fail(id, 'cells must be a flat array of 4 integers per cell');
  const count = n.cells.length / 4;
  const type = new Uint8Array(count), out = new Int32Array(count), a = new Int32Array(count), b = new Int32Array(count);
  const driven = new Uint8Array(N);
  driven[0] = 1;
  driven[1] = 1;
  const ports = (p: Readonly<Record<string, readonly number[]>>, what: string, drive: boolean) => {
    const r: Record<string, Int32Array> = {};
    for (const [name, bits] of Object.entries(p)) {
      for (const x of bits) {
        if (!Number.isInteger(x) || x < 0 || x >= N) fail(id, `${what} ${name}: net ${x} out of range`);
        if (drive) {
          if (x < 2) fail(id, `input ${name} is bound to a constant`);
          driven[x] = 1;
        }
      }
      r[name] = Int32Array.from(bits);
    }
    return r;
  };
  const inputs = ports(n.inputs, 'input', true);
  const driver = new Int16Array(N).fill(-1);
  // flip-flop outputs are driven from the start (they hold state)
  for (let i = 0; i < count; i++) {
    if (n.cells[4 * i] === DFF_CODE) {
      const q = n.cells[4 * i + 1];
      if (driven[q]) fail(id, `net ${q} has two drivers`);
      driven[q] = 1;
      driver[q] = DFF_CODE;
    }
  }
  const fanout = new Uint16Array(N);
  for (let i = 0; i < count; i++) {
    const t = n.cells[4 * i], o = n.cells[4 * i + 1], x = n.cells[4 * i + 2], y = n.cells[4 * i + 3];
    if (!Number.isInteger(t) || t < 0 || t >= CELL_TYPES.length) fail(id, `cell ${i}: unknown type ${t}`);
    const one = t === CELL_CODE.NOT || t === CELL_CODE.BUF || t === DFF_CODE;
    for (const v of [o, x, y]) if (!Number.isInteger(v) || v < 0 || v >= N) fail(id, `cell ${i}: net ${v} out of range`);
    if (t !== DFF_CODE) {
      if (!driven[x] || (!one && !driven[y])) fail(id, `cell ${i} (${CELL_TYPES[t]}) reads a net no earlier cell or port drives: not in topological order`);
      if (driven[o]) fail(id, `net ${o} has two drivers`);
      driven[o] = 1;
      driver[o] = t;
    }
    fanout[x]++;
    if (!one) fanout[y]++;
    type[i] = t;
    out[i] = o;
    a[i] = x;
    b[i] = one ? 0 : y;
  }
  for (let i = 0; i < count; i++) {
    if (type[i] === DFF_CODE && !driven[a[i]]) fail(id, `flip-flop ${i} reads an undriven net`);
  }
  const outputs = ports(n.outputs, 'output', false);
  for (const [name, bits] of Object.entries(outputs)) {
    for (const x of bits) if (!driven[x]) fail(id, `output ${name} reads undriven net ${x}`);
  }
  return { id, nets: N, inputs, outputs, type, out, a, b, fanout, driver, source: n };
}

/** Cells by type of a compiled netlist. */
export function cellCounts(c: CompiledNetlist): Record<CellType, number> {
  const r = Object.fromEntries(CELL_TYPES.map((t) => [t, 0])) as Record<CellType, number>;
  for (let i = 0; i < c.type.length; i++) r[CELL_TYPES[c.type[i]]]++;
  return r;
}
