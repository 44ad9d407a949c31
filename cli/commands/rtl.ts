/**
 * `bitweave rtl`: the Verilog of the PE kinds and of the systolic array (rtl/gen), and its
 * co-simulation against bitweave under Verilator (rtl/cosim).
 *   rtl list                 every design and what is verified
 *   rtl emit --pe NAME [--array RxC --dataflow D] --out DIR
 *   rtl check --pe NAME [--random N] [--array RxC --dataflow D --gemms N]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { arrayRtlWith, buildArrayModel, checkGemm, randomShapes } from '../../rtl/cosim/array-check.ts';
import { checkTarget, describeMismatch } from '../../rtl/cosim/pe-check.ts';
import { verilatorVersion } from '../../rtl/cosim/verilator.ts';
import { ACCUMULATE, buildArrayRtl, type Accumulate, type ArrayRtl } from '../../rtl/gen/array.ts';
import { ARRAY_PES, findTarget, rtlTargets } from '../../rtl/gen/catalogue.ts';
import { buildPeRtl, type PeRtl } from '../../rtl/gen/pe.ts';
import { DATAFLOWS, defaultAccumulate, type Dataflow } from '../../sim/arch/schema.ts';
import { InputError } from '../../sim/errors.ts';
import { printJson, printTable } from '../io.ts';
import { withJson } from '../options.ts';
import type { CommandBody } from './index.ts';
import { integerOption, strictCommand } from '../option-checks.ts';
import { checkOutputDir, writeFileAtomic } from '../../models/io/output-files.ts';

/** Random pairs `rtl check` runs for kinds with more than 2^16 operand pairs, by default. */
const DEFAULT_RANDOM = 2 ** 20;

function formats(r: PeRtl): string {
  const pe = r.pe;
  if (r.key.startsWith('xnor-popcount')) return `${r.widths.a} x ${r.widths.b} sign bits -> int${r.widths.p} dot, acc ${pe.acc.name}`;
  return `${pe.input.name} x ${pe.weight.name} -> ${pe.product.name}, acc ${pe.acc.name}`;
}

function arrayStatus(key: string, r: PeRtl): string {
  if (key.startsWith('xnor-popcount') || r.accWiden) return '-';
  return (ARRAY_PES as readonly string[]).includes(key) ? 'os/ws/is, co-simulated' : 'os/ws/is, generated';
}

const listSub: CommandModule<object, { json: boolean }> = {
  command: 'list',
  describe: 'every design with RTL: formats, how its co-simulation covers it, array support',
  builder: (y) => withJson(y).example('$0 rtl list', 'the RTL designs').example('$0 rtl list --json', 'as JSON'),
  handler: (args) => {
    const rows = rtlTargets().map((t) => {
      const r = buildPeRtl(t);
      const pairs = r.widths.a + r.widths.b <= 16;
      return {
        name: t.key,
        pe: t.pe,
        formats: formats(r),
        modules: { multiplier: r.mul, accumulator: r.acc, ...(r.encoder ? { encoder: r.encoder } : {}) },
        cosim: pairs ? 'every operand pair' : 'corner pairs + 2^20 seeded random pairs',
        array: arrayStatus(t.key, r),
      };
    });
    if (args.json) return printJson(rows);
    printTable(['name', 'formats', 'multiplier module', 'co-simulation', 'array'], rows.map((r) => [r.name, r.formats, r.modules.multiplier, r.cosim, r.array]));
  },
};

interface ArrayArgs {
  pe: string;
  array?: string;
  dataflow?: string;
  accumulate?: string;
}

/** Parses --array RxC and --dataflow (both or neither). */
function parseArray(args: ArrayArgs): { rows: number; cols: number; dataflow: Dataflow; accumulate: Accumulate } | undefined {
  if (args.array === undefined && args.dataflow === undefined) {
    if (args.accumulate !== undefined) throw new InputError('--accumulate needs --array RxC and --dataflow');
    return undefined;
  }
  if (args.array === undefined) throw new InputError('--dataflow needs --array RxC');
  if (args.dataflow === undefined) throw new InputError(`--array needs --dataflow (${DATAFLOWS.join(', ')})`);
  const m = /^(\d+)x(\d+)$/.exec(args.array.trim());
  if (!m) throw new InputError(`--array must be RxC (e.g. 4x4), got '${args.array}'`);
  const rows = Number(m[1]), cols = Number(m[2]);
  if (rows < 1 || cols < 1 || rows > 64 || cols > 64) throw new InputError(`--array: rows and columns must be in 1..64, got ${args.array}`);
  if (!(DATAFLOWS as readonly string[]).includes(args.dataflow)) {
    throw new InputError(`--dataflow must be one of ${DATAFLOWS.join(', ')}, got '${args.dataflow}'`);
  }
  // the simulator's default (sim/arch/schema.ts): 'below' for ws and is, so that the array
  // emitted and checked is the one `bitweave run --dataflow ws` simulates
  const accumulate = (args.accumulate ?? defaultAccumulate(args.dataflow as Dataflow)) as Accumulate;
  if (!ACCUMULATE.includes(accumulate)) throw new InputError(`--accumulate must be one of ${ACCUMULATE.join(', ')}, got '${args.accumulate}'`);
  if (accumulate === 'below' && args.dataflow === 'os') throw new InputError(`--accumulate below applies to ws and is`);
  return { rows, cols, dataflow: args.dataflow as Dataflow, accumulate };
}

function withArrayOptions<T>(y: Argv<T>) {
  return y
    .option('array', { type: 'string', describe: 'RxC: the systolic array of this PE kind (needs --dataflow)' })
    .option('dataflow', { type: 'string', describe: `array dataflow: ${DATAFLOWS.join(', ')}` })
    .option('accumulate', { type: 'string', describe: 'ws/is partial sums: top (enter the column) or below (added under the array; default, as in the simulator)' });
}

/** yargs refuses a missing demanded option (exit 2); an empty one (--pe '') is refused here. */
function required(name: string, v: string | undefined, what: string): string {
  if (v === undefined || v.trim() === '') throw new InputError(`--${name} is required: ${what}`);
  return v;
}


interface EmitArgs extends ArrayArgs {
  out: string;
  depth: number;
  json: boolean;
}


const emitSub: CommandModule<object, EmitArgs> = {
  command: 'emit',
  describe: 'write the Verilog of a PE design (multiplier, accumulator, check top) or of an array with its controller',
  builder: (y: Argv) =>
    withArrayOptions(withJson(y))
      .option('pe', { type: 'string', demandOption: true, describe: 'design name (see `bitweave rtl list`)' })
      .option('depth', integerOption('depth', { default: 4096, min: 1, max: 65536, describe: 'entries of each operand/output memory of the array top' }))
      .option('out', { type: 'string', demandOption: true, describe: 'output folder (created if missing)' })
      .example('$0 rtl emit --pe fp8-e4m3 --out rtl-out', 'rtl-out/bw_fp8_e4m3.v: multiplier, accumulator and check top')
      .example('$0 rtl emit --pe int8 --array 4x4 --dataflow ws --out rtl-out', 'a 4x4 weight-stationary int8 array with its controller')
      .example('$0 rtl emit --pe fp8-e4m3 --array 8x8 --dataflow ws --accumulate below --out rtl-out', 'partial sums added below the array'),
  handler: (args) => {
    const target = findTarget(required('pe', args.pe, 'the design (see `bitweave rtl list`)'));
    required('out', args.out, 'the folder to write the Verilog into');
    const arr = parseArray(args);
    checkOutputDir(args.out, '--out');
    let text: string, tops: Record<string, string>, file: string;
    if (arr) {
      const a: ArrayRtl = buildArrayRtl({ pe: target.key, ...arr, depth: args.depth });
      text = a.verilog;
      tops = { top: a.top, array: a.array, cell: a.cell, multiplier: a.pe.mul, accumulator: a.pe.acc };
      file = `${a.top}.v`;
    } else {
      const r = buildPeRtl(target);
      text = r.modules.text();
      tops = { check: r.check, multiplier: r.mul, accumulator: r.acc, ...(r.encoder ? { encoder: r.encoder } : {}) };
      file = `bw_${r.check.replace(/^bw_|_check$/g, '')}.v`;
    }
    mkdirSync(args.out, { recursive: true });
    const path = join(args.out, file);
    writeFileAtomic(path, `// Generated by bitweave (rtl/gen): ${target.key}${arr ? `, ${arr.rows}x${arr.cols} ${arr.dataflow} array${arr.dataflow === 'os' ? '' : ` (accumulation ${arr.accumulate})`}` : ''}. Verilog-2005.\n${text}`);
    if (args.json) return printJson({ file: path, ...(arr && arr.dataflow !== 'os' && { accumulate: arr.accumulate }), modules: tops });
    process.stdout.write(`wrote ${path}\n${Object.entries(tops).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`);
  },
};

interface CheckArgs extends ArrayArgs {
  random: number;
  seed: number;
  gemms: number;
  json: boolean;
}

const checkSub: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'co-simulate a design under Verilator against bitweave: vectors checked and mismatches (exit 1 on any)',
  builder: (y: Argv) =>
    withArrayOptions(withJson(y))
      .option('pe', { type: 'string', demandOption: true, describe: 'design name (see `bitweave rtl list`)' })
      .option('random', integerOption('random', { default: DEFAULT_RANDOM, min: 0, max: 2 ** 24, describe: 'random operand pairs for kinds with more than 2^16 pairs' }))
      .option('seed', integerOption('seed', { default: 1, min: 0, max: 2 ** 32 - 1, describe: 'seed of the random vectors and GEMMs' }))
      .option('gemms', integerOption('gemms', { default: 20, min: 1, max: 10000, describe: 'random GEMMs for an array check' }))
      .example('$0 rtl check --pe fp8-e4m3', 'every operand pair through the RTL and bitweave')
      .example('$0 rtl check --pe bf16 --random 100000', 'corner pairs and 100,000 random pairs')
      .example('$0 rtl check --pe int8 --array 4x4 --dataflow ws', '20 random GEMMs: bits and cycles against the reference engine'),
  handler: (args) => {
    const target = findTarget(required('pe', args.pe, 'the design (see `bitweave rtl list`)'));
    const arr = parseArray(args);
    if (arr) buildArrayRtl({ pe: target.key, ...arr }); // refuses designs the array cannot take
    if (!verilatorVersion()) {
      process.stderr.write('bitweave: verilator is not installed (Debian package verilator); rtl check needs it\n');
      process.exitCode = 1;
      return;
    }
    if (arr) return checkArray(target.key, arr, args);
    const r = checkTarget(target, args.random, args.seed);
    const bad = r.productMismatches + r.accMismatches;
    if (args.json) {
      printJson({ ...r, examples: r.examples.map(describeMismatch) });
    } else {
      process.stdout.write(
        `${r.key}: ${r.vectors} vectors checked (${r.exhaustive ? 'every operand pair' : 'corner pairs + seeded random pairs'}), ` +
          `${r.productMismatches} product mismatches, ${r.accMismatches} accumulator mismatches\n` +
          `  Verilator build ${r.buildSeconds.toFixed(1)} s${r.buildSeconds === 0 ? ' (cached)' : ''}, simulation ${r.simSeconds.toFixed(2)} s\n` +
          r.examples.map((m) => `  mismatch: ${describeMismatch(m)}\n`).join(''),
      );
    }
    if (bad > 0) process.exitCode = 1;
  },
};

function checkArray(pe: string, arr: { rows: number; cols: number; dataflow: Dataflow; accumulate: Accumulate }, args: CheckArgs): void {
  const rtl = arrayRtlWith(pe, arr.dataflow, arr.rows, arr.cols, arr.accumulate);
  const model = buildArrayModel(rtl);
  let writes = 0, mismatches = 0, cycles = 0;
  const examples: string[] = [];
  const t0 = performance.now();
  for (const [i, shape] of randomShapes(arr.rows, arr.cols, args.gemms, args.seed).entries()) {
    const r = checkGemm(rtl, model, shape, args.seed * 7919 + i);
    writes += r.writes;
    cycles += r.referenceCycles;
    const bad = r.writeMismatches + r.outputMismatches + (r.rtlCycles === r.referenceCycles ? 0 : 1);
    mismatches += bad;
    if (bad > 0 && examples.length < 5) examples.push(`GEMM ${shape.m}x${shape.n}x${shape.k}: ${r.examples[0] ?? `cycles ${r.rtlCycles} vs ${r.referenceCycles}`}`);
  }
  const simSeconds = (performance.now() - t0) / 1000;
  const summary = { pe, array: `${arr.rows}x${arr.cols}`, dataflow: arr.dataflow, accumulate: arr.accumulate, gemms: args.gemms, writes, cycles, mismatches, buildSeconds: model.buildSeconds, simSeconds, examples };
  if (args.json) printJson(summary);
  else {
    process.stdout.write(
      `${pe} ${arr.rows}x${arr.cols} ${arr.dataflow}${arr.accumulate === 'below' ? ' (accumulate below)' : ''}: ${args.gemms} GEMMs, ${writes} output/partial-sum writes and ${cycles} cycles checked, ${mismatches} mismatches\n` +
        `  Verilator build ${model.buildSeconds.toFixed(1)} s${model.cached ? ' (cached)' : ''}, co-simulation ${simSeconds.toFixed(2)} s\n` +
        examples.map((e) => `  mismatch: ${e}\n`).join(''),
    );
  }
  if (mismatches > 0) process.exitCode = 1;
}

export const rtlCommand: CommandBody<object> = {
  builder: (y: Argv) =>
    y
      .command(strictCommand(listSub))
      .command(strictCommand(emitSub))
      .command(strictCommand(checkSub))
      .demandCommand(1, 'name an rtl command: list, emit, check')
      .example('$0 rtl list', 'every design with RTL')
      .example('$0 rtl emit --pe lmul-bf16 --out rtl-out', 'the L-Mul bf16 PE as Verilog')
      .example('$0 rtl check --pe fp8-e4m3', 'co-simulate it against bitweave'),
  handler: () => undefined,
};
