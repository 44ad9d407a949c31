/**
 * Runs a sweep's points on a worker-thread pool (piscina) and streams each result to
 * `results.jsonl` as one line, written with a single write() the moment the point is done.
 * A process killed at any moment therefore loses no finished point; the only damage it can
 * leave is a final line without its newline, which `--resume` cuts off before it continues.
 * `results.csv` is rewritten from the JSON lines at the end, in point order.
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { workerExecArgv, workerModule } from '../models/package-files.ts';
import { InputError } from '../sim/errors.ts';
import type { SweepPoint, SweepSpec } from './spec.ts';

export interface ResultLine {
  readonly index: number;
  readonly key: string;
  readonly vars: Readonly<Record<string, string | number | boolean>>;
  readonly status: 'ok' | 'error';
  readonly error?: string;
  readonly result?: Readonly<Record<string, unknown>>;
}

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
}

export interface SweepSummary {
  readonly total: number;
  readonly skipped: number;
  readonly ran: number;
  readonly failed: number;
}

export const RESULTS_JSONL = 'results.jsonl';
export const RESULTS_CSV = 'results.csv';
export const SWEEP_META = 'sweep.json';

/** sweep.json: what a results directory holds, for `sweep-merge` and `report`. */
export interface SweepMeta {
  readonly source: string;
  /** the swept fields (dotted paths), in file order: the CSV's columns */
  readonly varying: readonly string[];
  /** points in the whole sweep */
  readonly total_points: number;
  /** the shard this directory ran ("i/n"), or null for the whole sweep */
  readonly shard: string | null;
  /** points this directory runs */
  readonly points: number;
}

export function writeSweepMeta(outDir: string, meta: SweepMeta): void {
  writeFileSync(join(outDir, SWEEP_META), JSON.stringify(meta, null, 2) + '\n');
}

export function readSweepMeta(dir: string): SweepMeta | undefined {
  const file = join(dir, SWEEP_META);
  if (!existsSync(file)) return undefined;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Partial<SweepMeta>;
    return Array.isArray(m.varying) ? (m as SweepMeta) : undefined;
  } catch {
    return undefined;
  }
}

/** Cuts a torn final line (no newline) and returns the keys of the complete lines. */
export function repairAndReadKeys(file: string): Set<string> {
  const keys = new Set<string>();
  if (!existsSync(file)) return keys;
  const buf = readFileSync(file);
  const end = buf.lastIndexOf(0x0a) + 1; // bytes up to and including the last newline
  if (end < buf.length) {
    const fd = openSync(file, 'r+');
    ftruncateSync(fd, end);
    closeSync(fd);
  }
  const lines = buf.subarray(0, end).toString('utf8').split('\n');
  lines.forEach((line, i) => {
    if (line === '') return;
    try {
      const r = JSON.parse(line) as ResultLine;
      if (typeof r.key === 'string' && r.status === 'ok') keys.add(r.key);
    } catch {
      throw new InputError(`${file}:${i + 1}: not a JSON result line; the file was not written by bitweave sweep`);
    }
  });
  return keys;
}

/** The complete lines of a results.jsonl (a torn final line, without its newline, is left out). */
export function readResults(file: string): ResultLine[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  const out: ResultLine[] = [];
  complete.split('\n').forEach((l, i) => {
    if (l === '') return;
    let r: ResultLine;
    try {
      r = JSON.parse(l) as ResultLine;
    } catch {
      throw new InputError(`${file}:${i + 1}: not a JSON result line; the file was not written by bitweave sweep`);
    }
    if (typeof r.key !== 'string' || typeof r.index !== 'number') {
      throw new InputError(`${file}:${i + 1}: a result line needs a key and an index`);
    }
    out.push(r);
  });
  return out;
}

function flatten(prefix: string, v: unknown, out: Record<string, string>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}.${k}` : k, x, out);
  } else if (!Array.isArray(v) && v !== undefined) {
    out[prefix] = String(v);
  }
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** results.csv: one row per point (latest line per key), in point order. */
export function writeResultsCsv(outDir: string, varying: readonly string[]): number {
  const byKey = new Map<string, ResultLine>();
  for (const r of readResults(join(outDir, RESULTS_JSONL))) byKey.set(r.key, r);
  const rows = [...byKey.values()].sort((a, b) => a.index - b.index);
  const flat = rows.map((r) => {
    const o: Record<string, string> = {};
    flatten('', r.result ?? {}, o);
    return o;
  });
  const resultCols = [...new Set(flat.flatMap((o) => Object.keys(o)))];
  const header = ['index', 'key', ...varying, 'status', 'error', ...resultCols];
  const lines = [header.map(csvCell).join(',')];
  rows.forEach((r, i) => {
    const cells = [
      String(r.index), r.key, ...varying.map((v) => (r.vars[v] === undefined ? '' : String(r.vars[v]))),
      r.status, r.error ?? '', ...resultCols.map((c) => flat[i][c] ?? ''),
    ];
    lines.push(cells.map(csvCell).join(','));
  });
  writeFileSync(join(outDir, RESULTS_CSV), lines.join('\n') + '\n');
  return rows.length;
}

export async function runSweep(spec: SweepSpec, opts: SweepRunOptions): Promise<SweepSummary> {
  mkdirSync(opts.outDir, { recursive: true });
  const jsonl = join(opts.outDir, RESULTS_JSONL);
  if (existsSync(jsonl) && !opts.resume) {
    throw new InputError(`${jsonl} exists: pass --resume to continue that sweep, or choose another --out`);
  }
  const done = opts.resume ? repairAndReadKeys(jsonl) : new Set<string>();
  writeSweepMeta(opts.outDir, {
    source: spec.source, varying: spec.varying, total_points: spec.points.length, shard: opts.shard ?? null, points: opts.points.length,
  });
  const pending = opts.points.filter((p) => !done.has(p.key));
  const total = opts.points.length;
  let finished = total - pending.length;
  let failed = 0;
  const fd = openSync(jsonl, 'a');
  // Workers running TypeScript load it through tsx: inherit its loader flags, or add them
  // when this process registered tsx in-process (bin/bitweave.js) and so has none to inherit.
  const workerFile = opts.workerFile ?? workerModule('sweep/worker');
  const pool = new Piscina({
    filename: workerFile,
    minThreads: opts.jobs,
    maxThreads: opts.jobs,
    execArgv: workerExecArgv(workerFile),
    // a worker's default young generation is small: simulations allocate many short-lived
    // typed arrays, and scavenges then cost a quarter of a point's time (bench: 1.55x -> 1.70x on 2 workers)
    resourceLimits: { maxYoungGenerationSizeMb: 128 },
  });
  try {
    // allSettled: a crashed point must not close the file under the points still running
    const settled = await Promise.allSettled(
      pending.map(async (point) => {
        const line = (await pool.run(point)) as ResultLine;
        writeSync(fd, JSON.stringify(line) + '\n');
        finished++;
        if (line.status !== 'ok') failed++;
        opts.onDone?.(line, finished, total);
      }),
    );
    const crash = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (crash) throw crash.reason;
  } finally {
    closeSync(fd);
    await pool.destroy();
  }
  writeResultsCsv(opts.outDir, spec.varying);
  return { total, skipped: total - pending.length, ran: pending.length, failed };
}
