/**
 * KV-cache decode against a full recompute of the window, for every PE kind of the accuracy
 * table (`npm run lm-decode-check`; ~4 s per kind, too slow for `npm test`, which tests four
 * kinds in test/lm/decoder.test.ts). A window of Persuasion, a prefill of 100 characters, then 28
 * single-token steps; per kind: how many logits differ from the full run's, at which positions,
 * and how many next-character choices agree.
 *
 * What each kind must show, from how it quantizes (not from a measured run):
 * - float and L-Mul kinds scale nothing by data, and int8 (like every integer kind) scales per
 *   token in a language model (models/exec/token-scales.ts): every logit bit for bit (a masked
 *   score is -inf, its weight 0, its products 0, its scale unused; no GEMM output's order of
 *   additions depends on the row count);
 * - MX kinds scale blocks of 32 along K. In A x V, K is the keys: in the full run a block of V
 *   holds later keys too (their weights are 0, but their values set the block's scale), in the
 *   cache only the keys fed so far. Every other block is within one position (a row of
 *   activations, a row of Q, a column of K^T, a query's weights over 32 keys, whose later keys
 *   are exactly 0 in both runs). So positions before the first block the prefill leaves
 *   incomplete (floor(100 / 32) * 32 = 96) are bit for bit, and later ones may differ;
 * - NVFP4 (an FP32 scale per tensor) reads every position of the window, later ones included,
 *   into the scale of each: no position is guaranteed, and the full-window figure is itself not
 *   causal (a position's logits depend on the characters after it through that scale).
 * Exits 1 when a kind breaks what it must show; prints the agreement of the others.
 *
 *   npx tsx test/lm/decode-all-kinds.ts [pe ...]
 */
import { argmax } from '../../models/accuracy/evaluate.ts';
import { loadGraph } from '../../models/accuracy/task.ts';
import { resolveTrainedModel } from '../../models/accuracy/trained.ts';
import { loadText, windowTokens } from '../../models/data/text.ts';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { executeGraph } from '../../models/exec/executor.ts';
import { KvDecoder, planDecoder } from '../../models/lm/decoder.ts';
import { getPe } from '../../sim/pe/registry.ts';

const KINDS = ['fp32', 'bf16', 'fp16', 'fp8-e4m3', 'fp8-e5m2', 'lmul-bf16', 'lmul-m4', 'lmul-m3', 'int8',
  'mxfp8-e4m3', 'mxfp8-e5m2', 'mxfp6-e3m2', 'mxfp6-e2m3', 'mxfp4', 'mxint8', 'nvfp4'];
const T = 128, V = 128, PREFILL = 100, WINDOW = 40;

const g = loadGraph(resolveTrainedModel('lm-austen'));
const plan = planDecoder(g);
const tokens = windowTokens(loadText('austen'), WINDOW, T);
let failed = 0;
for (const name of process.argv.length > 2 ? process.argv.slice(2) : KINDS) {
  const pe = getPe(name);
  const opts = { array: arrayBackend(pe, { dataflow: 'os', rows: 32 }) };
  // a language model's full run scales per token, as the decoder does
  const full = executeGraph(g, { tokens }, { ...opts, tokenScales: true }).get('logits')!;
  const dec = new KvDecoder(plan, opts);
  const out = new Float32Array(T * V);
  out.set(dec.feed(tokens.subarray(0, PREFILL)), 0);
  for (let p = PREFILL; p < T; p++) out.set(dec.feed(tokens.subarray(p, p + 1)), p * V);
  let differing = 0, firstPosition = -1, same = 0;
  for (let p = 0; p < T; p++) {
    let d = 0;
    for (let i = p * V; i < (p + 1) * V; i++) if (!Object.is(out[i], full[i])) d++;
    if (d > 0 && firstPosition < 0) firstPosition = p;
    differing += d;
    if (argmax(out, p * V, V) === argmax(full, p * V, V)) same++;
  }
  // positions that must be bit for bit: all (no data-dependent scale, or per token), those before
  // the first incomplete block of keys (block formats without a tensor scale), none (NVFP4)
  const block = pe.block?.input.block;
  const exactBefore = !pe.block ? T
    : block && block.kind === 'mx' ? Math.floor(PREFILL / block.blockSize) * block.blockSize : 0;
  const ok = firstPosition < 0 || firstPosition >= exactBefore;
  if (!ok) failed++;
  process.stdout.write(`${name.padEnd(11)} logits differing: ${String(differing).padStart(5)} of ${T * V}` +
    `${firstPosition >= 0 ? `, from position ${firstPosition}` : ''}; bit for bit required before position ${exactBefore}: ${ok ? 'yes' : 'NO'}; ` +
    `same next-character choice at ${same} of ${T} positions\n`);
}
if (failed > 0) {
  process.stderr.write(`${failed} kind(s) differ where the cache must equal the full run\n`);
  process.exitCode = 1;
}
