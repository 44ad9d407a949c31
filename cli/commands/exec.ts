/**
 * `bitweave exec`: the user's model on the user's data through one or more PE setups, beside
 * the fp32 reference executor. Prints per output (and with --dump per node) the error figures
 * and where the error jumps (models/exec/error-figures.ts defines them); --output writes the
 * PE's outputs (.npy / .npz), --dump every node's values (the fp32 reference's beside each
 * PE's), --baseline pins the outputs and figures per PE kind and fails (exit 1) when they move.
 *
 * Everything is read and checked before anything runs or is written (model, inputs, names,
 * shapes, data types, PEs, arch, output paths, baseline file); files are written atomically.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Argv } from 'yargs';
import { layerPes } from '../../models/accuracy/task.ts';
import { arrayBackend, type ArrayOrder, type GemmObserver } from '../../models/exec/array-backend.ts';
import type { ArrayBackend } from '../../models/exec/backends.ts';
import { checkTokenScalable } from '../../models/exec/token-scales.ts';
import { gateEnergyMeter, type ExecGateEnergy, type GateEnergyMeter } from '../../models/exec/gate-energy.ts';
import { ENERGY_PJ, formatNumber, formatQuantity } from '../../reports/units.ts';
import type { ErrorFigures } from '../../models/exec/error-figures.ts';
import { bindInputs, inputShapesOf, type GivenInput } from '../../models/exec/inputs.ts';
import { EXEC_BASELINE_COMMENT, execFigures, type ExecConfig } from '../../models/exec/model-baseline.ts';
import { checkSampled, runModel, type ExecResult, type PeSetup } from '../../models/exec/run-model.ts';
import { isBinaryNode } from '../../models/operators.ts';
import { readInputText } from '../../models/io/input-file.ts';
import { writeFileAtomic } from '../../models/io/output-files.ts';
import { readNpy, readNpz, writeNpy, writeNpz, type NpyArray } from '../../models/io/npy.ts';
import { openModel } from '../../models/source.ts';
import { accumulateOf, type ArchConfig } from '../../sim/arch/schema.ts';
import { InputError } from '../../sim/errors.ts';
import { getPe, type PeOptions } from '../../sim/pe/registry.ts';
import type { PeKind } from '../../sim/pe/types.ts';
import {
  compareWithBaseline, newBaseline, parseBaseline, serializeBaseline, updateChanges, type Baseline, type Comparison, type DiffRow,
} from '../../sim/precision-check/baseline.ts';
import { arrayOrderOf } from '../array-order.ts';
import type { CommandBody } from './index.ts';
import { integerOption } from '../option-checks.ts';
import { printBaselineDiff } from '../baseline-table.ts';
import { printJson, printTable } from '../io.ts';
import { jsonReal, withPeOptions, type PeOptionArgs } from '../options.ts';

interface ExecArgs extends PeOptionArgs {
  model: string;
  input?: string[];
  inputShape?: string[];
  pe?: string[];
  attentionPe?: string;
  fpPe: string;
  arch?: string;
  dataflow?: string;
  accumulate?: string;
  psum?: string;
  seed: number;
  output?: string;
  dump?: string;
  baseline?: string;
  update: boolean;
  json: boolean;
  technology?: string;
  gateZeros?: boolean;
  /** tensor (default) | token */
  scales?: string;
}

/** Everything an exec run needs, read and checked. */
interface ExecPlan {
  readonly modelName: string;
  readonly config: ExecConfig;
  readonly arch: ArchConfig;
  readonly order: ArrayOrder;
  readonly labels: readonly string[];
  readonly request: Parameters<typeof runModel>[0];
  readonly inputShapes: Readonly<Record<string, number[]>>;
  readonly output?: string;
  readonly dump?: string;
  readonly baseline?: { readonly file: string; readonly old?: Baseline };
  /** --technology gates45: each setup's gate-level PE energy, by label */
  readonly meters?: ReadonlyMap<string, GateEnergyMeter>;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** `name=FILE` or `FILE` */
function parseInputSpec(text: string): { name?: string; file: string } {
  const m = /^([^=]+)=(.+)$/.exec(text);
  const spec = m && !/\.(npy|npz)$/i.test(m[1]) ? { name: m[1], file: m[2] } : { file: text };
  if (!/\.(npy|npz)$/i.test(spec.file)) throw new InputError(`--input '${text}': give a .npy or .npz file (NAME=FILE.npy, or FILE for a model with one input)`);
  if (!existsSync(spec.file)) throw new InputError(`--input: ${spec.file} does not exist`);
  return spec;
}

function readGiven(text: string): GivenInput {
  const spec = parseInputSpec(text);
  const arrays: NpyArray | Map<string, NpyArray> = /\.npz$/i.test(spec.file) ? readNpz(spec.file) : readNpy(spec.file);
  return { ...spec, arrays };
}

/** --pe a,b --pe c -> [a, b, c], each once */
function peList(args: ExecArgs, arch: ArchConfig, archGiven: boolean): string[] {
  const given = (args.pe ?? []).flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '');
  const list = given.length > 0 ? given : [archGiven ? arch.pe : 'fp32'];
  const dup = list.find((p, i) => list.indexOf(p) !== i);
  if (dup) throw new InputError(`--pe: '${dup}' is given twice`);
  return list;
}

function checkParentFolder(path: string, what: string): void {
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${what}: folder ${dir} does not exist`);
}

function checkWritableFile(path: string, what: string): void {
  checkParentFolder(path, what);
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(`${what}: ${path} is a folder`);
}

/** Reads and checks everything; nothing runs and nothing is written here. */
function plan(args: ExecArgs, getPeFn: (name: string, opts?: PeOptions) => PeKind): ExecPlan {
  // the array: its order of additions (dataflow, rows, accumulation, partial-sum format)
  const archGiven = args.arch !== undefined;
  const { arch, order, peOptions } = arrayOrderOf(args);
  const pes = peList(args, arch, archGiven);
  const tech = args.technology?.trim().toLowerCase();
  if (tech !== undefined && tech !== 'gates45') {
    throw new InputError(`exec --technology: only gates45 (the PE's energy from its netlists on the model's own operands); got '${args.technology}'. bitweave run and report price with the operator tables`);
  }
  if (tech === undefined && args.gateZeros !== undefined) throw new InputError('--gate-zeros goes with --technology gates45');
  if (tech === 'gates45' && (pes.includes('xnor') || args.attentionPe !== undefined)) {
    throw new InputError('exec --technology gates45 prices one PE kind for every layer; not with --pe xnor (binary and fp layers) or --attention-pe');
  }
  const scales = args.scales ?? 'tensor';
  if (scales !== 'tensor' && scales !== 'token') throw new InputError(`--scales must be tensor or token, got '${scales}'`);
  if (args.attentionPe !== undefined) getPeFn(args.attentionPe, peOptions);
  getPeFn(args.fpPe, peOptions);
  for (const p of pes) getPeFn(p, peOptions);

  // output files: checked before any work
  if (args.output !== undefined) {
    if (!/\.(npy|npz)$/i.test(args.output)) throw new InputError(`--output must end in .npy or .npz, got '${args.output}'`);
    if (pes.length > 1) throw new InputError(`--output writes one PE's outputs: give one --pe (got ${pes.join(', ')})`);
    checkWritableFile(args.output, '--output');
  }
  if (args.dump !== undefined) {
    checkParentFolder(args.dump, '--dump');
    if (existsSync(args.dump) && (!statSync(args.dump).isDirectory() || readdirSync(args.dump).length > 0)) {
      throw new InputError(`--dump: ${args.dump} exists and is not an empty folder: give a new one`);
    }
  }
  let baseline: ExecPlan['baseline'];
  if (args.baseline !== undefined) {
    checkWritableFile(args.baseline, '--baseline');
    const exists = existsSync(args.baseline);
    if (!exists && !args.update) throw new InputError(`no baseline at ${args.baseline}: record one with --baseline ${args.baseline} --update`);
    baseline = { file: args.baseline, ...(exists && { old: parseBaseline(readInputText(args.baseline, '--baseline'), args.baseline) }) };
  } else if (args.update) throw new InputError('--update rewrites a baseline: give --baseline FILE');

  // the model and the inputs: names, shapes, data types
  const model = openModel(args.model, args.seed);
  if (args.output !== undefined && /\.npy$/i.test(args.output) && model.outputs.length > 1) {
    throw new InputError(`--output ${args.output}: the model has ${model.outputs.length} outputs (${model.outputs.join(', ')}); write them to an .npz`);
  }
  const forced = inputShapesOf(args.inputShape ?? []);
  const given = (args.input ?? []).map(readGiven);
  if (given.length === 0) throw new InputError(`give the model's input data: --input NAME=FILE.npy (the model's inputs: ${model.inputs.map((i) => `${i.name} [${i.shape.join(', ')}]`).join('; ')})`);
  const bound = bindInputs(model.inputs, given, forced);
  const graph = model.graph(bound.importShapes);
  checkSampled(graph, bound.samples);

  // the PE setups: xnor runs the binary layers, the others stay on --fp-pe (as in accuracy)
  const backend = (name: string, observe?: GemmObserver) => arrayBackend(getPeFn(name, peOptions), order, observe);
  const hasBinary = graph.nodes.some(isBinaryNode);
  // gates45: one meter per setup, built (netlists found, the design refused or accepted) before anything runs
  const meters = new Map<string, GateEnergyMeter>();
  const setups: PeSetup[] = pes.map((p) => {
    const layers = layerPes(p, args.fpPe);
    if (layers.binaryPe !== undefined && !hasBinary) throw new InputError(`--pe ${p}: the model has no binary layers for an XNOR array`);
    const label = `${p}${args.attentionPe !== undefined && args.attentionPe !== p ? `+attention-${args.attentionPe}` : ''}`;
    if (tech === 'gates45') meters.set(label, gateEnergyMeter(getPeFn(layers.pe, peOptions), layers.pe, peOptions, arch, args.gateZeros === true));
    return {
      label,
      array: backend(layers.pe, meters.get(label)?.observe),
      ...(layers.binaryPe !== undefined && { binary: backend(layers.binaryPe) }),
      ...(args.attentionPe !== undefined && { attention: backend(args.attentionPe) }),
    };
  });
  // per token (a causal language model, models/exec/token-scales.ts): refused before any work
  // where an operator cannot scale per token under a data-scaled PE
  const tokenScales = scales === 'token';
  if (tokenScales) checkTokenScalable(graph, setups.flatMap((s) => [s.array, s.attention, s.binary].filter((b): b is ArrayBackend => b !== undefined)));
  const config: ExecConfig = {
    model: model.name,
    model_sha256: model.bytes ? sha256(model.bytes) : `zoo:${model.name}:seed=${args.seed}`,
    inputs: Object.fromEntries([...bound.values].map(([n, v]) => [n, {
      shape: bound.dataShapes[n], sha256: sha256(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)),
    }])),
    order: {
      dataflow: arch.dataflow, rows: arch.array.rows, accumulate: accumulateOf(arch), psum: arch.psum ?? 'acc', fp_pe: args.fpPe,
      ...(args.attentionPe !== undefined && { attention_pe: args.attentionPe }),
      ...(tokenScales && { scales: 'token' }),
    },
    pe_options: Object.fromEntries(Object.entries(peOptions).map(([k, v]) => [k, v as string | boolean])),
  };
  return {
    modelName: args.model, config, arch, order, labels: setups.map((s) => s.label),
    request: { graph, inputs: bound.values, samples: bound.samples, setups, nodes: args.dump !== undefined, tokenScales },
    inputShapes: bound.dataShapes,
    ...(args.output !== undefined && { output: args.output }),
    ...(args.dump !== undefined && { dump: args.dump }),
    ...(baseline !== undefined && { baseline }),
    ...(meters.size > 0 && { meters }),
  };
}

/** file-system-safe, ordered, unique names of the dumped nodes */
function dumpName(index: number, node: string): string {
  const safe = node.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 120) || 'node';
  return `${String(index).padStart(4, '0')}_${safe}`;
}

/** every node's values, the reference's beside each PE's, and an index; written into a new folder renamed into place */
function writeDump(dir: string, p: ExecPlan, r: ExecResult): string[] {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    fillDump(tmp, p, r);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  if (existsSync(dir)) rmdirSync(dir);
  renameSync(tmp, dir);
  return [dir];
}

function fillDump(tmp: string, p: ExecPlan, r: ExecResult): void {
  const nodes = p.request.graph.nodes;
  const index = nodes.map((node, i) => {
    const stem = dumpName(i, node.name);
    const shape = r.runs[0]?.nodes?.[i].shape ?? [];
    const files: Record<string, string> = { 'fp32-reference': `${stem}.fp32-reference.npy` };
    writeNpy(join(tmp, files['fp32-reference']), { dtype: 'float32', shape, data: r.reference.nodeValues!.get(node.output)! });
    const figures: Record<string, ReturnType<typeof jsonFigures>> = {};
    r.runs.forEach((run) => {
      files[run.label] = `${stem}.${run.label}.npy`;
      writeNpy(join(tmp, files[run.label]), { dtype: 'float32', shape, data: run.nodeValues!.get(node.output)! });
      figures[run.label] = jsonFigures(run.nodes![i].figures);
    });
    return { node: node.name, op: node.op, output: node.output, shape, files, figures };
  });
  writeFileAtomic(join(tmp, 'index.json'), JSON.stringify({ model: p.modelName, nodes: index }, null, 1) + '\n');
}

function writeOutputs(file: string, r: ExecResult): void {
  const run = r.runs[0];
  if (/\.npy$/i.test(file)) {
    const o = run.outputs[0];
    writeNpy(file, { dtype: 'float32', shape: o.shape, data: o.values });
  } else {
    writeNpz(file, new Map(run.outputs.map((o) => [o.name, { dtype: 'float32' as const, shape: o.shape, data: o.values }])));
  }
}

function jsonFigures(f: ErrorFigures) {
  return {
    max_abs: jsonReal(f.max_abs), max_rel: jsonReal(f.max_rel), snr_db: jsonReal(f.snr_db), cosine: jsonReal(f.cosine),
    rel_rms: jsonReal(f.rel_rms), non_finite: f.non_finite,
  };
}

const fmt = (v: number, digits = 3) => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v === 0 ? '0' : v.toExponential(digits - 1));
const fmtDb = (v: number) => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v.toFixed(1));
const fmtCos = (v: number) => (Number.isNaN(v) ? 'nan' : v.toFixed(6));

function figureCells(f: ErrorFigures): string[] {
  return [fmt(f.max_abs), fmt(f.max_rel), fmtDb(f.snr_db), fmtCos(f.cosine)];
}

interface BaselineOutcome {
  readonly comparison: Comparison;
  /** with --update: what changed, and the entries written */
  readonly updated?: DiffRow[];
  readonly entries?: number;
  readonly created?: boolean;
}

function printHuman(p: ExecPlan, r: ExecResult, written: string[], cmp?: BaselineOutcome): void {
  const o = p.order;
  const inputs = Object.entries(p.inputShapes).map(([n, s]) => `${n} [${s.join(', ')}]`).join(', ');
  process.stdout.write(
    `${p.modelName} on ${inputs}${p.request.samples > 1 ? ` (${p.request.samples} samples, one at a time)` : ''}; ` +
      `${o.dataflow} order on ${o.rows} rows${o.dataflow === 'os' ? '' : `, accumulate ${o.accumulate}`}` +
      `${o.psum ? `, partial sums ${o.psum.name}` : ''}; vector unit fp32; compared with the fp32 reference executor\n`,
  );
  for (const run of r.runs) {
    process.stdout.write(`\nPE ${run.label}\n`);
    printTable(['output', 'shape', 'max abs', 'max rel', 'SNR dB', 'cosine', 'bits (sha256)'],
      run.outputs.map((x) => [x.name, `[${x.shape.join(', ')}]`, ...figureCells(x.figures), x.hash]));
    if (run.nodes) {
      process.stdout.write('\n');
      printTable(['node', 'op', 'shape', 'max abs', 'max rel', 'SNR dB', 'cosine', 'jump'],
        run.nodes.map((n) => [n.node, n.op, `[${n.shape.join(', ')}]`, ...figureCells(n.figures), n.jumps ? `<- ${fmtDb(n.drop_db)} dB` : '']));
      const j = run.firstJump, l = run.largestJump;
      process.stdout.write(j ? `first jump: ${j.node} (${j.op}), SNR ${fmtDb(j.input_snr_db)} -> ${fmtDb(j.snr_db)} dB\n` : 'no node loses 10 dB of SNR\n');
      if (l && l.node !== j?.node) process.stdout.write(`largest jump: ${l.node} (${l.op}), SNR ${fmtDb(l.input_snr_db)} -> ${fmtDb(l.snr_db)} dB\n`);
    }
  }
  for (const f of written) process.stdout.write(`\nwrote ${f}`);
  if (written.length > 0) process.stdout.write('\n');
  if (cmp) {
    const b = p.baseline!;
    if (cmp.updated !== undefined) {
      process.stdout.write(`\n${cmp.created ? 'created' : 'updated'} ${b.file}: ${cmp.entries} entries\n`);
      if (!cmp.created) {
        if (cmp.updated.length === 0) process.stdout.write('nothing changed\n');
        else {
          process.stdout.write(`${cmp.updated.length} entries changed:\n\n`);
          printBaselineDiff(cmp.updated, false);
        }
      }
      return;
    }
    const c = cmp.comparison;
    const failing = c.rows.filter((x) => x.fails);
    process.stdout.write(`\nbaseline ${b.file}: ${c.compared} figures compared: ${c.ok ? 'OK' : `${failing.length} FAILED`}\n`);
    if (c.rows.length > 0) {
      process.stdout.write('\n');
      printBaselineDiff(c.rows);
    }
    if (!c.ok) {
      const kinds = [...new Set(failing.map((x) => x.key.slice(0, x.key.indexOf('/'))))];
      process.stdout.write(`\nchanged: ${kinds.join(', ')}; if intended, accept with --update (and review the baseline diff)\n`);
    }
  }
}

function report(p: ExecPlan, r: ExecResult, written: string[], cmp?: BaselineOutcome) {
  return {
    model: p.modelName,
    inputs: Object.entries(p.inputShapes).map(([name, shape]) => ({ name, shape })),
    samples: p.request.samples,
    order: { dataflow: p.order.dataflow, rows: p.order.rows, accumulate: p.order.accumulate, psum: p.order.psum?.name ?? null },
    reference: { outputs: r.reference.outputs.map((o) => ({ name: o.name, shape: o.shape, hash: o.hash })) },
    runs: r.runs.map((run) => ({
      pe: run.label,
      outputs: run.outputs.map((o) => ({ name: o.name, shape: o.shape, hash: o.hash, ...jsonFigures(o.figures) })),
      ...(run.nodes && {
        nodes: run.nodes.map((n) => ({
          node: n.node, op: n.op, shape: n.shape, ...jsonFigures(n.figures),
          input_snr_db: jsonReal(n.input_snr_db), drop_db: jsonReal(n.drop_db), jumps: n.jumps,
        })),
        first_jump: run.firstJump ? { ...run.firstJump, input_snr_db: jsonReal(run.firstJump.input_snr_db), snr_db: jsonReal(run.firstJump.snr_db) } : null,
        largest_jump: run.largestJump ? { ...run.largestJump, input_snr_db: jsonReal(run.largestJump.input_snr_db), snr_db: jsonReal(run.largestJump.snr_db) } : null,
      }),
    })),
    files: written,
    ...(cmp && p.baseline && {
      baseline: cmp.updated !== undefined
        ? { file: p.baseline.file, updated: true, changes: cmp.updated }
        : { file: p.baseline.file, ok: cmp.comparison.ok, compared: cmp.comparison.compared, diffs: cmp.comparison.rows },
    }),
  };
}

/** gates45: each setup's PE energy from its netlists beside the operator table's */
function printEnergy(energy: ReadonlyMap<string, ExecGateEnergy>, samples: number): void {
  const first = [...energy.values()][0];
  process.stdout.write(`\nPE energy from gates (gates45${first?.gate_zeros ? ', zero gating' : ''}) on the model's own operands, ` +
    `the operator table (horowitz45) beside; per MAC and per sample:\n`);
  printTable(['PE', 'design', 'MACs per sample', 'zero operands', 'gates pJ/MAC', 'table pJ/MAC', 'gates per sample', 'GEMMs priced'],
    [...energy].map(([label, e]) => [
      label, e.design, formatNumber(e.macs / samples), `${(100 * e.zero_fraction).toFixed(1)}%`, e.pe_pj_per_mac.toFixed(4),
      e.table_pe_pj_per_mac.toFixed(4), formatQuantity(e.pe_pj_total / samples, ENERGY_PJ), `${e.gemms_priced} of ${e.gemms}`,
    ]));
}

export interface ExecOutcome {
  readonly result: ExecResult;
  readonly comparison?: Comparison;
}

/** The command's work, with the PE source a parameter (tests inject a perturbed PE); returns what was computed. */
export function execCommandRun(args: ExecArgs, getPeFn: (name: string, opts?: PeOptions) => PeKind = getPe): ExecOutcome {
  const p = plan(args, getPeFn);
  const result = runModel(p.request);
  // everything computed: now the files
  const written: string[] = [];
  if (p.output !== undefined) {
    writeOutputs(p.output, result);
    written.push(p.output);
  }
  if (p.dump !== undefined) written.push(...writeDump(p.dump, p, result));
  let cmp: BaselineOutcome | undefined;
  if (p.baseline !== undefined) {
    const figures = execFigures(result, p.config, p.baseline.old);
    if (args.update) {
      const next = newBaseline(p.baseline.old, figures);
      writeFileAtomic(p.baseline.file, serializeBaseline(next, EXEC_BASELINE_COMMENT));
      cmp = {
        comparison: { ok: true, compared: 0, rows: [] }, updated: updateChanges(p.baseline.old, figures),
        entries: Object.keys(next.entries).length, created: p.baseline.old === undefined,
      };
    } else {
      cmp = { comparison: compareWithBaseline(p.baseline.old!, figures) };
      if (!cmp.comparison.ok) process.exitCode = 1;
    }
  }
  const energy = p.meters && new Map([...p.meters].map(([label, m]) => [label, m.finish()]));
  if (args.json) {
    const j = report(p, result, written, cmp);
    printJson(energy ? { ...j, runs: j.runs.map((r) => ({ ...r, energy: energy.get(r.pe) })) } : j);
  } else {
    printHuman(p, result, written, cmp);
    if (energy) printEnergy(energy, p.request.samples);
  }
  return { result, ...(cmp && { comparison: cmp.comparison }) };
}

export const execCommand: CommandBody<ExecArgs> = {
  builder: (y: Argv<object>) =>
    withPeOptions(y)
      .option('model', { type: 'string', demandOption: true, describe: 'an .onnx file, a trained model (cnn, mlp, vit, bcnn) or a zoo model (random weights from --seed)' })
      .option('input', { type: 'string', array: true, describe: 'NAME=FILE.npy, FILE.npz (arrays named as the inputs), or FILE.npy for a model with one input; repeatable' })
      .option('input-shape', { type: 'string', array: true, describe: 'NAME=1x3x224x224: a dynamic input\'s shape (must agree with the data); repeatable' })
      .option('pe', { type: 'string', array: true, describe: 'PE kind(s): --pe fp8-e4m3,bf16 or repeated (default: the arch file\'s, else fp32)' })
      .option('attention-pe', { type: 'string', describe: 'PE of the attention matmuls alone (Q K^T, A V)' })
      .option('scales', { type: 'string', default: 'tensor', describe: 'integer PEs: scale operands per tensor, or per token (a causal language model, as accuracy runs it)' })
      .option('fp-pe', { type: 'string', default: 'fp32', describe: 'with --pe xnor: the PE of the non-binary layers' })
      .option('arch', { type: 'string', describe: 'array whose dataflow, rows, accumulation and partial-sum format set the order of additions (preset or file; default scale: 32x32 os)' })
      .option('dataflow', { type: 'string', describe: 'os | ws | is; overrides the arch' })
      .option('accumulate', { type: 'string', describe: "ws/is: where row folds' partial sums are added: top | below (default); overrides the arch" })
      .option('psum', { type: 'string', describe: 'partial-sum storage format between folds (default: the accumulator)' })
      .option('seed', integerOption('seed', { default: 1, describe: 'seed of a zoo model\'s random weights' }))
      .option('output', { type: 'string', describe: "write the PE's outputs: out.npy (one output) or out.npz (by output name)" })
      .option('dump', { type: 'string', describe: "a new folder: every node's values as .npy, the fp32 reference's beside each PE's, and index.json; adds the per-node table" })
      .option('baseline', { type: 'string', describe: 'a precision baseline of this model and input: compare with it (exit 1 when any figure moves)' })
      .option('update', { type: 'boolean', default: false, describe: 'with --baseline: record the current figures (and print what changed)' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .option('technology', { type: 'string', describe: "gates45: also each PE's energy from its synthesized netlists on the model's own operands" })
      .option('gate-zeros', { type: 'boolean', describe: 'with --technology gates45: zero-operand clock gating in the PEs' })
      .example('$0 exec --model test/fixtures/onnx/gpt2_block/model.onnx --input test/fixtures/onnx/gpt2_block/input.npy --pe fp8-e4m3', 'error of e4m3 multipliers on a network and its data')
      .example('$0 exec --model test/fixtures/onnx/gpt2_block/model.onnx --input input=test/fixtures/onnx/gpt2_block/input.npy --pe bf16 --dump dump/', 'per-node error table and every node\'s values')
      .example('$0 exec --model test/fixtures/onnx/gpt2_block/model.onnx --input test/fixtures/onnx/gpt2_block/input.npy --pe fp8-e4m3,lmul-bf16 --baseline net.baseline.json --update', 'pin the numerics; later runs fail on any change') as unknown as Argv<ExecArgs>,
  handler: (args) => {
    execCommandRun(args);
  },
};
