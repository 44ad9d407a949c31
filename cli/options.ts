/** Options shared by several commands. */
import type { Argv } from 'yargs';
import { InputError } from '../sim/errors.ts';
import { numberOption } from './option-checks.ts';
import type { PeOptions } from '../sim/pe/registry.ts';
import { withAccumulatorOptions, type AccumulatorArgs } from './acc-options.ts';
import type { TechOptions } from '../sim/cost/technology.ts';

export function withJson<T>(y: Argv<T>) {
  return y.option('json', { type: 'boolean', default: false, describe: 'print JSON instead of a table' });
}

export function withPeOptions<T>(y: Argv<T>) {
  return withAccumulatorOptions(y)
    .option('block', { type: 'number', describe: 'block PEs (mxfp4, nvfp4, ...): elements per block (default 32 for MX, 16 for NVFP4)' })
    .option('acc', { type: 'string', describe: 'accumulator / partial-sum format (e.g. fp32, bf16, e5m2, int16)' })
    .option('acc-internal', { type: 'string', describe: 'a wider adder inside the PE (rounded to --acc when a partial sum leaves)' })
    .option('acc-saturate', { type: 'boolean', describe: 'saturate accumulator overflow instead of Inf/NaN or wrap-around' })
    .option('product', { type: 'string', describe: 'product format of float PEs (e.g. fp32 for an exact fp8 MAC)' })
    .option('lmul-round', { type: 'string', choices: ['rne', 'trunc'], describe: 'how L-Mul PEs round reals into their inputs' })
    .option('reuse', {
      type: 'string', choices: ['none', 'ent', 'mst'],
      describe: 'computation reuse: ent = EN-T Booth-encoded broadcast operand (int and float PEs); mst = MST-ordered channels of binary layers (bitweave run)',
    });
}

export interface PeOptionArgs extends AccumulatorArgs {
  block?: number;
  acc?: string;
  accInternal?: string;
  accSaturate?: boolean;
  product?: string;
  lmulRound?: string;
  reuse?: string;
}

export function peOptionsFrom(args: PeOptionArgs): PeOptions {
  const lmulRound = args.lmulRound;
  if (lmulRound !== undefined && lmulRound !== 'rne' && lmulRound !== 'trunc') {
    throw new InputError(`--lmul-round must be rne or trunc, got '${lmulRound}'`);
  }
  const accRound = args.accRound;
  if (accRound !== undefined && accRound !== 'rne' && accRound !== 'trunc') {
    throw new InputError(`--acc-round must be rne or trunc, got '${accRound}'`);
  }
  const reuse = args.reuse;
  if (reuse === 'mst') {
    throw new InputError('--reuse mst schedules binary layers on the array (bitweave run); it is not an option of a single PE');
  }
  if (reuse !== undefined && reuse !== 'none' && reuse !== 'ent') {
    throw new InputError(`--reuse must be none, ent or mst, got '${reuse}'`);
  }
  return {
    ...(reuse !== undefined && { reuse }),
    ...(args.acc !== undefined && { acc: args.acc }),
    ...(args.accInternal !== undefined && { accInternal: args.accInternal }),
    ...(args.accSaturate !== undefined && { accSaturate: args.accSaturate }),
    ...(args.product !== undefined && { product: args.product }),
    ...(lmulRound !== undefined && { lmulRound }),
    ...(args.accBits !== undefined && { accBits: args.accBits }),
    ...(accRound !== undefined && { accRound }),
    ...(args.accPromote !== undefined && { accPromote: args.accPromote }),
    ...(args.block !== undefined && { block: args.block }),
  };
}

/** Parses one real number of user input: decimal/scientific, inf, -inf, nan. */
export function parseReal(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t) && !/^[+-]?0x[0-9a-f]+$/.test(t)) return undefined;
  const v = Number(t.startsWith('+') ? t.slice(1) : t);
  return Number.isNaN(v) ? undefined : v;
}

/** A real value as printed in CSV output: shortest round-trip decimal, inf/nan spelled out. */
export function formatReal(v: number): string {
  if (v !== v) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0 && 1 / v < 0) return '-0';
  return String(v);
}

/** A real value in JSON output: a number, or 'nan' / 'inf' / '-inf' / '-0' as text (JSON has none of them). */
export function jsonReal(v: number): number | string {
  return Number.isFinite(v) && !(v === 0 && 1 / v < 0) ? v : formatReal(v);
}

/** Options of the energy/area model, shared by `run` and `report`. */
export function withCostOptions<T>(y: Argv<T>) {
  return y
    .option('technology', { type: 'string', default: 'horowitz45', describe: 'cost model: horowitz45 | aladdin40 (operator tables) | gates45 (the PE from its synthesized netlists, value-aware)' })
    .option('gate-zeros', { type: 'boolean', describe: 'with --technology gates45: zero-operand clock gating in the PEs' })
    .option('node', numberOption('node', { positive: true, describe: 'process node in nm to scale the table to (Stillmaker & Baas), 7-130' }))
    .option('vdd', numberOption('vdd', { positive: true, describe: "supply voltage for node scaling (default: the table's)" }))
    .option('dram-type', { type: 'string', describe: "DRAM type (ddr3, ddr4, lpddr4, gddr5, gddr6, hbm2); default: the arch's" });
}

export interface CostOptionArgs {
  technology: string;
  gateZeros?: boolean;
  node?: number;
  vdd?: number;
  dramType?: string;
}

export function costOptionsFrom(args: CostOptionArgs): TechOptions & { dram_type?: string } {
  return {
    technology: args.technology,
    ...(args.node !== undefined && { node_nm: args.node }),
    ...(args.vdd !== undefined && { vdd: args.vdd }),
    ...(args.dramType !== undefined && { dram_type: args.dramType }),
  };
}
