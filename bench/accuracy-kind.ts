/**
 * One PE kind's functional-path rates on the trained CNN, in a process of its own (run by
 * bench/accuracy.bench.ts through bench/isolate.ts; V8 shares optimized code between the
 * kinds of one process, so a kind is timed as a simulation run sees it: alone).
 *
 * Both threads are warmed first, as in any run of more than a few images: this thread on the
 * plain fp32 executor and on the kind, the worker pool (models/parallel.ts: started once per
 * process, its PE tables and weights built) on a short 2-job run. Then, `reps` times, in
 * alternation: the plain fp32 executor, the kind on 1 job, the kind on 2 jobs (this thread and
 * one warm worker), all on the same images, without the fp32 reference (the PE path alone).
 * Prints one JSON line: the median M MAC/s of each and the load average.
 *
 *   npx tsx bench/accuracy-kind.ts fp8-e4m3 [images=400] [reps=5]
 */
import { loadavg } from 'node:os';
import { runAccuracy } from '../models/accuracy/run.ts';
import { closePools } from '../models/parallel.ts';
import type { AccuracySetup } from '../models/accuracy/task.ts';
import { resolveTrainedModel, trainedMetrics } from '../models/accuracy/trained.ts';
import { evaluateImages } from '../models/accuracy/evaluate.ts';
import { loadGraph } from '../models/accuracy/task.ts';
import { loadFmnist, normalizeImages } from '../models/data/fmnist.ts';
import { fp32Backend } from '../models/exec/backends.ts';

export interface KindRates {
  readonly pe: string;
  readonly images: number;
  readonly reps: number;
  /** M MAC/s, medians */
  readonly plain: number;
  readonly one: number;
  readonly two: number;
  /** process CPU seconds (all threads) of the median-rate runs, 1 and 2 jobs: their ratio is what 2 jobs cost beyond 1 */
  readonly cpuOne: number;
  readonly cpuTwo: number;
  /** CPUs the 2-job runs got on average (under 2: other processes had the cores) */
  readonly cpusTwo: number;
  /**
   * 2 jobs / 1 job within each repetition (the two runs seconds apart), median and range: the
   * machine's speed drifts by tens of percent over a minute, which a ratio of two medians of
   * runs spread over the minute carries and a ratio of neighbours mostly cancels
   */
  readonly pairRatio: { readonly median: number; readonly min: number; readonly max: number };
  /**
   * the fastest repetition of each, M MAC/s: the run least disturbed by the other tenants of a
   * shared machine (the minimum time is what the code costs; longer times add interference,
   * which on this 2-vCPU VM moves single runs by 20-30%)
   */
  readonly bestOne: number;
  readonly bestTwo: number;
  readonly load: number;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

export async function kindRates(pe: string, images: number, reps: number): Promise<KindRates> {
  const macs = trainedMetrics().cnn?.macs_per_image;
  if (macs === undefined) throw new Error('no trained CNN metrics');
  const file = resolveTrainedModel('cnn');
  const setup: AccuracySetup = { modelFile: file, dataset: 'fmnist', pe, peOptions: {}, dataflow: 'os', rows: 32 };
  const g = loadGraph(file);
  const imgs = normalizeImages(loadFmnist({ limit: images }), 0, images);
  const rate = (ms: number) => (images * macs) / (ms / 1000) / 1e6;
  const plainRun = () => {
    const t0 = performance.now();
    evaluateImages(g, imgs, images, { array: fp32Backend }, false);
    return rate(performance.now() - t0);
  };
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const cpus: Record<number, number[]> = { 1: [], 2: [] }, walls: Record<number, number[]> = { 1: [], 2: [] };
  const run = async (jobs: number, limit = images) => {
    const c0 = cpu(), t0 = performance.now();
    await runAccuracy(setup, { limit, jobs, reference: false });
    const ms = performance.now() - t0;
    cpus[jobs]?.push(cpu() - c0);
    walls[jobs]?.push(ms / 1000);
    return rate(ms);
  };
  // warm-up: both threads, both paths
  plainRun();
  await run(1, Math.min(images, 100));
  await run(2, Math.min(images, 200));
  cpus[1].length = cpus[2].length = walls[1].length = walls[2].length = 0;
  const plain: number[] = [], one: number[] = [], two: number[] = [];
  for (let r = 0; r < reps; r++) {
    plain.push(plainRun());
    one.push(await run(1));
    two.push(await run(2));
  }
  await closePools();
  const pairs = one.map((o, r) => two[r] / o);
  return {
    pe, images, reps, plain: median(plain), one: median(one), two: median(two),
    cpuOne: median(cpus[1]), cpuTwo: median(cpus[2]), cpusTwo: median(cpus[2]) / median(walls[2]), load: loadavg()[0],
    pairRatio: { median: median(pairs), min: Math.min(...pairs), max: Math.max(...pairs) },
    bestOne: Math.max(...one), bestTwo: Math.max(...two),
  };
}

if (process.argv[1]?.endsWith('accuracy-kind.ts')) {
  const [pe = 'fp8-e4m3', images = '400', reps = '5'] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(await kindRates(pe, Number(images), Number(reps))) + '\n');
}
