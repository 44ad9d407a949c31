/**
 * The files of a sweep's results folder: `results.jsonl` (one JSON line per point run, as
 * sweep/runner.ts streams them), `results.csv` (one row per point, in point order) and
 * `sweep.json` (which sweep the folder holds). Reading checks every line and field, so a
 * corrupt or hand-edited file is an error naming file and line, not a silent wrong report.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../sim/errors.ts';
import { readInputText } from '../models/io/input-file.ts';
import { writeFileAtomic } from '../models/io/output-files.ts';

export interface ResultLine {
  readonly index: number;
  readonly key: string;
  readonly vars: Readonly<Record<string, string | number | boolean>>;
  readonly status: 'ok' | 'error';
  readonly error?: string;
  readonly result?: Readonly<Record<string, unknown>>;
}

export const RESULTS_JSONL = 'results.jsonl';
export const RESULTS_CSV = 'results.csv';
export const SWEEP_META = 'sweep.json';

/** sweep.json: what a results directory holds, for `--resume`, `sweep-merge` and `report`. */
export interface SweepMeta {
  /** the sweep's identity: a hash of its expanded points (sweep/spec.ts sweepId); absent in folders of older versions */
  readonly sweep_id?: string;
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

const metaSchema = z.object({
  sweep_id: z.string().optional(),
  source: z.string(),
  varying: z.array(z.string()),
  total_points: z.number().int().nonnegative(),
  shard: z.string().nullable(),
  points: z.number().int().nonnegative(),
});

export function writeSweepMeta(outDir: string, meta: SweepMeta): void {
  writeFileAtomic(join(outDir, SWEEP_META), JSON.stringify(meta, null, 2) + '\n');
}

/** sweep.json of a folder: undefined when there is none; an InputError when it is not one. */
export function readSweepMeta(dir: string): SweepMeta | undefined {
  const file = join(dir, SWEEP_META);
  if (!existsSync(file)) return undefined;
  const text = readInputText(file, 'sweep description');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new InputError(`${file}: not valid JSON; it was not written by bitweave sweep`);
  }
  const r = metaSchema.safeParse(doc);
  if (!r.success) {
    throw new InputError(`${file}: not a sweep description (${r.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')})`);
  }
  return r.data;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const lineSchema = z.object({
  index: z.number().int().nonnegative(),
  key: z.string().min(1),
  vars: z.record(z.string(), scalar),
  status: z.enum(['ok', 'error']),
  error: z.string().optional(),
  result: z.record(z.string(), z.unknown()).optional(),
}).refine((l) => l.status !== 'ok' || l.result !== undefined, { message: "an 'ok' line needs a result" })
  .refine((l) => l.status !== 'error' || l.error !== undefined, { message: "an 'error' line needs an error" });

/** One line of a results.jsonl, checked; `where` is file:line. */
export function parseResultLine(text: string, where: string): ResultLine {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new InputError(`${where}: not a JSON result line; the file was not written by bitweave sweep`);
  }
  const r = lineSchema.safeParse(doc);
  if (!r.success) {
    throw new InputError(`${where}: not a sweep result line (${r.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ')})`);
  }
  return r.data as ResultLine;
}

/** The complete lines of a results.jsonl (a torn final line, without its newline, is left out). */
export function readResults(file: string): ResultLine[] {
  if (!existsSync(file)) return [];
  const text = readInputText(file, 'sweep results', 'results_bytes');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  const out: ResultLine[] = [];
  complete.split('\n').forEach((l, i) => {
    if (l === '') return;
    out.push(parseResultLine(l, `${file}:${i + 1}`));
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
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line per point (an ok line wins over an error line, else the later line), in point order. */
export function latestPerPoint(lines: readonly ResultLine[]): ResultLine[] {
  const byKey = new Map<string, ResultLine>();
  for (const l of lines) {
    const prev = byKey.get(l.key);
    if (prev === undefined || !(prev.status === 'ok' && l.status !== 'ok')) byKey.set(l.key, l);
  }
  return [...byKey.values()].sort((a, b) => a.index - b.index);
}

/** results.csv: one row per point (latest line per key), in point order. */
export function writeResultsCsv(outDir: string, varying: readonly string[]): number {
  const rows = latestPerPoint(readResults(join(outDir, RESULTS_JSONL)));
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
  writeFileAtomic(join(outDir, RESULTS_CSV), lines.join('\n') + '\n');
  return rows.length;
}

