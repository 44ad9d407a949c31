/**
 * An accuracy run over a test set: the images split into ranges, run inline (one job) or on
 * a worker-thread pool; results are assembled in image order, so they do not depend on jobs.
 */
import { workerModule, workerExecArgv } from '../package-files.ts';
import { InputError } from '../../sim/errors.ts';
import { concatChunks, summarize, type AccuracySummary, type ChunkResult } from './evaluate.ts';
import { loadDataset, loadGraph, runAccuracyTask, type AccuracySetup, type AccuracyTask } from './task.ts';
import { getFormat } from '../../sim/pe/formats.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { hasWeights } from '../graph.ts';
import { isBinaryNode } from '../operators.ts';

export interface AccuracyRunOptions {
  /** first `limit` images of the set (default: all) */
  readonly limit?: number;
  readonly jobs?: number;
  /** images per task */
  readonly chunk?: number;
  /** run the fp32 reference beside the PE (default true; benchmarks turn it off) */
  readonly reference?: boolean;
  /** called as ranges of images finish: images done so far, of the total */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface AccuracyRun {
  readonly summary: AccuracySummary;
  readonly result: ChunkResult;
}

const workerFile = workerModule('models/accuracy/worker');

/** Everything a worker would refuse, refused here first (errors from workers lose their type). */
function checkSetup(setup: AccuracySetup): void {
  getPe(setup.pe, setup.peOptions);
  if (setup.attentionPe !== undefined) getPe(setup.attentionPe, setup.peOptions);
  if (setup.binaryPe !== undefined) getPe(setup.binaryPe);
  if (setup.psum !== undefined) getFormat(setup.psum);
  const g = loadGraph(setup.modelFile);
  if (!hasWeights(g)) throw new InputError(`model ${setup.modelFile} has no weights: accuracy needs a trained model`);
  if (setup.binaryPe !== undefined && !g.nodes.some(isBinaryNode)) {
    throw new InputError(`model ${setup.modelFile} has no binary layers for the ${setup.binaryPe} PE`);
  }
}

export async function runAccuracy(setup: AccuracySetup, opts: AccuracyRunOptions = {}): Promise<AccuracyRun> {
  const data = loadDataset(setup.dataset);
  checkSetup(setup);
  const n = opts.limit ?? data.count;
  if (!Number.isInteger(n) || n < 1 || n > data.count) {
    throw new InputError(`--limit must be an integer in 1..${data.count}, got ${opts.limit}`);
  }
  const jobs = opts.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) throw new InputError(`--jobs must be a positive integer, got ${jobs}`);
  const chunk = opts.chunk ?? Math.max(1, Math.min(250, Math.ceil(n / (4 * jobs))));
  const tasks: AccuracyTask[] = [];
  for (let start = 0; start < n; start += chunk) {
    tasks.push({ ...setup, start, count: Math.min(chunk, n - start), reference: opts.reference ?? true });
  }
  let chunks: ChunkResult[];
  let done = 0;
  const finished = (t: AccuracyTask) => {
    done += t.count;
    opts.onProgress?.(done, n);
  };
  if (jobs === 1) {
    chunks = [];
    for (const t of tasks) {
      chunks.push(runAccuracyTask(t));
      finished(t);
      // let timers (a progress bar's redraw) run between ranges
      if (opts.onProgress) await new Promise((resolve) => setImmediate(resolve));
    }
  } else {
    const { Piscina } = await import('piscina');
    const pool = new Piscina({
      filename: workerFile, minThreads: jobs, maxThreads: jobs, execArgv: workerExecArgv(workerFile),
    });
    try {
      chunks = await Promise.all(tasks.map(async (t) => {
        const c = (await pool.run(t)) as ChunkResult;
        finished(t);
        return c;
      }));
    } finally {
      await pool.destroy();
    }
  }
  const result = concatChunks(chunks);
  return { summary: summarize(result, data.labels.subarray(0, n)), result };
}
