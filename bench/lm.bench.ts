/**
 * The language model's functional path: characters of Persuasion evaluated per second per PE
 * kind on 1 and 2 worker threads (each window is 128 characters and 1.2 x 10^8 MACs), beside
 * the plain fp32 reference executor in the same run; the time the whole evaluation split
 * (3,647 windows) would take on fp8-e4m3 with 2 workers at the measured rate (the issue's
 * target: under 60 s); and KV-cache decoding against recomputing the window for each token.
 *
 *   npx tsx bench/lm.bench.ts [windows]
 */
import { runAccuracy } from '../models/accuracy/run.ts';
import type { AccuracySetup } from '../models/accuracy/task.ts';
import { loadGraph } from '../models/accuracy/task.ts';
import { resolveTrainedModel } from '../models/accuracy/trained.ts';
import { evaluateText } from '../models/accuracy/text.ts';
import { fp32Backend } from '../models/exec/backends.ts';
import { executeGraph } from '../models/exec/executor.ts';
import { loadText, windowCount, windowTokens } from '../models/data/text.ts';
import { KvDecoder, planDecoder } from '../models/lm/decoder.ts';
import { printTable } from '../cli/io.ts';
import { fmt } from './timing.ts';

const PES = ['fp32', 'bf16', 'fp16', 'fp8-e4m3', 'fp8-e5m2', 'lmul-bf16', 'lmul-m4', 'lmul-m3', 'int8'];
const T = 128;

export async function printLmBench(windows = 4): Promise<void> {
  const file = resolveTrainedModel('lm-austen');
  const g = loadGraph(file);
  const text = loadText('austen');
  const chars = windows * T;
  const setup = (pe: string): AccuracySetup => ({ modelFile: file, dataset: 'austen', pe, peOptions: {}, dataflow: 'os', rows: 32 });
  evaluateText(g, text, 0, 1, { array: fp32Backend }, false);
  let t0 = performance.now();
  evaluateText(g, text, 0, windows, { array: fp32Backend }, false);
  const plain = chars / ((performance.now() - t0) / 1000);
  const rows: string[][] = [];
  const rates = new Map<string, number>();
  for (const pe of PES) {
    const rate: number[] = [];
    for (const jobs of [1, 2]) {
      t0 = performance.now();
      await runAccuracy(setup(pe), { limit: windows, jobs, chunk: 1, reference: false });
      rate.push(chars / ((performance.now() - t0) / 1000));
    }
    rates.set(pe, rate[1]);
    rows.push([pe, fmt(rate[0]), fmt(rate[1]), fmt(rate[1] / rate[0], 2), fmt(plain / rate[0], 2)]);
  }
  process.stdout.write(`\n## Language model on Persuasion (${windows} windows, ${chars} characters)\n` +
    `plain fp32 executor: ${fmt(plain)} characters/s (1 thread)\n\n`);
  printTable(['PE kind', 'chars/s, 1 worker', 'chars/s, 2 workers', '2-worker speedup', 'x slower than plain fp32 (1 worker)'], rows);
  const all = windowCount(text.length, T) * T;
  const e4m3 = rates.get('fp8-e4m3')!;
  process.stdout.write(`\nwhole evaluation split (${all} characters) on fp8-e4m3 with 2 workers, at the rate measured above: ` +
    `${fmt(all / e4m3, 0)} s (target < 60 s; projected from ${windows} windows, not run whole)\n`);

  // one token at a time: the cache against a full window recompute per token
  const plan = planDecoder(g);
  const tokens = windowTokens(text, 10, T);
  const STEPS = 16, PREFILL = T - STEPS;
  t0 = performance.now();
  const dec = new KvDecoder(plan);
  dec.feed(tokens.subarray(0, PREFILL));
  const tp = performance.now();
  for (let p = PREFILL; p < T; p++) dec.feed(tokens.subarray(p, p + 1));
  const cached = (performance.now() - tp) / STEPS;
  t0 = performance.now();
  for (let p = 0; p < 4; p++) executeGraph(g, { tokens });
  const full = (performance.now() - t0) / 4;
  process.stdout.write(`KV-cache decode, fp32 reference: ${fmt(cached, 1)} ms per token (after a ${PREFILL}-character prefill) vs ` +
    `${fmt(full, 1)} ms per full-window recompute: ${fmt(full / cached, 1)}x\n`);
}

if (process.argv[1]?.endsWith('lm.bench.ts')) await printLmBench(Number(process.argv[2] ?? 4));
