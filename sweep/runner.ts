/**
 * Runs a sweep's points on a worker-thread pool (piscina) and streams each result to
 * `results.jsonl` as one line, written with a single write() the moment the point is done.
 * A process killed at any moment therefore loses no finished point; the only damage it can
 * leave is a final line without its newline, which `--resume` cuts off before it continues.
 * When every point has run, `results.jsonl` is rewritten in point order (one line per point)
 * and `results.csv` from it, both atomically: the same sweep gives the same bytes, whatever
 * the number of workers and however often it was resumed.
 *
 * A results folder belongs to one sweep: `sweep.json` records the sweep's identity (a hash of
 * its expanded points) and `--resume` on a folder of another sweep is refused; `sweep.lock`
 * (sweep/lock.ts) admits one writer at a time. A point that runs longer than the point
 * timeout is recorded as failed and its worker is stopped, so one stuck point cannot block
 * the sweep.
 */
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { workerExecArgv, workerModule } from '../models/package-files.ts';
import { InputError } from '../sim/errors.ts';
import { limitOverrides } from '../sim/limits.ts';
import { checkOutputDir, writeFileAtomic } from '../models/io/output-files.ts';
import { acquireLock } from './lock.ts';
import { pointResultLine } from './point.ts';
import {
  latestPerPoint, readResults, readSweepMeta, writeResultsCsv, writeSweepMeta, RESULTS_JSONL, type ResultLine,
} from './results.ts';
import type { SweepPoint, SweepSpec } from './spec.ts';

export interface SweepRunOptions {
  readonly outDir: string;
  readonly jobs: number;
  readonly resume: boolean;
  /** the points to run (a shard of the spec, or all) */
  readonly points: readonly SweepPoint[];
  /** module whose default export runs one point: (point) => ResultLine (default: sweep/worker) */
  readonly workerFile?: string;
  readonly onDone?: (line: ResultLine, done: number, total: number) => void;
  /** the shard this run is ("i/n"), recorded in sweep.json */
  readonly shard?: string;
  /** seconds a point may run before it is recorded as failed and its worker stopped */
  readonly pointTimeoutS?: number;
}

export interface SweepSummary {
  readonly total: number;
  readonly skipped: number;
  readonly ran: number;
  readonly failed: number;
}

/** results.jsonl rewritten with one line per point, in point order (atomically). */
function compactResults(file: string, keep: (line: ResultLine) => boolean): ResultLine[] {
  const lines = latestPerPoint(readResults(file)).filter(keep);
  writeFileAtomic(file, lines.map((l) => JSON.stringify(l) + '\n').join(''));
  return lines;
}

/**
 * Refuses to resume into a folder of another sweep (or another shard of this one): its
 * sweep.json must name this sweep, and every line in it must be a point of this sweep.
 */
function checkSameSweep(spec: SweepSpec, opts: SweepRunOptions, jsonl: string): void {
  const meta = readSweepMeta(opts.outDir);
  const shard = opts.shard ?? null;
  if (meta?.sweep_id !== undefined && meta.sweep_id !== spec.id) {
    throw new InputError(
      `${opts.outDir} holds the results of another sweep (${meta.source}, ${meta.total_points} points, id ${meta.sweep_id}); ` +
        `${spec.source} is sweep ${spec.id} with ${spec.points.length} points: --resume continues only the same sweep; choose another --out`,
    );
  }
  if (meta !== undefined && meta.shard !== shard) {
    throw new InputError(
      `${opts.outDir} holds ${meta.shard === null ? 'the whole sweep' : `shard ${meta.shard}`}, not ${shard === null ? 'the whole sweep' : `shard ${shard}`}; ` +
        'resume it with the same --shard, or choose another --out',
    );
  }
  const keys = new Set(spec.points.map((p) => p.key));
  const foreign = readResults(jsonl).find((l) => !keys.has(l.key));
  if (foreign !== undefined) {
    throw new InputError(
      `${jsonl}: point ${foreign.index} (key ${foreign.key}) is not a point of ${spec.source}: the folder holds another sweep's results; ` +
        'choose another --out',
    );
  }
}

/** The pool's workers: TypeScript through tsx, and this process's size limits. */
function makePool(workerFile: string, jobs: number): Piscina {
  return new Piscina({
    filename: workerFile,
    minThreads: jobs,
    maxThreads: jobs,
    execArgv: workerExecArgv(workerFile),
    // the young generation's size: too small and scavenges cost a point much of its time, too
    // large and two workers' nurseries (fresh memory at every allocation) crowd the caches they
    // share: 2 workers / the loop 1.67x at 128 MB, 1.81x and 1.83x at 32 MB (session 6, A/B
    // runs of bench/sweep.bench.ts; 1.55x -> 1.70x when 128 MB replaced the default, session 4)
    resourceLimits: { maxYoungGenerationSizeMb: 32 },
    // answers through the event loop, not piscina's default Atomics.wait handshake, which can
    // leave an answer unseen until this thread's next event (models/parallel.ts)
    atomics: 'disabled',
    workerData: { limits: limitOverrides() },
  });
}

export async function runSweep(spec: SweepSpec, opts: SweepRunOptions): Promise<SweepSummary> {
  checkOutputDir(opts.outDir, '--out');
  const jsonl = join(opts.outDir, RESULTS_JSONL);
  if (existsSync(jsonl) && !opts.resume) {
    throw new InputError(`${jsonl} exists: pass --resume to continue that sweep, or choose another --out`);
  }
  mkdirSync(opts.outDir, { recursive: true });
  const lock = acquireLock(opts.outDir);
  try {
    let done = new Set<string>();
    if (opts.resume && existsSync(jsonl)) {
      checkSameSweep(spec, opts, jsonl);
      // a torn final line is cut, and failed points run again (their old error lines go)
      done = new Set(compactResults(jsonl, (l) => l.status === 'ok').map((l) => l.key));
    }
    writeSweepMeta(opts.outDir, {
      sweep_id: spec.id, source: spec.source, varying: spec.varying, total_points: spec.points.length,
      shard: opts.shard ?? null, points: opts.points.length,
    });
    const pending = opts.points.filter((p) => !done.has(p.key));
    const total = opts.points.length;
    const summary = await runPoints(pending, total, opts, jsonl);
    compactResults(jsonl, () => true);
    writeResultsCsv(opts.outDir, spec.varying);
    return { total, skipped: total - pending.length, ran: pending.length, failed: summary.failed };
  } finally {
    lock.release();
  }
}

/**
 * Runs the points, at most `jobs` at a time: a point is handed to the pool only when a worker
 * is free, so its timeout counts its own run (and never a wait in a queue), and a sweep of any
 * size holds only `jobs` pending promises.
 */
async function runPoints(pending: readonly SweepPoint[], total: number, opts: SweepRunOptions, jsonl: string): Promise<{ failed: number }> {
  let finished = total - pending.length;
  let failed = 0;
  if (pending.length === 0) return { failed };
  const fd = openSync(jsonl, 'a');
  const workerFile = opts.workerFile ?? workerModule('sweep/worker');
  const timeoutMs = opts.pointTimeoutS !== undefined ? Math.round(opts.pointTimeoutS * 1000) : undefined;
  // points may run on this thread when nothing has to be stopped and this thread runs the
  // same code as the workers
  const here = timeoutMs === undefined && workerFile === workerModule('sweep/worker');
  const record = (line: ResultLine) => {
    writeSync(fd, JSON.stringify(line) + '\n');
    finished++;
    if (line.status !== 'ok') failed++;
    opts.onDone?.(line, finished, total);
  };
  if (opts.jobs === 1 && here) {
    // one job and nothing to stop: the points run here, as a plain loop would (no pool to
    // start, no messages; issue 21: a 1-worker pool ran at 0.70x of the loop)
    try {
      for (const point of pending) {
        record(await pointResultLine(point));
        // progress bars and signals get their turn between points
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      closeSync(fd);
    }
    return { failed };
  }
  const pool = makePool(workerFile, opts.jobs);
  // a point's clock starts when its worker starts it (sweep/worker.ts says so), not while the
  // worker is still loading its modules or the point waits for a free worker
  const starters = new Map<string, () => void>();
  let workerStarted = false;
  pool.on('message', (m: unknown) => {
    const key = (m as { sweepPointStarted?: unknown } | null)?.sweepPointStarted;
    if (typeof key !== 'string') return;
    workerStarted = true;
    starters.get(key)?.();
  });
  let next = 0;
  let crash: unknown;
  // while the workers start (loading their code: 0.1-0.3 s compiled, ~1 s through tsx), this
  // otherwise idle thread runs points; it stops at the first point a worker starts, so the
  // cores are the workers' from then on (issue 21: a sweep of short points lost its start-up)
  const meanwhile = async (): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve)); // the lanes hand the pool its first points first
    while (here && !workerStarted && crash === undefined && next < pending.length) {
      const point = pending[next++];
      try {
        record(await pointResultLine(point));
      } catch (err) {
        crash ??= err;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const runOne = async (point: SweepPoint): Promise<void> => {
    let line: ResultLine;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs !== undefined) starters.set(point.key, () => (timer = setTimeout(() => abort.abort(), timeoutMs)));
    try {
      line = (await pool.run(point, { signal: abort.signal })) as ResultLine;
    } catch (err) {
      if (!abort.signal.aborted) throw err;
      line = {
        index: point.index, key: point.key, vars: point.vars, status: 'error',
        error: `timed out after ${opts.pointTimeoutS} s (--point-timeout): the point's worker was stopped`,
      };
    } finally {
      clearTimeout(timer);
      starters.delete(point.key);
    }
    record(line);
  };
  const lane = async (): Promise<void> => {
    while (crash === undefined && next < pending.length) {
      const point = pending[next++];
      try {
        await runOne(point);
      } catch (err) {
        // a crashed point stops the sweep after the points still running have been written
        crash ??= err;
      }
    }
  };
  try {
    await Promise.all([...Array.from({ length: Math.min(opts.jobs, pending.length) }, lane), meanwhile()]);
    if (crash !== undefined) throw crash;
  } finally {
    closeSync(fd);
    await pool.destroy();
  }
  return { failed };
}
