/**
 * `bitweave report RESULT.json|DIR [--out DIR]`: energy, area, cycles and a roofline of a run
 * (a `bitweave run --json` output, or the sim_result.json that `run --out DIR` writes), as
 * report.md, a self-contained report.html, CSV tables and SVG charts. A result without cost
 * fields gets them here (--arch names the arch when the result's is not a preset).
 * `bitweave report --papers` prints the papers' headline figures instead (L-Mul, fp8 units, EN-T's
 * three design points beside the paper's gains); with `--technology gates45` measured on the
 * synthesized netlists, claim / operator table / gates side by side.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Argv } from 'yargs';
import type { CommandBody } from './index.ts';
import { isPreset } from '../../sim/arch/presets.ts';
import { parseArch, type ArchConfig } from '../../sim/arch/schema.ts';
import { headlinesMarkdown, lmulHeadlines } from '../../sim/cost/papers.ts';
import { entDesignPoints, entDesignPointsMarkdown } from '../../sim/cost/ent-design-points.ts';
import type { CostedSimResult } from '../../sim/cost/run-cost.ts';
import { InputError } from '../../sim/errors.ts';
import type { SimResult } from '../../sim/result.ts';
import { loadArch } from '../arch-file.ts';
import { readInputText } from '../../models/io/input-file.ts';
import { OutputDir } from '../../models/io/output-files.ts';
import { parseSimResult } from '../../reports/result-input.ts';
import { printJson } from '../io.ts';
import { AREA_UM2, ENERGY_PJ, formatNumber, formatPercent, formatQuantity } from '../../reports/units.ts';
import { costOptionsFrom, withCostOptions, type CostOptionArgs } from '../options.ts';

interface ReportArgs extends CostOptionArgs {
  input?: string;
  xAxis?: string;
  yAxis?: string;
  color?: string;
  out?: string;
  arch?: string;
  papers: boolean;
  json: boolean;
}

function readResult(input: string): { result: SimResult | CostedSimResult; dir: string } {
  if (!existsSync(input)) throw new InputError(`report: no such file or directory '${input}'`);
  let file = input;
  if (statSync(input).isDirectory()) {
    file = join(input, 'sim_result.json');
    if (!existsSync(file)) throw new InputError(`report: directory '${input}' has no sim_result.json (write one with bitweave run --out DIR)`);
  }
  const text = readInputText(file, 'report');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { result: parseSimResult(doc, file), dir: statSync(input).isDirectory() ? input : dirname(file) };
}

/** The arch a result ran on: --arch if given, else the memory system the result records, else its preset. */
function archOfResult(result: SimResult | CostedSimResult, spec: string | undefined): ArchConfig {
  const ran = { array: { rows: result.arch.rows, cols: result.arch.cols }, dataflow: result.arch.dataflow, pe: result.arch.pe, clock_mhz: result.arch.clock_mhz };
  if (spec !== undefined) return { ...loadArch(spec), ...ran };
  if (result.arch.sram !== undefined && result.arch.dram !== undefined) {
    return parseArch({ name: result.arch.name, ...ran, sram: result.arch.sram, dram: result.arch.dram }, 'the result\'s arch');
  }
  if (isPreset(result.arch.name)) return { ...loadArch(result.arch.name), ...ran };
  throw new InputError(`report: the result does not record its memory system and its arch '${result.arch.name}' is not a preset; name it with --arch FILE`);
}

/**
 * A result priced again with gates45: its layers' shapes on its array, operands from the stated
 * distribution (a result file holds no operand values; a run with --technology gates45 prices
 * the model's own samples or its functional stream).
 */
async function gateInputOf(result: SimResult | CostedSimResult, arch: ArchConfig, gateZeros: boolean) {
  const { committedLibrary, designKeyFor } = await import('../../rtl/gates/library.ts');
  const { gateRun } = await import('../../sim/cost/gates/run-gates.ts');
  const { getPe } = await import('../../sim/pe/registry.ts');
  const { getFormat } = await import('../../sim/pe/formats.ts');
  const { gemmLayer } = await import('../../sim/workload/layer.ts');
  const opts = { ...(arch.acc !== undefined && { acc: arch.acc }), ...(result.arch.reuse === 'ent' && { reuse: 'ent' as const }) };
  const pe = getPe(result.arch.pe, opts);
  const { reuse: _r, ...plainOpts } = opts;
  const run = gateRun({
    library: committedLibrary(), design: designKeyFor(result.arch.pe, opts), gateZeros,
    ...(pe.reuse === 'ent' && { plainDesign: designKeyFor(result.arch.pe, plainOpts) }),
  }, pe, result.arch.dataflow, getFormat(result.arch.psum_format), result.arch.accumulate ?? 'top'); // results from before the accumulation choice were 'top'
  const layers = result.layers.map((l) => gemmLayer(l.name, l.gemm.m, l.gemm.n, l.gemm.k));
  return run.finish(layers, result.arch.rows, result.arch.cols, result.arch.dataflow);
}

export const reportCommand: CommandBody<ReportArgs> = {
  builder: (y: Argv<object>) =>
    withCostOptions(y)
      .positional('input', { type: 'string', describe: 'RESULT.json (bitweave run --json), a directory with sim_result.json, or a sweep directory (results.jsonl)' })
      .option('out', { type: 'string', describe: 'output directory (default: the input\'s directory)' })
      .option('arch', { type: 'string', describe: 'arch preset or file, when the result has no cost fields and its arch is not a preset' })
      .option('papers', { type: 'boolean', default: false, describe: 'print the papers\' headline figures (L-Mul 95%/80%, fp8 ratios, EN-T design points) and exit' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON: the papers\' figures, or a summary of the report written' })
      .option('x-axis', { alias: 'x', type: 'string', describe: 'sweep directory: an extra chart with this field on x (a dotted path, e.g. area_um2.total)' })
      .option('y-axis', { alias: 'y', type: 'string', describe: 'sweep directory: ... and this field on y (e.g. derived.tops_per_w)' })
      .option('color', { type: 'string', describe: 'sweep directory: the field that colours the points (default: the first swept field)' })
      .example('$0 report out/sweep --x-axis area_um2.total --y-axis derived.tops_per_w', 'a sweep\'s trade-offs: sweep.md, sweep.html, SVGs')
      .example('$0 run --arch edge --gemm 256x256x256 --json > r.json && $0 report r.json --out out/report', 'report of one GEMM')
      .example('$0 report --papers', 'L-Mul\'s headline figures from the 45 nm table') as unknown as Argv<ReportArgs>,
  handler: async (args) => {
    // the report builders load d3-node: only when a report is made, not on every CLI start
    const { buildReport, hasCost } = await import('../../reports/cost-report.ts');
    const { reportSweep, sweepResultsOf } = await import('./report-sweep.ts');
    const { dram_type: dramType, ...techOpts } = costOptionsFrom(args);
    if (args.papers && techOpts.technology === 'gates45') {
      // the claims measured on the synthesized netlists, beside the operator table's figures
      const { committedLibrary } = await import('../../rtl/gates/library.ts');
      const { gatePapers, gatePapersMarkdown, entSideBySideMarkdown } = await import('../../sim/cost/gates/papers-gates.ts');
      const library = committedLibrary();
      const g = gatePapers(library);
      const table = await entDesignPoints({ technology: 'horowitz45', dataflows: ['os'] });
      const gatesArray = await entDesignPoints({ ...techOpts, dataflows: ['os'], gates: { library, baseline: 'array' } });
      const gatesBooth = await entDesignPoints({ ...techOpts, gates: { library, baseline: 'booth' } });
      if (args.json) return printJson({ gates: g, ent_design_points: { table, gates_int8_pe: gatesArray, gates_booth_pe: gatesBooth } });
      process.stdout.write(gatePapersMarkdown(g) + '\n' + entSideBySideMarkdown(table, gatesArray, gatesBooth) + '\n' + entDesignPointsMarkdown(gatesBooth));
      return;
    }
    if (args.papers) {
      const h = lmulHeadlines(techOpts);
      const ent = await entDesignPoints(techOpts);
      if (args.json) return printJson({ ...h, ent_design_points: ent });
      process.stdout.write(headlinesMarkdown(h) + '\n' + entDesignPointsMarkdown(ent));
      return;
    }
    if (args.input === undefined) throw new InputError('report: name a RESULT.json or a directory (or use --papers)');
    // the output folder is checked before anything is read or computed
    if (args.out !== undefined) new OutputDir(args.out);
    const sweepResults = sweepResultsOf(args.input);
    if (sweepResults !== undefined) return reportSweep(sweepResults, args);
    // the chart options belong to sweep reports: refused, not ignored, on one run's result
    const sweepOnly = Object.entries({ '--x-axis': args.xAxis, '--y-axis': args.yAxis, '--color': args.color }).filter(([, v]) => v !== undefined);
    if (sweepOnly.length > 0) {
      throw new InputError(`${sweepOnly.map(([o]) => o).join(', ')}: only for a sweep directory; '${args.input}' is one run's result`);
    }
    const { result, dir } = readResult(args.input);
    // cost again when the result has no cost fields, or when cost options were given
    const costAgain = !hasCost(result) || args.arch !== undefined || args.node !== undefined || args.vdd !== undefined ||
      args.dramType !== undefined || args.technology !== result.cost.technology;
    let arch: ArchConfig | undefined;
    if (costAgain) arch = archOfResult(result, args.arch);
    const gates = costAgain && techOpts.technology === 'gates45' ? await gateInputOf(result, arch as ArchConfig, args.gateZeros === true) : undefined;
    if (!costAgain && args.gateZeros !== undefined) throw new InputError('--gate-zeros re-prices a result with --technology gates45');
    const rep = buildReport(result, arch, { ...techOpts, ...(dramType !== undefined && { dram_type: dramType }), ...(gates !== undefined && { gates }) });
    const out = args.out ?? dir;
    const files = new OutputDir(out);
    for (const [name, text] of Object.entries(rep.files)) files.write(name, text);
    files.commit();
    const t = rep.result.totals;
    if (args.json) {
      return printJson({ out, files: Object.keys(rep.files), energy_pj: t.energy_pj, area_um2: t.area_um2, derived: t.derived });
    }
    process.stdout.write(
      `wrote ${Object.keys(rep.files).length} files to ${out}: report.md, report.html, CSV and SVG charts\n` +
        `energy ${formatQuantity(t.energy_pj.total, ENERGY_PJ)}, ${formatNumber(t.derived.pj_per_mac)} pJ/MAC, ` +
        `${formatNumber(t.derived.tops_per_w)} TOPS/W, area ${formatQuantity(t.area_um2.total, AREA_UM2)}; ` +
        `utilization ${formatPercent(t.utilization)} without stalls, ${formatPercent(t.overall_utilization)} with stalls\n`,
    );
  },
};
