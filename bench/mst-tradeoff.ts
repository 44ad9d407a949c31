/**
 * MST-compression on the trained binary CNNs: `bcnn` and the MST-trained `bcnn_mst*` models
 * (models/train/train_mst.py), each run as `bitweave run --arch scale --model NAME --pe xnor
 * --reuse mst [--mst-depth D]` does. Prints a Markdown table (accuracy recorded by PyTorch on
 * the 10,000 test images; operations, weight bits, DRAM bytes, energy and cycles from the
 * simulator) and writes the accuracy-vs-compression chart to docs/mst-tradeoff.svg, with the
 * sweep's other strengths (models/data/trained/mst-sweep.json, PyTorch accuracy and the
 * training script's storage figure) beside the committed models.
 *
 *   npx tsx bench/mst-tradeoff.ts [--depth D]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { trainedMetrics, TRAINED_DIR } from '../models/accuracy/trained.ts';
import { gemmView } from '../sim/workload/layer.ts';
import { runRequest } from '../models/run-request.ts';
import { loadWorkload } from '../models/workload.ts';
import { getPreset } from '../sim/arch/presets.ts';
import { scatterChart, type ScatterPoint } from '../reports/charts.ts';

interface MstTraining {
  lambda: number;
  layers: { direct_bits: number; mst_bits: number }[];
}
interface SweepRun {
  tag: string;
  lambda: number;
  init: string | null;
  test_accuracy_fp32: number;
  layers: { channels: number; k: number; mst_total: number; direct_bits: number; mst_bits: number }[];
}

const depthArg = process.argv.indexOf('--depth');
const depth = depthArg > 0 ? Number(process.argv[depthArg + 1]) : undefined;
const arch = { ...getPreset('scale'), pe: 'xnor' };
const metrics = trainedMetrics();
const names = Object.keys(metrics).filter((n) => /^bcnn(_mst.*)?$/.test(n)).sort((a, b) => lambdaOf(a) - lambdaOf(b));

function lambdaOf(name: string): number {
  return (metrics[name] as unknown as { mst_training?: MstTraining }).mst_training?.lambda ?? 0;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const chg = (a: number, b: number) => `${b > a ? '+' : ''}${((100 * (b - a)) / a).toFixed(1)}%`;
const rows: string[] = [];
const points: ScatterPoint[] = [];
const opsPoints: ScatterPoint[] = [];
/** output pixels of the two binary convs (bcnn's architecture, the same in every model) */
let pixels: number[] = [];
for (const name of names) {
  // the pipeline `bitweave run` uses
  const r = await runRequest({ arch, model: name, mst: true, ...(depth !== undefined && { mstDepth: depth }) });
  const work = loadWorkload(name);
  // the model's binary convolutions (the 64- and 128-channel ones; --pe xnor also times the
  // fp32 first conv and last Gemm as binary, whose weights the training does not touch)
  const bin = r.layers.filter((l, i) => l.reuse !== undefined && gemmView(work.layers[i]).n >= 64);
  const direct = bin.reduce((s, l) => s + (l.reuse?.weight_bits_direct ?? 0), 0);
  const stored = bin.reduce((s, l) => s + (l.reuse?.weight_bits_reuse ?? 0), 0);
  const opsDirect = bin.reduce((s, l) => s + (l.reuse?.direct_ops ?? 0) * l.gemm.m, 0);
  const opsReuse = bin.reduce((s, l) => s + (l.reuse?.ops ?? 0), 0);
  const allDirect = r.layers.reduce((s, l) => s + (l.reuse?.weight_bits_direct ?? 0), 0);
  const allStored = r.layers.reduce((s, l) => s + (l.reuse?.weight_bits_reuse ?? 0), 0);
  const e = r.totals.reuse_effect;
  if (e === undefined) throw new Error(`${name}: no reuse effect`);
  const acc = metrics[name].test_accuracy_fp32;
  rows.push(`| \`${name}\` | ${lambdaOf(name)} | ${pct(acc)} | ${bin.map((l) => `${(100 * (l.reuse?.saving ?? 0)).toFixed(1)}%`).join(' / ')} ` +
    `| ${bin.map((l) => l.reuse?.tree_depth).join(' / ')} | ${bin.map((l) => (l.reuse?.storage.format === 'direct' ? 'plain' : `${l.reuse?.storage.children_list} lists`)).join(' / ')} ` +
    `| ${direct} -> ${stored} (**${(direct / stored).toFixed(2)}x**) | ${allDirect} -> ${allStored} (${(allDirect / allStored).toFixed(2)}x) ` +
    `| ${e.without.dram_bytes} -> ${e.with.dram_bytes} (${chg(e.without.dram_bytes, e.with.dram_bytes)}) ` +
    `| ${(e.without.energy_pj / 1e6).toFixed(2)} -> ${(e.with.energy_pj / 1e6).toFixed(2)} (${chg(e.without.energy_pj, e.with.energy_pj)}) ` +
    `| ${e.without.cycles} -> ${e.with.cycles} (${chg(e.without.cycles, e.with.cycles)}) | ${pct(1 - opsReuse / opsDirect)} |`);
  const label = `${name}: lambda ${lambdaOf(name)}`, group = name === 'bcnn' ? 'bcnn (no MST loss)' : 'committed bcnn_mst*';
  points.push({ x: direct / stored, y: acc, group, label });
  opsPoints.push({ x: opsDirect / opsReuse, y: acc, group, label });
  if (name === 'bcnn') pixels = bin.map((l) => l.gemm.m);
}

const sweepFile = `${TRAINED_DIR}/mst-sweep.json`;
if (existsSync(sweepFile)) {
  const runs = (JSON.parse(readFileSync(sweepFile, 'utf8')) as { runs: SweepRun[] }).runs;
  // the committed models are the sweep's runs of the same tag: drawn once, from the simulator
  const committed = new Set(names.map((n) => (metrics[n] as unknown as { mst_training?: { run?: string } }).mst_training?.run));
  for (const run of runs.filter((r) => !committed.has(r.tag))) {
    const direct = run.layers.reduce((s, l) => s + l.direct_bits, 0), stored = run.layers.reduce((s, l) => s + l.mst_bits, 0);
    const group = run.init === null ? 'sweep, from scratch' : 'sweep, fine-tuned';
    const label = `run ${run.tag}: lambda ${run.lambda}${run.init === null ? '' : `, fine-tuned from run ${run.init}`}`;
    points.push({ x: direct / stored, y: run.test_accuracy_fp32, group, label });
    // per output pixel the reuse tree does K + (its total distance) operations instead of N K;
    // the script's total is that of a minimum spanning tree, the simulator's default's too
    const opsDirect = run.layers.reduce((s, l, i) => s + pixels[i] * l.channels * l.k, 0);
    const opsReuse = run.layers.reduce((s, l, i) => s + pixels[i] * (l.k + l.mst_total), 0);
    opsPoints.push({ x: opsDirect / opsReuse, y: run.test_accuracy_fp32, group, label });
  }
}

// the depth bound on the strongest committed model: exposed tree levels against operations
const deep = names[names.length - 1];
const depthRows: string[] = [];
for (const d of [undefined, 8, 6, 4, 3, 2, 1]) {
  const r = await runRequest({ arch, model: deep, mst: true, ...(d !== undefined && { mstDepth: d }) });
  const work = loadWorkload(deep);
  const bin = r.layers.filter((l, i) => l.reuse !== undefined && gemmView(work.layers[i]).n >= 64);
  const e = r.totals.reuse_effect;
  if (e === undefined) throw new Error(`${deep}: no reuse effect`);
  const opsDirect = bin.reduce((s, l) => s + (l.reuse?.direct_ops ?? 0) * l.gemm.m, 0);
  const opsReuse = bin.reduce((s, l) => s + (l.reuse?.ops ?? 0), 0);
  const direct = bin.reduce((s, l) => s + (l.reuse?.weight_bits_direct ?? 0), 0);
  const stored = bin.reduce((s, l) => s + (l.reuse?.weight_bits_reuse ?? 0), 0);
  depthRows.push(`| ${d ?? 'none (minimum-depth MST)'} | ${bin.map((l) => l.reuse?.tree_depth).join(' / ')} | ${bin.map((l) => l.reuse?.total_distance).join(' / ')} ` +
    `| ${pct(1 - opsReuse / opsDirect)} | ${direct} -> ${stored} (${(direct / stored).toFixed(2)}x) ` +
    `| ${bin.map((l) => l.cycles).join(' / ')} | ${e.without.cycles} -> ${e.with.cycles} (${chg(e.without.cycles, e.with.cycles)}) ` +
    `| ${(e.without.energy_pj / 1e6).toFixed(2)} -> ${(e.with.energy_pj / 1e6).toFixed(2)} (${chg(e.without.energy_pj, e.with.energy_pj)}) |`);
}

process.stdout.write([
  `MST reuse on the trained binary CNNs: arch scale, --pe xnor, --reuse mst${depth !== undefined ? ` --mst-depth ${depth}` : ''}`,
  '',
  '| model | lambda | PyTorch top-1 (10,000) | ops saved, conv2 / conv3 | depth | storage | binary-conv weight bits direct -> MST | all reused layers | DRAM bytes | energy (uJ) | cycles | binary-conv ops saved |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  `The depth bound on ${deep} (arch scale, --pe xnor, --reuse mst --mst-depth D; run totals without -> with reuse)`,
  '',
  '| --mst-depth | depth, conv2 / conv3 | tree distance | binary-conv ops saved | binary-conv weight bits | cycles, conv2 / conv3 | cycles | energy (uJ) |',
  '|---|---|---|---|---|---|---|---|',
  ...depthRows,
  '',
].join('\n'));
const accuracy = { label: 'fp32 top-1 on the 10,000 test images', percent: true };
writeFileSync('docs/mst-tradeoff.svg', scatterChart({
  title: 'MST-trained binary CNNs: accuracy vs weight compression',
  x: { label: 'compression of the binary convs\' weights: direct / MST storage' },
  y: accuracy,
  points,
}) + '\n');
writeFileSync('docs/mst-tradeoff-ops.svg', scatterChart({
  title: 'MST-trained binary CNNs: accuracy vs XNOR operations',
  x: { label: 'reduction of the binary convs\' XNOR operations: direct / MST reuse' },
  y: accuracy,
  points: opsPoints,
}) + '\n');
process.stdout.write('wrote docs/mst-tradeoff.svg, docs/mst-tradeoff-ops.svg\n');
