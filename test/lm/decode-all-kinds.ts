/**
 * KV-cache decode against a full recompute of the window, for every PE kind of the accuracy
 * table (`npm run lm-decode-check`; ~4 s per kind, too slow for `npm test`, which tests four
 * kinds in test/lm/decoder.test.ts). A window of Persuasion, a prefill of 100 characters, then 28
 * single-token steps; per kind: how many logits differ from the full run's, at which positions,
 * and how many next-character choices agree.
 *
 * What each kind must show, from how it quantizes (not from a measured run): every logit bit for
 * bit. Float and L-Mul kinds scale nothing by data; int8 (like every integer kind) scales per
 * token in a language model, and the block formats (MX, NVFP4) take each query's value blocks
 * over the keys it reads and NVFP4's FP32 scale per token (models/exec/token-scales.ts): a masked
 * score is -inf, its weight 0, its products 0, its scale unused; no GEMM output's order of
 * additions depends on the row count.
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
  // every position must be bit for bit (every kind's scales are per token or none)
  const exactBefore = T;
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
