/**
 * `bitweave run`: simulate a model (zoo, ONNX, SCALE-Sim topology CSV, or one GEMM) on an
 * arch through the pipeline (sim/pipeline.ts, via models/run-request.ts: the same path a sweep
 * point takes). Prints a per-layer table, or one SimResult with --json; --out writes
 * SCALE-Sim's report CSVs (and the SimResult as JSON); --trace adds per-layer SRAM/DRAM
 * traces and a Perfetto timeline to --out.
 */
import type { Argv } from 'yargs';
import type { CommandBody } from './index.ts';
import { InputError } from '../../sim/errors.ts';
import { conventionsOf } from '../../sim/conventions.ts';
import { parseArch, type ArchConfig } from '../../sim/arch/schema.ts';
import { runPipeline } from '../../sim/pipeline.ts';
import type { Compat, EngineName, LayerDetail, RunCounts, SimResult } from '../../sim/result.ts';
import type { PaddingMode } from '../../sim/workload/layer.ts';
import { resolveRun } from '../../models/run-request.ts';
import { parseGemm } from '../../models/workload.ts';
import { inputShapesOf } from '../../models/exec/inputs.ts';
import { bandwidthReport, computeReport, detailedAccessReport } from '../../reports/scalesim-csv.ts';
import { simulate } from '../../sim/simulate.ts';
import { checkTraceSize, traceRequest, TraceWriter, TRACE_OPTIONS, type TraceArgs } from '../trace-option.ts';
import { loadArch } from '../arch-file.ts';
import { printJson, printTable } from '../io.ts';
import { getLogger } from '../logger.ts';
import { progressCallback } from '../progress.ts';
import { AREA_UM2, BYTES, COUNT, ENERGY_PJ, formatNumber, formatQuantity, type Ladder } from '../../reports/units.ts';
import { OutputDir } from '../../models/io/output-files.ts';
import { checkJobs, integerOption, JOBS_OPTIONS, numberOption } from '../option-checks.ts';
import { costOptionsFrom, peOptionsFrom, withCostOptions, withPeOptions, type CostOptionArgs, type PeOptionArgs } from '../options.ts';
import type { CostedSimResult } from '../../sim/cost/run-cost.ts';
import { printSchedule, scheduleRequest, SCHEDULE_OPTIONS, type ScheduleArgs } from '../schedule-option.ts';

interface DatasetArgs {
  dataset?: string;
  limit?: number;
  jobs: number;
  force: boolean;
}

interface RunArgs extends DatasetArgs, PeOptionArgs, CostOptionArgs, ScheduleArgs, TraceArgs {
  arch: string;
  model?: string;
  gemm?: string;
  pe?: string;
  psum?: string;
  accumulate?: string;
  dataflow?: string;
  array?: string;
  bandwidth?: number;
  latency?: number;
  compat: string;
  engine: string;
  padding?: string;
  inputShape?: string[];
  functional: boolean;
  seed: number;
  json: boolean;
  out?: string;
  /** the global --quiet */
  quiet?: boolean;
  mstDepth?: number;
}

function pctOf(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '0%';
}

function parseDims(text: string, what: string, n: number): number[] {
  const parts = text.trim().toLowerCase().split('x');
  if (parts.length !== n || parts.some((p) => !/^[+-]?\d+$/.test(p.trim()))) {
    throw new InputError(`${what} must be ${n === 2 ? 'RxC' : 'MxNxK'} (integers), got '${text}'`);
  }
  return parts.map((p) => Number(p));
}

/** Applies command-line overrides and validates the result with the schema. */
function applyOverrides(base: ArchConfig, args: RunArgs): ArchConfig {
  const doc: Record<string, unknown> = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  if (args.dataflow !== undefined) doc.dataflow = args.dataflow.toLowerCase();
  if (args.pe !== undefined) doc.pe = args.pe;
  if (args.psum !== undefined) doc.psum = args.psum;
  if (args.accumulate !== undefined) doc.accumulate = args.accumulate;
  if (args.array !== undefined) {
    const [rows, cols] = parseDims(args.array, '--array', 2);
    doc.array = { rows, cols };
  }
  const dram = { ...(doc.dram as Record<string, unknown>) };
  if (args.bandwidth !== undefined) dram.bandwidth = args.bandwidth;
  if (args.latency !== undefined) dram.latency = args.latency;
  doc.dram = dram;
  return parseArch(doc, `${args.arch} (with command-line overrides)`);
}

/** The model source of --gemm / --model (a GEMM as `gemm:MxNxK`, checked here so errors name --gemm). */
function modelSource(args: RunArgs): string {
  if (args.gemm !== undefined && args.model !== undefined) throw new InputError('give either --gemm or --model, not both');
  if (args.gemm !== undefined) {
    const layer = parseGemm(args.gemm, '--gemm');
    if (layer.kind !== 'gemm') throw new Error('parseGemm: not a GEMM');
    return `gemm:${layer.m}x${layer.n}x${layer.k}`;
  }
  if (args.model === undefined) {
    throw new InputError('name a model: --model ZOO_NAME | FILE.onnx | TOPOLOGY.csv, or --gemm MxNxK (see bitweave zoo list)');
  }
  return args.model;
}

function pct(v: number): string {
  return (100 * v).toFixed(2) + '%';
}

function printHuman(r: SimResult): void {
  process.stdout.write(
    `${r.arch.name}: ${r.arch.rows}x${r.arch.cols} ${r.arch.dataflow}${r.arch.dataflow === 'os' ? '' : ` (accumulate ${r.arch.accumulate})`}, PE ${r.arch.pe}, psum ${r.arch.psum_format}` +
      `${r.compat === 'scalesim' ? ', SCALE-Sim parity' : ''}, ${r.engine} engine\n\n`,
  );
  // counts in k / M / G and bytes in kB / MB (exact figures: --json, --out's CSVs)
  const count = (n: number) => formatQuantity(n, COUNT);
  const bytes = (n: number) => formatQuantity(n, BYTES);
  const cells = (c: RunCounts) => [
    count(c.cycles), count(c.stall_cycles), pct(c.utilization), pct(c.overall_utilization), pct(c.mapping_efficiency),
    count(c.sram.ifmap_reads), count(c.sram.filter_reads), count(c.sram.ofmap_writes),
    bytes(c.dram.ifmap_read_bytes + c.dram.filter_read_bytes + c.dram.ofmap_read_bytes + c.dram.ofmap_write_bytes),
    bytes(c.dram.non_compulsory_bytes),
  ];
  const rows = r.layers.map((l, i) => [
    String(i), l.name, ...cells(l),
    ...(r.functional ? [l.output ? `${l.output.checksum} (max err ${l.output.max_abs_error.toPrecision(3)})` : ''] : []),
  ]);
  rows.push(['', 'total', ...cells(r.totals), ...(r.functional ? [''] : [])]);
  printTable(
    ['#', 'layer', 'cycles', 'stalls', 'util w/o stalls', 'util w/ stalls', 'map eff', 'ifmap rd', 'filter rd', 'ofmap wr', 'DRAM', 'non-compulsory',
      ...(r.functional ? ['output checksum'] : [])],
    rows,
  );
  process.stdout.write('util w/o stalls: MACs / (PEs x compute cycles); util w/ stalls: MACs / (PEs x all cycles, stalls and the vector unit included)\n');
}

/** relative change with reuse: -x% is a saving, +x% a cost */
function changePct(without: number, withR: number): string {
  if (without === 0) return withR === 0 ? '0%' : 'new';
  const f = (withR - without) / without;
  return `${f > 0 ? '+' : ''}${(100 * f).toFixed(1)}%`;
}

/** What the run's reuse scheme saved (or cost), per layer and in total. */
function printReuse(r: CostedSimResult): void {
  const eff = r.totals.reuse_effect;
  if (eff === undefined) return;
  const change = (without: number, withR: number, units: Ladder = COUNT) =>
    `${formatQuantity(without, units)} -> ${formatQuantity(withR, units)} (${changePct(without, withR)})`;
  process.stdout.write('\n');
  if (eff.kind === 'ent') {
    const enc = r.cost.pe.row_encoder;
    process.stdout.write(
      `EN-T reuse: ${enc ? `${enc.rows} row encoders on the ${enc.operand} operand, ${enc.register_bits}-bit broadcast registers; ` : ''}` +
        'bits and cycles as without reuse\n',
    );
  } else {
    const src = r.layers.find((l) => l.reuse)?.reuse?.weights;
    process.stdout.write(`MST reuse on ${r.layers.filter((l) => l.reuse).length} binary layer(s), weights: ` +
      `${src === 'model' ? "the model's" : 'seeded random +-1 (the model has none)'}\n`);
    const rows = r.layers.filter((l) => l.reuse !== undefined).map((l) => {
      const m = l.reuse as NonNullable<typeof l.reuse>;
      const e = l.reuse_effect;
      const st = m.storage;
      return [
        l.name, `${m.channels}x${m.k}`, `${m.direct_ops} -> ${m.reuse_ops}`, `${(100 * m.saving).toFixed(1)}%`,
        String(m.total_distance), m.depth_bound !== undefined ? `${m.tree_depth} (<= ${m.depth_bound})` : String(m.tree_depth),
        st.format === 'direct' ? 'plain (layer)' : `${st.children_list} lists, ${st.children_plain} plain`,
        change(m.weight_bits_direct, m.weight_bits_reuse), change(m.direct.cycles, l.cycles),
        e ? change(e.without.dram_bytes, e.with.dram_bytes, BYTES) : '', e ? change(e.without.energy_pj, e.with.energy_pj, ENERGY_PJ) : '',
        m.output_check ? (m.output_check.identical ? 'identical' : 'DIFFERENT') : '',
      ];
    });
    printTable(['layer', 'N x K', 'ops/pixel', 'ops saved', 'distance', 'depth', 'storage', 'weight bits', 'cycles', 'DRAM bytes', 'energy', 'bits vs direct'], rows);
    const direct = r.layers.reduce((s, l) => s + (l.reuse?.weight_bits_direct ?? 0), 0);
    const stored = r.layers.reduce((s, l) => s + (l.reuse?.weight_bits_reuse ?? 0), 0);
    process.stdout.write(`weight bits of the reused layers: ${direct} direct -> ${stored} with MST storage ` +
      `(compression ${(direct / Math.max(1, stored)).toFixed(2)}x)\n`);
  }
  process.stdout.write(
    `reuse (${eff.kind}) in total: energy ${change(eff.without.energy_pj, eff.with.energy_pj, ENERGY_PJ)}, ` +
      `area ${change(eff.without.area_um2, eff.with.area_um2, AREA_UM2)}, cycles ${change(eff.without.cycles, eff.with.cycles)}, ` +
      `DRAM ${change(eff.without.dram_bytes, eff.with.dram_bytes, BYTES)} (without -> with reuse; -x% saved, +x% cost)\n`,
  );
}

/** gates45: each layer's PE energy from gates beside the operator table's, and where the operands came from. */
function printGateEnergy(r: CostedSimResult): void {
  const withModel = r.layers.filter((l) => l.energy_model !== undefined);
  if (withModel.length === 0) return;
  process.stdout.write('\nPE energy per MAC (compute + registers), gate level (gates45) beside the operator table (horowitz45):\n');
  const rows = r.layers.map((l) => {
    const m = l.energy_model;
    if (!m) return [l.name, '', '', '', '', ''];
    const ops = l.reuse?.ops ?? l.macs;
    const gate = (l.energy_pj.compute + l.energy_pj.registers) / ops;
    const table = (m.table.compute + m.table.registers) / ops;
    return [l.name, m.source, `${(100 * m.zero_fraction).toFixed(1)}%`, gate.toFixed(4), table.toFixed(4), changePct(table, gate)];
  });
  printTable(['layer', 'operands', 'zero operands', 'gates pJ/MAC', 'table pJ/MAC', 'gates vs table'], rows);
  const sources = [...new Set(withModel.map((l) => l.energy_model?.description))];
  process.stdout.write(`operands: ${sources.join('; ')}\nused for the totals: gates45 (the table figures are shown for comparison)\n`);
}


export const runCommand: CommandBody<RunArgs> = {
  builder: (y: Argv<object>) =>
    withPeOptions(
      withCostOptions(y)
        .option('arch', { type: 'string', default: 'scale', describe: 'preset (scale, google, eyeriss, edge) or YAML/JSON/SCALE-Sim .cfg file' })
        .option('model', { type: 'string', describe: 'zoo model (bitweave zoo list; e.g. resnet50, bert_base:seq=384), an .onnx file, or a SCALE-Sim topology CSV' })
        .option('gemm', { type: 'string', describe: 'one GEMM, MxNxK (A is MxK, B is KxN)' })
        .option('pe', { type: 'string', describe: 'PE kind (see `bitweave pes`); overrides the arch' })
        .option('psum', { type: 'string', describe: 'partial-sum storage format (default: the accumulator format)' })
        .option('dataflow', { type: 'string', describe: 'os | ws | is; overrides the arch' })
        .option('accumulate', { type: 'string', describe: "ws/is: where row folds' partial sums are added: top (into the column) | below (under it; default); overrides the arch" })
        .option('array', { type: 'string', describe: 'array size RxC; overrides the arch' })
        .option('bandwidth', numberOption('bandwidth', { positive: true, describe: 'DRAM bandwidth, bytes/cycle; overrides the arch' }))
        .option('latency', integerOption('latency', { min: 0, describe: 'DRAM latency, cycles; overrides the arch' }))
        .option('compat', { type: 'string', default: 'none', describe: 'none | scalesim (SCALE-Sim v2 conventions)' })
        .option('engine', { type: 'string', default: 'fast', describe: 'fast | reference (per-cycle; small layers)' })
        .option('input-shape', { type: 'string', array: true, describe: 'NAME=1x3x224x224: the shape of a dynamic ONNX input (repeatable)' })
        .option('padding', { type: 'string', describe: 'valid | same | scalesim: padding of topology convolutions (default: same; scalesim with --compat scalesim)' })
        .option('functional', { type: 'boolean', default: false, describe: 'compute the output values (seeded random operands)' })
        .option('seed', integerOption('seed', { default: 1, describe: 'seed of the functional operands' }))
        .option('dataset', { type: 'string', describe: 'with a trained model (bitweave accuracy --help): its top-1 accuracy on this data set (fmnist; austen for lm-austen: bits per character) through the run\'s PE and dataflow' })
        .option('limit', integerOption('limit', { min: 1, describe: 'with --dataset: the first N images only' }))
        .options(JOBS_OPTIONS)
        .option('json', { type: 'boolean', default: false, describe: 'print the SimResult as JSON' })
        .option('out', { type: 'string', describe: 'directory for COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv, DETAILED_ACCESS_REPORT.csv' })
        .options(TRACE_OPTIONS)
        .option('mst-depth', { type: 'number', describe: 'with --reuse mst: bound on the reuse tree\'s depth (default: the minimum-depth MST)' })
        .options(SCHEDULE_OPTIONS)
        .example('$0 run --gemm 128x64x256 --compat scalesim --dataflow ws', 'SCALE-Sim parity on one GEMM')
        .example('$0 run --arch edge --model models/data/scalesim/topologies/conv_nets/Resnet18.csv --out out/r18', 'ResNet-18 on the edge preset')
        .example('$0 run --model models/data/trained/bcnn_mst06.onnx --pe xnor --reuse mst --mst-depth 4', 'MST reuse with the tree at most 4 levels deep'),
    ) as unknown as Argv<RunArgs>,
  handler: async (args) => {
    const log = getLogger();
    const compat = args.compat as Compat;
    if (compat !== 'none' && compat !== 'scalesim') throw new InputError(`--compat must be none or scalesim, got '${args.compat}'`);
    const engine = args.engine as EngineName;
    if (engine !== 'fast' && engine !== 'reference') throw new InputError(`--engine must be fast or reference, got '${args.engine}'`);
    const padding = (args.padding ?? conventionsOf(compat).topologyPadding) as PaddingMode;
    if (padding !== 'valid' && padding !== 'same' && padding !== 'scalesim') {
      throw new InputError(`--padding must be valid, same or scalesim, got '${args.padding}'`);
    }
    const trace = traceRequest(args);
    checkJobs(args.jobs, args.force);
    // the output folder is checked now and written only when the run has succeeded
    const out = args.out !== undefined ? new OutputDir(args.out) : undefined;
    const arch = applyOverrides(loadArch(args.arch), args);
    // --reuse mst is a schedule of the array, not a PE option: the PE gets none
    const mst = args.reuse === 'mst';
    if (mst && trace) throw new InputError('--trace records the direct schedule; it is not available with --reuse mst');
    const peOptions = peOptionsFrom({ ...args, reuse: mst ? undefined : args.reuse });
    const schedule = scheduleRequest(args);
    const progress = progressCallback('accuracy', 'images', { quiet: args.quiet === true });
    const pipeline = resolveRun({
      arch, model: modelSource(args), peOptions, compat, engine, functional: args.functional, seed: args.seed, padding, mst,
      ...(args.inputShape !== undefined && { inputShapes: inputShapesOf(args.inputShape) }),
      ...(args.mstDepth !== undefined && { mstDepth: args.mstDepth }),
      cost: costOptionsFrom(args),
      ...(args.gateZeros !== undefined && { gateZeros: args.gateZeros }),
      ...(schedule !== undefined && { schedule }),
      ...(args.dataset !== undefined && { dataset: args.dataset, jobs: args.jobs, onAccuracyProgress: progress.onProgress }),
      // without --dataset a --limit is refused (resolveRun), not ignored
      ...(args.limit !== undefined && { limit: args.limit }),
    });
    log.info({ arch: arch.name, model: pipeline.workload.name, layers: pipeline.workload.layers.length, compat, engine }, 'run');
    // traces: their size estimated from a timing-only simulation, refused beyond --trace-limit
    let writer: TraceWriter | undefined;
    if (trace && out) {
      const preview = simulate({
        arch, pe: pipeline.pe, layers: pipeline.workload.layers, repeats: pipeline.workload.repeats, vectorOps: pipeline.workload.vectorOps,
        compat, ...(pipeline.psumFormat !== undefined && { psumFormat: pipeline.psumFormat }),
      });
      const bytes = checkTraceSize(trace, preview, arch);
      log.info({ trace: trace.mode, bytes }, 'writing traces');
      writer = new TraceWriter(trace, out, preview, bytes, { quiet: args.quiet === true });
    }
    // everything is checked: only now does anything get written (staged in --out, moved into place at the end)
    let result;
    try {
      result = await runPipeline({ ...pipeline, ...(writer && { onLayer: (d: LayerDetail) => writer.layer(d) }) });
      writer?.finish();
    } finally {
      writer?.close();
    }
    progress.stop();

    if (out !== undefined) {
      out.write('COMPUTE_REPORT.csv', computeReport(result));
      out.write('BANDWIDTH_REPORT.csv', bandwidthReport(result));
      out.write('DETAILED_ACCESS_REPORT.csv', detailedAccessReport(result));
      out.write('sim_result.json', JSON.stringify(result, null, 2) + '\n');
      out.commit();
      log.info({ out: args.out }, 'reports written');
    }
    if (args.json) printJson(result);
    else {
      printHuman(result);
      printSchedule(result);
      printReuse(result);
      printGateEnergy(result);
      if (result.accuracy) {
        const a = result.accuracy;
        const lm = a.language;
        process.stdout.write(lm
          ? `accuracy on ${a.dataset} (${lm.windows} windows, ${lm.characters} characters): ${lm.bits_per_char.toFixed(4)} bits/char ` +
            `(fp32 reference ${lm.reference_bits_per_char.toFixed(4)}), next-character top-1 ${(100 * a.top1).toFixed(2)}%, ` +
            `agreement ${(100 * a.agreement).toFixed(2)}%, logit rel. error ${formatNumber(a.rel_error, 3)}\n`
          : `accuracy on ${a.dataset} (${a.images} images): top-1 ${(100 * a.top1).toFixed(2)}% ` +
            `(fp32 reference ${(100 * a.reference_top1).toFixed(2)}%, agreement ${(100 * a.agreement).toFixed(2)}%, ` +
            `logit rel. error ${formatNumber(a.rel_error, 3)})\n`);
      }
      if (result.vector.ops.length > 0) {
        process.stdout.write(`vector unit: ${result.vector.ops.length} ops, ${formatQuantity(result.vector.element_ops, COUNT)} element-ops, ` +
          `${formatQuantity(result.vector.cycles, COUNT)} cycles at ${result.vector.throughput}/cycle (included in the total)\n`);
      }
      const e = result.totals.energy_pj, d = result.totals.derived;
      process.stdout.write(
        `\nenergy ${formatQuantity(e.total, ENERGY_PJ)} (${formatNumber(d.pj_per_mac)} pJ/MAC: compute ${pctOf(e.compute, e.total)}, ` +
          `registers ${pctOf(e.registers, e.total)}, SRAM ${pctOf(e.sram.total, e.total)}, DRAM ${pctOf(e.dram, e.total)}, ` +
          `vector unit ${pctOf(e.vector, e.total)}, ` +
          `leakage ${pctOf(e.leakage, e.total)}); area ${formatQuantity(result.totals.area_um2.total, AREA_UM2)}; ` +
          `${formatNumber(d.tops_per_w)} TOPS/W; ${result.cost.technology} at ${result.cost.node_nm} nm, ${result.cost.dram_type}\n`,
      );
    }
  },
};
