/**
 * The accuracy table of the README: every trained model x every PE kind on the first N
 * Fashion-MNIST test images (default 2,000), through the simulator's functional path, plus
 * L-Mul in the ViT's attention matmuls alone, the block formats (MX, NVFP4) and limited
 * accumulators (fp8-e4m3 with exact products into a 14-bit truncating register, with and
 * without promotion to fp32 every 128 products). Slow (minutes to hours): run by hand, not by
 * the tests.
 *
 *   npx tsx bench/accuracy-table.ts [N] [jobs] [add]   -> stdout (markdown) and docs/accuracy.json
 *
 * `add` keeps the rows docs/accuracy.json already has (each row's `summary.images` says on
 * how many images it was measured) and measures only the missing ones at N (the rows are
 * deterministic: same inputs, same bits). The file's top-level `images` stays the table's.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { runAccuracy } from '../models/accuracy/run.ts';
import type { AccuracySetup } from '../models/accuracy/task.ts';
import { resolveTrainedModel, trainedMetrics } from '../models/accuracy/trained.ts';
import type { AccuracySummary } from '../models/accuracy/evaluate.ts';
import type { PeOptions } from '../sim/pe/registry.ts';

const N = Number(process.argv[2] ?? 2000);
const JOBS = Number(process.argv[3] ?? 2);
const ADD = process.argv[4] === 'add';
const PES = ['fp32', 'bf16', 'fp16', 'fp8-e4m3', 'fp8-e5m2', 'lmul-m3', 'lmul-m4', 'lmul-bf16', 'int8'];
const BLOCK_PES = ['mxfp8-e4m3', 'mxfp8-e5m2', 'mxfp6-e3m2', 'mxfp6-e2m3', 'mxfp4', 'mxint8', 'nvfp4'];
/** limited accumulators (DeepSeek-V3 section 3.3.2's setting: exact FP8 products, a ~14-bit register) */
const LIMITED: readonly { label: string; pe: string; options: PeOptions }[] = [
  { label: 'fp8-e4m3, exact product', pe: 'fp8-e4m3', options: { product: 'fp32' } },
  { label: 'fp8-e4m3, exact product, 14-bit acc', pe: 'fp8-e4m3', options: { product: 'fp32', accBits: 14 } },
  { label: 'fp8-e4m3, exact product, 14-bit acc, promote 128', pe: 'fp8-e4m3', options: { product: 'fp32', accBits: 14, accPromote: 128 } },
];

/** the models the block-format and limited-accumulator rows are measured on */
const BLOCK_MODELS = ['cnn', 'mlp', 'vit'];

interface Row { model: string; pe: string; attention_pe: string; summary: AccuracySummary; seconds: number }

const previous: Row[] = [];
let tableImages = N;
if (ADD && existsSync('docs/accuracy.json')) {
  const doc = JSON.parse(readFileSync('docs/accuracy.json', 'utf8')) as { images: number; rows: Row[] };
  previous.push(...doc.rows);
  tableImages = doc.images;
}

const rows: Row[] = [];
const models = Object.keys(trainedMetrics());
async function measure(model: string, pe: string, extra: Partial<AccuracySetup> = {}, label = pe, attention = pe): Promise<void> {
  const kept = previous.find((r) => r.model === model && r.pe === label);
  if (kept) {
    rows.push(kept);
    return;
  }
  const setup: AccuracySetup = { modelFile: resolveTrainedModel(model), dataset: 'fmnist', pe, peOptions: {}, dataflow: 'os', rows: 32, ...extra };
  const t0 = Date.now();
  const { summary } = await runAccuracy(setup, { limit: N, jobs: JOBS });
  const seconds = (Date.now() - t0) / 1000;
  rows.push({ model, pe: label, attention_pe: attention, summary, seconds });
  process.stderr.write(`${model} ${label}: ${(100 * summary.top1).toFixed(2)}% (${seconds.toFixed(1)} s)\n`);
  // write as we go: an interrupted run keeps what it measured (add mode picks it up)
  writeTable();
}

function writeTable(): void {
  mkdirSync('docs', { recursive: true });
  const tmp = 'docs/accuracy.json.tmp';
  writeFileSync(tmp, JSON.stringify({ images: tableImages, rows: [...rows, ...previous.filter((p) => !rows.includes(p) && !rows.some((r) => r.model === p.model && r.pe === p.pe))] }, null, 2) + '\n');
  renameSync(tmp, 'docs/accuracy.json');
}

for (const model of models) {
  for (const pe of PES) await measure(model, pe);
  if (model === 'bcnn') await measure(model, 'fp32', { binaryPe: 'xnor' }, 'xnor (first/last fp32)');
  if (model === 'vit') {
    for (const a of ['lmul-m3', 'lmul-m4', 'lmul-bf16', 'fp8-e4m3']) await measure(model, 'fp32', { attentionPe: a }, `fp32, attention ${a}`, a);
  }
  if (!BLOCK_MODELS.includes(model)) continue;
  for (const pe of BLOCK_PES) await measure(model, pe);
  for (const l of LIMITED) await measure(model, l.pe, { peOptions: l.options }, l.label);
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const lines = [
  `Top-1 accuracy on the first ${tableImages} Fashion-MNIST test images (output-stationary order, fp32 accumulation; rows measured on fewer say so).`,
  '',
  '| model | PE | top-1 | fp32 reference | agreement with fp32 | logit rel. error |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.model} | ${r.pe} | ${pct(r.summary.top1)} | ${pct(r.summary.reference_top1)} | ${pct(r.summary.agreement)} | ${r.summary.rel_error.toExponential(2)} |${r.summary.images !== tableImages ? ` (${r.summary.images} images)` : ''}`),
];
const find = (model: string, pe: string) => rows.find((r) => r.model === model && r.pe === pe)?.summary.top1 ?? NaN;
lines.push('', 'L-Mul claims (accuracy, percentage points):', '');
for (const model of models) {
  const c1 = find(model, 'lmul-m4') - find(model, 'fp8-e4m3');
  const c2 = find(model, 'lmul-m3') - find(model, 'fp8-e5m2');
  lines.push(`- ${model}: lmul-m4 ${c1 >= 0 ? '+' : ''}${(100 * c1).toFixed(2)} pp vs fp8-e4m3; lmul-m3 ${c2 >= 0 ? '+' : ''}${(100 * c2).toFixed(2)} pp vs fp8-e5m2`);
}
writeTable();
process.stdout.write(lines.join('\n') + '\n');
