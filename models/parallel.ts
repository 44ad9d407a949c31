/**
 * Tasks shared between this thread and the worker threads of a warm pool (piscina), pulling
 * from one queue: `jobs` threads in all, this one included. Used by accuracy runs
 * (models/accuracy/run.ts). (Sweeps keep their own pool, sweep/runner.ts: a point can time
 * out, and only a worker can be stopped.)
 *
 * Why this shape (issue 21, measured with `node --cpu-prof` and bench/accuracy.bench.ts):
 * - with one job nothing is started: the tasks run here, as a plain loop would run them;
 * - with more, this thread works too, so the pool's start-up (a worker loads the code, and
 *   TypeScript through tsx when run from source) overlaps useful work instead of preceding it;
 * - pools are kept per (module, size) for the life of the process (their threads are unref'd
 *   when idle, so they never keep it alive): the second accuracy run of a table finds its
 *   workers started and their caches (models, PEs, tables) warm;
 * - each worker holds two tasks, so it starts its next one while this thread is busy with its
 *   own (a result message waits for this thread's event loop; the next task does not).
 * Results come back by task index, so they never depend on `jobs` or on timing.
 */
import type { Piscina } from 'piscina';
import { workerExecArgv } from './package-files.ts';

export interface SharedRunOptions<T, R> {
  readonly jobs: number;
  /** module whose default export runs one task in a worker */
  readonly workerFile: string;
  /** runs one task on this thread (the same function the worker module exports) */
  readonly local: (task: T) => R | Promise<R>;
  /** called on this thread as each task finishes, in completion order */
  readonly onResult?: (task: T, result: R, index: number) => void;
  /** worker heap limits */
  readonly resourceLimits?: { readonly maxYoungGenerationSizeMb?: number };
}

const pools = new Map<string, Promise<Piscina>>();

/** The process's pool of `threads` workers running `workerFile`, started on first use. */
export function warmPool(
  workerFile: string, threads: number,
  // the young generation's size: 32 MB (128 MB while a task allocated its typed arrays fresh;
  // with outputs pooled, exec/output-pool.ts, two large nurseries only crowd the caches the
  // threads share: int8 2 jobs / 1 job 1.74x, 1.78x at 128 MB, 1.90x, 1.89x at 32 MB, session 6)
  resourceLimits: SharedRunOptions<unknown, unknown>['resourceLimits'] = { maxYoungGenerationSizeMb: 32 },
): Promise<Piscina> {
  const key = `${workerFile}\0${threads}\0${JSON.stringify(resourceLimits ?? {})}`;
  let p = pools.get(key);
  if (!p) {
    p = import('piscina').then(({ Piscina }) => new Piscina({
      filename: workerFile, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 2,
      // piscina's default ('sync': an idle worker blocks in Atomics.wait, this thread reads
      // answers it knows of synchronously) delays this thread's 'message' event for an answer
      // by one of its own tasks: a worker's result was seen only after this thread's next task,
      // so the worker ran out of queued tasks and idled 10-20% of a 2-job run (session 7,
      // timelines of each task). With the event loop's messages an answer is seen at this
      // thread's next yield, between its tasks.
      atomics: 'disabled',
      execArgv: workerExecArgv(workerFile), ...(resourceLimits && { resourceLimits }),
    }));
    pools.set(key, p);
  }
  return p;
}

/** Closes every warm pool (tests and long-lived hosts that want their threads back). */
export async function closePools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map(async (p) => (await p).destroy()));
}

/**
 * Runs every task once; the outcome of task i at index i (a task that throws is 'rejected' and
 * the others still run, so a caller can keep what finished).
 */
export async function runShared<T, R>(tasks: readonly T[], opts: SharedRunOptions<T, R>): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = new Array(tasks.length);
  let next = 0;
  const settle = (i: number, r: R) => {
    out[i] = { status: 'fulfilled', value: r };
    opts.onResult?.(tasks[i], r, i);
  };
  const here = async () => {
    while (next < tasks.length) {
      const i = next++;
      try {
        settle(i, await opts.local(tasks[i]));
      } catch (e) {
        out[i] = { status: 'rejected', reason: e };
      }
      // let worker results, progress bars and writes through between tasks
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const workers = opts.jobs - 1;
  if (workers < 1 || tasks.length < 2) {
    await here();
    return out;
  }
  const pool = await warmPool(opts.workerFile, workers, opts.resourceLimits);
  const there = async () => {
    while (next < tasks.length) {
      const i = next++;
      try {
        settle(i, (await pool.run(tasks[i])) as R);
      } catch (e) {
        out[i] = { status: 'rejected', reason: e };
      }
    }
  };
  // two feeders per worker (each worker always holds its next task), started before this
  // thread takes its first task: their tasks wait in the pool while the workers start
  const feeders = Array.from({ length: 2 * workers }, there);
  await Promise.all([...feeders, here()]);
  return out;
}
