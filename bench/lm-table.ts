/**
 * The language model's accuracy table and the L-Mul paper's claims on it (README, "A language
 * model on English text"): lm-austen over the whole evaluation split of Persuasion (3,647
 * windows, 466,816 characters; or the first N) through the fp32 reference executor and every PE
 * kind in the output-stationary order, MX block formats included, plus L-Mul in the attention
 * matmuls alone; each claim an inequality with a margin, its verdict computed and compared with
 * the verdict pinned over as many windows or more (exit 1 when one flips, either way), and
 * the reference's bits per character compared with PyTorch's recorded figure over the same
 * windows (exit 1 beyond 1e-4).
 *
 * Each row runs window by window into a checkpoint (bench/lm-rows.ts), so a stopped run continues
 * where it stopped: the whole split is ~1.2 x 10^8 bit-accurate MACs per window and row, hours
 * per row on a 2-core machine. The table is written when every row asked for covers the windows.
 *
 *   npx tsx bench/lm-table.ts [--windows N] [--jobs J] [--rows id,id,...] [--state DIR] [--out FILE|-] [--report-only] [--keep FILE]
 *     defaults: the whole split, 2 jobs, every row, bench/results/lm-table/, docs/lm-accuracy.json
 *     (with --rows: no file unless --out); the reference row always runs first (agreement is
 *     measured against it); --report-only runs nothing and reports what the checkpoints hold;
 *     --keep FILE takes the rows (and the claims) this run has no checkpoint for from a table
 *     written earlier (rows rerun on one machine, the others' checkpoints on another)
 *   npm run lm-claims        (every row, the whole split)
 *   npm run lm-fp32-check    (the reference row, the whole split, against PyTorch)
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadavg } from 'node:os';
import { lmFigures } from '../models/lm/score.ts';
import type { AccuracySetup } from '../models/accuracy/task.ts';
import { recordedLmFigures, recordedLmWindows, resolveTrainedModel } from '../models/accuracy/trained.ts';
import { loadText, windowCount } from '../models/data/text.ts';
import { closePools } from '../models/parallel.ts';
import { CONTEXT, fillRow, openRow, type RowSpec, type RowState } from '../models/accuracy/text-rows.ts';

const PES = ['fp32', 'bf16', 'fp16', 'fp8-e4m3', 'fp8-e5m2', 'lmul-bf16', 'lmul-m4', 'lmul-m3', 'int8',
  'mxfp8-e4m3', 'mxfp8-e5m2', 'mxfp6-e3m2', 'mxfp6-e2m3', 'mxfp4', 'mxint8', 'nvfp4'];
const ATTENTION = ['lmul-m4', 'lmul-m3'];
export const ROWS: readonly RowSpec[] = [
  { id: 'reference', pe: '-', attentionPe: '-', reference: true },
  ...PES.map((pe) => ({ id: pe, pe, attentionPe: pe })),
  ...ATTENTION.map((a) => ({ id: `fp32+attention-${a}`, pe: 'fp32', attentionPe: a })),
];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) fail(`--${name} needs a value`);
  return v;
}
function fail(msg: string): never {
  process.stderr.write(`lm-table: ${msg}\n`);
  process.exit(2);
}
function integer(name: string, def: number, max: number): number {
  const s = option(name);
  if (s === undefined) return def;
  const v = Number(s);
  if (!Number.isInteger(v) || v < 1 || v > max) fail(`--${name} must be an integer in 1..${max}, got '${s}'`);
  return v;
}

const file = resolveTrainedModel('lm-austen');
const all = windowCount(loadText('austen').length, CONTEXT);
const N = integer('windows', all, all);
const JOBS = integer('jobs', 2, 64);
const STATE = option('state') ?? 'bench/results/lm-table';
// '-': no file (a check of some rows, e.g. `npm run lm-fp32-check`, leaves the committed table alone)
const OUT = option('out') ?? (option('rows') === undefined ? 'docs/lm-accuracy.json' : '-');
const wanted = option('rows')?.split(',') ?? ROWS.map((r) => r.id);
for (const id of wanted) if (!ROWS.some((r) => r.id === id)) fail(`unknown row '${id}'; rows: ${ROWS.map((r) => r.id).join(', ')}`);
const REPORT_ONLY = process.argv.includes('--report-only');
const KEEP = option('keep');
// every argument an option or an option's value (the old positional `lm-table.ts 16` is refused, not ignored)
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--report-only') continue;
  if (!['--windows', '--jobs', '--state', '--out', '--rows', '--keep'].includes(a)) fail(`unknown argument '${a}'`);
  i++;
}

// a table written earlier, read (and refused when it is not one) before any work
interface KeptTable { readonly rows: readonly Row[]; readonly claims: readonly Claim[] }
const kept: KeptTable | undefined = (() => {
  if (KEEP === undefined) return undefined;
  let t: Partial<KeptTable>;
  try {
    t = JSON.parse(readFileSync(KEEP, 'utf8')) as Partial<KeptTable>;
  } catch (e) {
    fail(`--keep ${KEEP}: ${(e as Error).message}`);
  }
  if (!Array.isArray(t.rows) || !Array.isArray(t.claims)) fail(`--keep ${KEEP}: not a table written by lm-table.ts (no rows or claims)`);
  return { rows: t.rows, claims: t.claims };
})();

const base: AccuracySetup = { modelFile: file, dataset: 'austen', pe: 'fp32', peOptions: {}, dataflow: 'os', rows: 32 };
const states = new Map<string, RowState>();
for (const spec of ROWS) if (wanted.includes(spec.id) || spec.reference) states.set(spec.id, openRow(STATE, spec, base));

// the reference first (every row's agreement is measured against its choices), then the rows in table order
for (const id of REPORT_ONLY ? [] : ['reference', ...wanted.filter((w) => w !== 'reference')]) {
  const state = states.get(id)!;
  const todo = state.missing(N).length;
  if (todo === 0) continue;
  const t0 = Date.now();
  let last = 0;
  process.stderr.write(`${id}: ${todo} windows to run (load ${loadavg()[0].toFixed(1)})\n`);
  await fillRow(state, base, N, JOBS, 4, (done, total) => {
    if (Date.now() - last < 30_000) return;
    last = Date.now();
    process.stderr.write(`${id}: ${done}/${total} windows, ${((Date.now() - t0) / 1000).toFixed(0)} s (load ${loadavg()[0].toFixed(1)})\n`);
  });
  const s = (Date.now() - t0) / 1000;
  process.stderr.write(`${id}: ${todo} windows in ${s.toFixed(0)} s, ${(todo * CONTEXT / s).toFixed(1)} characters/s on ${JOBS} jobs (load ${loadavg()[0].toFixed(1)})\n`);
}
await closePools();

// ---- the table, from the checkpoints: each row over the windows [0, n) it has done (n <= N) ----
const ref = states.get('reference')!;
const prefix = (s: RowState) => {
  let n = 0;
  while (n < N && s.windows.has(n)) n++;
  return n;
};
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

interface Row {
  readonly id: string;
  readonly pe: string;
  readonly attention_pe: string;
  readonly windows: number;
  readonly characters: number;
  readonly bits_per_char: number;
  readonly perplexity: number;
  readonly top1: number;
  /** next-character choices equal to the fp32 reference executor's, over the same windows */
  readonly agreement: number | null;
  /** the fp32 reference executor's bits per character over the same windows */
  readonly reference_bits_per_char: number | null;
}
const rowOf = (s: RowState, n: number): Row => {
  const t = s.totals(n), f = lmFigures(t.bits, t.hits, t.characters);
  const common = Math.min(n, prefix(ref));
  return {
    id: s.spec.id, pe: s.spec.pe, attention_pe: s.spec.attentionPe, windows: n, characters: f.characters,
    bits_per_char: f.bits_per_char, perplexity: f.perplexity, top1: f.top1, agreement: common === n && n > 0 ? s.agreement(ref, n) : null,
    reference_bits_per_char: common === n && n > 0 ? ref.totals(n).bits / (n * CONTEXT) : null,
  };
};
const has = (id: string) => states.has(id) && prefix(states.get(id)!) > 0;
// rows from the checkpoints; with --keep, the others from the earlier table, in table order
const keptIds: string[] = [];
const rows: Row[] = ROWS.flatMap((r) => {
  if (has(r.id)) return [rowOf(states.get(r.id)!, prefix(states.get(r.id)!))];
  const k = kept?.rows.find((x) => x.id === r.id);
  if (k) keptIds.push(r.id);
  return k ? [k] : [];
});

// bitweave's fp32 reference against PyTorch's recorded figure over the same windows
const refN = prefix(ref);
const torch = refN > 0 ? recordedLmFigures('lm-austen', refN) : undefined;
const refRow = rows.find((r) => r.id === 'reference');
const TOLERANCE = 1e-4;
// and window by window (bits per character of each window)
let worstWindow = 0;
const recorded = recordedLmWindows('lm-austen')!.windows;
for (let w = 0; w < refN; w++) worstWindow = Math.max(worstWindow, Math.abs(ref.windows.get(w)!.bits - recorded[2 * w]) / CONTEXT);
const pytorch = torch && refRow ? {
  windows: refN, pytorch_bits_per_char: torch.bits_per_char, bitweave_bits_per_char: refRow.bits_per_char,
  difference: refRow.bits_per_char - torch.bits_per_char, largest_window_difference: worstWindow, tolerance: TOLERANCE,
  equal: Math.abs(refRow.bits_per_char - torch.bits_per_char) <= TOLERANCE,
} : undefined;

// the paper's claims (L-Mul, Luo and Sun 2024, arXiv:2410.00907), each over the windows both rows have done
const MARGIN_BPC = 0.01;
const MARGIN_AGREE = 0.005;
interface Claim { claim: string; windows: number; measured: string; holds: boolean; pinned: boolean }
const claims: Claim[] = [];
const pair = (a: string, b: string) => {
  const sa = states.get(a), sb = states.get(b);
  if (!sa || !sb) return undefined;
  const n = Math.min(prefix(sa), prefix(sb), prefix(ref));
  return n > 0 ? { n, a: rowOf(sa, n), b: rowOf(sb, n) } : undefined;
};
// The verdicts pinned, and the windows they were measured over: a claim measured over at least
// as many windows whose verdict differs exits 1 (either way). Fewer windows are a smaller sample
// (the first 16 are the title page and opening): their verdicts are printed, not checked. When the
// claims were written down (first 16 windows) 'lmul-m3 in attention only' did not hold (+0.0141);
// over 256 and more windows it holds, and is pinned so. All six hold over the whole split (3,647
// windows, 2026-12-02), where each was measured; the pins apply from 384 windows on.
const PINNED_WINDOWS = 384;
const PINNED: Record<string, boolean> = {
  'attention-lmul-m4-bpc': true, 'attention-lmul-m3-bpc': true,
  'lmul-m4-bpc': true, 'lmul-m4-agree': true, 'lmul-m3-bpc': true, 'lmul-m3-agree': true,
};
for (const m of ATTENTION) {
  const p = pair(`fp32+attention-${m}`, 'reference');
  if (!p) continue;
  claims.push({
    claim: `${m} in attention only: bits/char <= fp32 + ${MARGIN_BPC}`, windows: p.n, holds: p.a.bits_per_char <= p.b.bits_per_char + MARGIN_BPC,
    pinned: PINNED[`attention-${m}-bpc`], measured: `${p.a.bits_per_char.toFixed(4)} vs ${p.b.bits_per_char.toFixed(4)} (${(p.a.bits_per_char - p.b.bits_per_char >= 0 ? '+' : '')}${(p.a.bits_per_char - p.b.bits_per_char).toFixed(4)})`,
  });
}
for (const [l, f] of [['lmul-m4', 'fp8-e4m3'], ['lmul-m3', 'fp8-e5m2']]) {
  const p = pair(l, f);
  if (!p) continue;
  const d = p.a.bits_per_char - p.b.bits_per_char;
  claims.push({
    claim: `${l} in every matmul: bits/char <= ${f} + ${MARGIN_BPC}`, windows: p.n, holds: d <= MARGIN_BPC, pinned: PINNED[`${l}-bpc`],
    measured: `${p.a.bits_per_char.toFixed(4)} vs ${p.b.bits_per_char.toFixed(4)} (${d >= 0 ? '+' : ''}${d.toFixed(4)})`,
  });
  claims.push({
    claim: `${l} in every matmul: agreement with fp32 >= ${f} - ${100 * MARGIN_AGREE} pp`, windows: p.n,
    holds: p.a.agreement! >= p.b.agreement! - MARGIN_AGREE, pinned: PINNED[`${l}-agree`], measured: `${pct(p.a.agreement!)} vs ${pct(p.b.agreement!)}`,
  });
}

// claims this run could not measure (a row of the pair only in the kept table): the kept table's
for (const c of kept?.claims ?? []) if (!claims.some((x) => x.claim === c.claim)) claims.push(c);

const label = (r: Row) => (r.id === 'reference' ? 'fp32 reference executor (float64 sums)' : r.pe);
const lines = [
  `lm-austen on Persuasion, windows of ${CONTEXT} characters (${all} in the split), output-stationary order, each PE's own accumulator` +
    ` (fp32; int32 for int8); int8 and the block formats scaled per token (models/exec/token-scales.ts).`,
  pytorch ? `fp32 reference vs PyTorch (recorded), ${pytorch.windows} windows: ${pytorch.bitweave_bits_per_char.toFixed(8)} vs ${pytorch.pytorch_bits_per_char.toFixed(8)} bits/char` +
    ` (difference ${pytorch.difference.toExponential(2)}; largest per window ${pytorch.largest_window_difference.toExponential(2)}; tolerance ${TOLERANCE}: ${pytorch.equal ? 'equal' : 'NOT EQUAL'})` : 'fp32 reference: no windows done',
  '',
  '| PE (linear layers) | attention matmuls | windows | bits / char | fp32 reference, same windows | perplexity | next-char top-1 | agreement with fp32 |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${label(r)} | ${r.attention_pe === '-' ? 'fp32' : r.attention_pe} | ${r.windows.toLocaleString('en-US')} | ${r.bits_per_char.toFixed(4)} | ` +
    `${r.reference_bits_per_char === null ? '—' : r.reference_bits_per_char.toFixed(4)} | ${r.perplexity.toFixed(3)} | ${pct(r.top1)} | ${r.agreement === null ? '—' : pct(r.agreement)} |`),
  '',
  '| claim | windows | measured | verdict |',
  '|---|---|---|---|',
  ...claims.map((c) => `| ${c.claim} | ${c.windows.toLocaleString('en-US')} | ${c.measured} | ${c.holds ? 'holds' : 'does not hold'} |`),
];
const command = `npx tsx bench/lm-table.ts ${process.argv.slice(2).join(' ')}`.trim();
const json = {
  command,
  // the rows' windows were computed by earlier runs into the checkpoints; this reruns any of them
  reproduce: 'npm run lm-claims (every row over the whole split, resuming from bench/results/lm-table/), or npx tsx bench/lm-table.ts --windows N for the first N',
  model: 'lm-austen', dataset: 'austen', split_windows: all, context: CONTEXT, goal_windows: N,
  order: { dataflow: base.dataflow, rows: base.rows },
  int8_quantization: 'symmetric, no zero point, per token (models/exec/token-scales.ts): activations max|x| / 127 per position (row), weights max|w| / 127 per tensor; Q per query, K per key, V per key folded into the attention weights (A diag(s), fp32) before they are scaled per query',
  block_quantization: 'per token (models/exec/token-scales.ts): each query multiplies V in blocks over the keys up to its own position (the block of its position cut there); NVFP4\'s FP32 scale per row of activations and Q, per key of K^T, per channel of V over the keys the query reads, per tensor of weights',
  ...(keptIds.length > 0 && { kept_from: { file: KEEP, rows: keptIds } }),
  pytorch, rows, claims, pinned_windows: PINNED_WINDOWS, margins: { bits_per_char: MARGIN_BPC, agreement: MARGIN_AGREE },
};
if (OUT !== '-') {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(`${OUT}.tmp`, JSON.stringify(json, null, 2) + '\n');
  renameSync(`${OUT}.tmp`, OUT);
}
process.stdout.write(lines.join('\n') + '\n');
const flipped = claims.filter((c) => c.windows >= PINNED_WINDOWS && c.holds !== c.pinned);
if (flipped.length > 0) {
  process.stderr.write(`verdicts changed: ${flipped.map((c) => `'${c.claim}' now ${c.holds ? 'holds' : 'does not hold'}`).join('; ')}\n`);
  process.exitCode = 1;
}
if (pytorch && !pytorch.equal) {
  process.stderr.write(`fp32 reference differs from PyTorch by ${pytorch.difference} bits/char over ${pytorch.windows} windows (tolerance ${TOLERANCE})\n`);
  process.exitCode = 1;
}
