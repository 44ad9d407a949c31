/**
 * The language model's accuracy table and the L-Mul paper's claims on it (README, "A language
 * model on English text"): lm-austen on the first N windows of Persuasion (default 16: 2,048
 * characters) through every PE kind in the output-stationary order, plus L-Mul in the attention
 * matmuls alone; each claim an inequality with a margin, its verdict computed and compared with
 * the verdict pinned when the claim was written down (exit 1 when one flips, either way).
 * Slow (each window is 1.2 x 10^8 MACs per PE kind): run by hand or by `npm run lm-claims`.
 *
 *   npx tsx bench/lm-table.ts [N] [jobs]   -> stdout (markdown) and docs/lm-accuracy.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { runAccuracy } from '../models/accuracy/run.ts';
import type { AccuracySetup } from '../models/accuracy/task.ts';
import { recordedLmFigures, resolveTrainedModel } from '../models/accuracy/trained.ts';
import type { TextChunk } from '../models/accuracy/text.ts';

const N = Number(process.argv[2] ?? 16);
const JOBS = Number(process.argv[3] ?? 2);
const PES = ['fp32', 'bf16', 'fp16', 'fp8-e4m3', 'fp8-e5m2', 'lmul-bf16', 'lmul-m4', 'lmul-m3', 'int8'];
const ATTENTION = ['lmul-m4', 'lmul-m3'];

interface Row {
  readonly label: string;
  readonly pe: string;
  readonly attention_pe: string;
  readonly bits_per_char: number;
  readonly perplexity: number;
  readonly top1: number;
  /** next-character choices equal to the fp32 reference executor's */
  readonly agreement: number;
  readonly seconds: number;
}

const file = resolveTrainedModel('lm-austen');
const base: AccuracySetup = { modelFile: file, dataset: 'austen', pe: 'fp32', peOptions: {}, dataflow: 'os', rows: 32 };

// the fp32 reference executor once (with the fp32 PE beside it); every PE run is compared with its choices
let t0 = Date.now();
const refRun = await runAccuracy(base, { limit: N, jobs: JOBS });
const ref: TextChunk = refRun.text!;
const refSummary = refRun.summary.language!;
const rows: Row[] = [{
  label: 'fp32 reference executor', pe: '-', attention_pe: '-', bits_per_char: refSummary.reference_bits_per_char,
  perplexity: refSummary.reference_perplexity, top1: refRun.summary.reference_top1, agreement: 1, seconds: (Date.now() - t0) / 1000,
}];
const agreementWithRef = (c: TextChunk) => {
  let same = 0;
  for (let i = 0; i < c.choices.length; i++) if (c.choices[i] === ref.refChoices[i]) same++;
  return same / c.choices.length;
};
const row = (label: string, pe: string, attention: string, c: TextChunk, s: { language?: { bits_per_char: number; perplexity: number }; top1: number }, seconds: number): Row => ({
  label, pe, attention_pe: attention, bits_per_char: s.language!.bits_per_char, perplexity: s.language!.perplexity, top1: s.top1,
  agreement: agreementWithRef(c), seconds,
});
rows.push(row('fp32', 'fp32', 'fp32', ref, refRun.summary, rows[0].seconds));
process.stderr.write(`reference: ${refSummary.reference_bits_per_char} bits/char (${rows[0].seconds} s)\n`);

async function measure(pe: string, attention?: string): Promise<void> {
  t0 = Date.now();
  const r = await runAccuracy({ ...base, pe, ...(attention && { attentionPe: attention }) }, { limit: N, jobs: JOBS, reference: false });
  const label = attention ? `fp32, attention ${attention}` : pe;
  rows.push(row(label, pe, attention ?? pe, r.text!, r.summary, (Date.now() - t0) / 1000));
  process.stderr.write(`${label}: ${r.summary.language!.bits_per_char} bits/char (${(Date.now() - t0) / 1000} s)\n`);
}
for (const pe of PES.slice(1)) await measure(pe);
for (const a of ATTENTION) await measure('fp32', a);

const by = (label: string): Row => rows.find((r) => r.label === label)!;
const MARGIN_BPC = 0.01;
const MARGIN_AGREE = 0.005;
const ref32 = by('fp32 reference executor');
const claims: { claim: string; holds: boolean; pinned: boolean; numbers: string }[] = [];
const claim = (text: string, holds: boolean, pinned: boolean, numbers: string) => claims.push({ claim: text, holds, pinned, numbers });
// pinned: the verdicts measured on the first 16 windows when the claims were written down (README)
// (16 windows: lmul-m4 attention +0.0058 bits/char, lmul-m3 attention +0.0141: the latter does not hold)
const PINNED_ATTENTION: Record<string, boolean> = { 'lmul-m4': true, 'lmul-m3': false };
for (const m of ATTENTION) {
  const a = by(`fp32, attention ${m}`);
  claim(`${m} in attention only: bits/char <= fp32 + ${MARGIN_BPC}`, a.bits_per_char <= ref32.bits_per_char + MARGIN_BPC, PINNED_ATTENTION[m],
    `${a.bits_per_char.toFixed(4)} vs ${ref32.bits_per_char.toFixed(4)}`);
}
const pairs: [string, string, boolean, boolean][] = [['lmul-m4', 'fp8-e4m3', true, true], ['lmul-m3', 'fp8-e5m2', true, true]];
for (const [l, f, pinBpc, pinAgree] of pairs) {
  const a = by(l), b = by(f);
  claim(`${l} in every matmul: bits/char <= ${f} + ${MARGIN_BPC}`, a.bits_per_char <= b.bits_per_char + MARGIN_BPC, pinBpc,
    `${a.bits_per_char.toFixed(4)} vs ${b.bits_per_char.toFixed(4)}`);
  claim(`${l} in every matmul: agreement with fp32 >= ${f} - ${100 * MARGIN_AGREE} pp`, a.agreement >= b.agreement - MARGIN_AGREE, pinAgree,
    `${(100 * a.agreement).toFixed(2)}% vs ${(100 * b.agreement).toFixed(2)}%`);
}

const torch = recordedLmFigures('lm-austen', N);
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const lines = [
  `lm-austen on the first ${N} windows of Persuasion (${N * 128} characters), output-stationary order, each PE's own accumulator` +
    ` (fp32; int32 for int8, whose operands are scaled per tensor: activations by max|x| / 127 over the window, weights per tensor).` +
    (torch ? ` PyTorch (recorded): ${torch.bits_per_char.toFixed(6)} bits/char.` : ''),
  '',
  '| PE (linear layers) | attention matmuls | bits / char | perplexity | next-char top-1 | agreement with fp32 |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.label === 'fp32 reference executor' ? 'fp32 reference executor (float64 sums)' : r.pe} | ${r.attention_pe} | ${r.bits_per_char.toFixed(4)} | ${r.perplexity.toFixed(3)} | ${pct(r.top1)} | ${pct(r.agreement)} |`),
  '',
  '| claim | measured | verdict |',
  '|---|---|---|',
  ...claims.map((c) => `| ${c.claim} | ${c.numbers} | ${c.holds ? 'holds' : 'does not hold'} |`),
];
mkdirSync('docs', { recursive: true });
writeFileSync('docs/lm-accuracy.json', JSON.stringify({ windows: N, characters: N * 128, rows, claims }, null, 2) + '\n');
process.stdout.write(lines.join('\n') + '\n');
const flipped = claims.filter((c) => c.holds !== c.pinned);
if (flipped.length > 0) {
  process.stderr.write(`verdicts changed: ${flipped.map((c) => `'${c.claim}' now ${c.holds ? 'holds' : 'does not hold'}`).join('; ')}\n`);
  process.exitCode = 1;
}
