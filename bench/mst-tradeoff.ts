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
  layers: { direct_bits: number; mst_bits: number }[];
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
  points.push({ x: direct / stored, y: 100 * acc, group: name === 'bcnn' ? 'bcnn (no MST loss)' : 'committed (simulator)', label: `${name}: lambda ${lambdaOf(name)}` });
}

const sweepFile = `${TRAINED_DIR}/mst-sweep.json`;
if (existsSync(sweepFile)) {
  const runs = (JSON.parse(readFileSync(sweepFile, 'utf8')) as { runs: SweepRun[] }).runs;
  for (const run of runs) {
    const direct = run.layers.reduce((s, l) => s + l.direct_bits, 0), stored = run.layers.reduce((s, l) => s + l.mst_bits, 0);
    points.push({
      x: direct / stored, y: 100 * run.test_accuracy_fp32,
      group: run.init === null ? 'sweep from scratch (training script)' : 'sweep, fine-tuned (training script)',
      label: `run ${run.tag}: lambda ${run.lambda}${run.init === null ? '' : `, fine-tuned from run ${run.init}`}`,
    });
  }
}

process.stdout.write([
  `MST reuse on the trained binary CNNs: arch scale, --pe xnor, --reuse mst${depth !== undefined ? ` --mst-depth ${depth}` : ''}`,
  '',
  '| model | lambda | PyTorch top-1 (10,000) | ops saved, conv2 / conv3 | depth | storage | binary-conv weight bits direct -> MST | all reused layers | DRAM bytes | energy (uJ) | cycles | binary-conv ops saved |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
].join('\n'));
writeFileSync('docs/mst-tradeoff.svg', scatterChart({
  title: 'MST-trained binary CNNs: accuracy vs weight compression',
  x: { label: 'compression of the binary convs\' weights (direct / MST storage)', unit: 'x' },
  y: { label: 'fp32 top-1 on 10,000 test images', unit: '%' },
  points,
}) + '\n');
process.stdout.write('wrote docs/mst-tradeoff.svg\n');
