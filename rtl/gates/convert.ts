/**
 * Yosys's JSON netlist (write_json after `abc -g ...`) -> bitweave's compact netlist
 * (sim/cost/gates/netlist.ts): nets renumbered (0 and 1 the constants, input ports first),
 * cells as [type, out, a, b] in topological order, attributes and source locations dropped.
 * In a regs unit the black-box instances (the multiplier, the accumulator) become ports: their
 * outputs inputs named `bb.INSTANCE.PORT`, their inputs outputs of the same form.
 */
import { CELL_CODE, DFF_CODE, NETLIST_FORMAT, type CellType, type Netlist } from '../../sim/cost/gates/netlist.ts';

type Bit = number | string;

interface YosysPort {
  readonly direction: 'input' | 'output' | 'inout';
  readonly bits: readonly Bit[];
}

interface YosysCell {
  readonly type: string;
  readonly connections: Readonly<Record<string, readonly Bit[]>>;
  readonly port_directions?: Readonly<Record<string, 'input' | 'output' | 'inout'>>;
}

interface YosysModule {
  readonly ports: Readonly<Record<string, YosysPort>>;
  readonly cells: Readonly<Record<string, YosysCell>>;
  readonly netnames: Readonly<Record<string, { readonly bits: readonly Bit[]; readonly hide_name: number }>>;
}

export interface YosysJson {
  readonly modules: Readonly<Record<string, YosysModule>>;
}

const GATES: Readonly<Record<string, { type: CellType; a: string; b?: string; y: string }>> = {
  $_NOT_: { type: 'NOT', a: 'A', y: 'Y' },
  $_BUF_: { type: 'BUF', a: 'A', y: 'Y' },
  $_AND_: { type: 'AND', a: 'A', b: 'B', y: 'Y' },
  $_NAND_: { type: 'NAND', a: 'A', b: 'B', y: 'Y' },
  $_OR_: { type: 'OR', a: 'A', b: 'B', y: 'Y' },
  $_NOR_: { type: 'NOR', a: 'A', b: 'B', y: 'Y' },
  $_XOR_: { type: 'XOR', a: 'A', b: 'B', y: 'Y' },
  $_XNOR_: { type: 'XNOR', a: 'A', b: 'B', y: 'Y' },
  $_ANDNOT_: { type: 'ANDNOT', a: 'A', b: 'B', y: 'Y' },
  $_ORNOT_: { type: 'ORNOT', a: 'A', b: 'B', y: 'Y' },
  $_DFF_P_: { type: 'DFF', a: 'D', y: 'Q' },
};

/** What the netlist file records about its unit, and the top module to take from Yosys's JSON. */
export type ConvertInfo = Pick<Netlist, 'id' | 'kind' | 'description' | 'source' | 'yosys' | 'script'> & { readonly top: string };

export function convertYosys(json: YosysJson, info: ConvertInfo): Netlist {
  const mod = json.modules[info.top];
  if (mod === undefined) throw new Error(`${info.id}: no module ${info.top} in the Yosys netlist`);
  const ids = new Map<Bit, number>([['0', 0], ['1', 1], ['x', 0], ['z', 0]]);
  let next = 2;
  const net = (b: Bit): number => {
    let v = ids.get(b);
    if (v === undefined) {
      v = next++;
      ids.set(b, v);
    }
    return v;
  };
  const inputs: Record<string, number[]> = {};
  const outputs: Record<string, number[]> = {};
  for (const [name, p] of Object.entries(mod.ports)) {
    if (p.direction === 'input') inputs[name] = p.bits.map(net);
  }
  // black-box instances: their outputs drive nets like inputs
  const bbIn: [string, readonly Bit[]][] = [];
  const gates: { type: CellType; y: Bit; a: Bit; b?: Bit }[] = [];
  for (const [cname, c] of Object.entries(mod.cells)) {
    const g = GATES[c.type];
    if (g === undefined) {
      if (c.type.startsWith('$')) throw new Error(`${info.id}: cell type ${c.type} is outside the generic gate set`);
      const inst = cname.replace(/^\\/, '');
      for (const [port, bits] of Object.entries(c.connections)) {
        const dir = c.port_directions?.[port];
        if (dir === 'output') inputs[`bb.${inst}.${port}`] = bits.map(net);
        else bbIn.push([`bb.${inst}.${port}`, bits]);
      }
      continue;
    }
    const y = c.connections[g.y][0], a = c.connections[g.a][0];
    gates.push({ type: g.type, y, a, ...(g.b !== undefined && { b: c.connections[g.b][0] }) });
  }
  // topological order: flip-flops first (their outputs are state), then gates by dependency
  const driverOf = new Map<Bit, number>();
  gates.forEach((g, i) => {
    if (driverOf.has(g.y)) throw new Error(`${info.id}: net ${String(g.y)} has two drivers`);
    driverOf.set(g.y, i);
  });
  const order: number[] = [];
  const state = new Uint8Array(gates.length); // 0 new, 1 on stack, 2 done
  const visit = (root: number) => {
    const stack: [number, number][] = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [i, k] = top;
      const g = gates[i];
      if (k === 0) {
        if (state[i] === 2) { stack.pop(); continue; }
        state[i] = 1;
      }
      const deps = g.type === 'DFF' ? [] : g.b !== undefined ? [g.a, g.b] : [g.a];
      if (k < deps.length) {
        top[1] = k + 1;
        const d = driverOf.get(deps[k]);
        if (d !== undefined && gates[d].type !== 'DFF' && state[d] !== 2) {
          if (state[d] === 1) throw new Error(`${info.id}: combinational loop through net ${String(deps[k])}`);
          stack.push([d, 0]);
        }
        continue;
      }
      state[i] = 2;
      order.push(i);
      stack.pop();
    }
  };
  gates.forEach((g, i) => { if (g.type === 'DFF') { state[i] = 2; order.push(i); } });
  for (let i = 0; i < gates.length; i++) if (state[i] === 0) visit(i);
  const cells: number[] = [];
  const counts: Record<string, number> = {};
  for (const i of order) {
    const g = gates[i];
    cells.push(CELL_CODE[g.type], net(g.y), net(g.a), g.b !== undefined ? net(g.b) : 0);
    counts[g.type] = (counts[g.type] ?? 0) + 1;
  }
  for (const [name, p] of Object.entries(mod.ports)) {
    if (p.direction === 'output') outputs[name] = p.bits.map(net);
  }
  for (const [name, bits] of bbIn) outputs[name] = bits.map(net);
  // registers: which named reg each flip-flop's output is a bit of
  let registers: Record<string, number> | undefined;
  if (info.kind === 'regs') {
    const nameOf = new Map<number, string>();
    for (const [name, nn] of Object.entries(mod.netnames)) {
      if (nn.hide_name) continue;
      for (const b of nn.bits) {
        const v = ids.get(b);
        if (v !== undefined && !nameOf.has(v)) nameOf.set(v, name);
      }
    }
    registers = {};
    for (let i = 0; i < cells.length; i += 4) {
      if (cells[i] !== DFF_CODE) continue;
      const name = nameOf.get(cells[i + 1]) ?? '(unnamed)';
      registers[name] = (registers[name] ?? 0) + 1;
    }
  }
  return {
    format: NETLIST_FORMAT,
    id: info.id,
    kind: info.kind,
    description: info.description,
    source: info.source,
    yosys: info.yosys,
    script: info.script,
    nets: next,
    inputs,
    outputs,
    cells,
    ...(registers !== undefined && { registers }),
    counts: Object.fromEntries(Object.entries(counts).sort(([x], [y]) => (x < y ? -1 : 1))),
  };
}
