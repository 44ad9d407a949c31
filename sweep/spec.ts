/**
 * Sweep files: a base configuration, overrides for every point, and a grid (cartesian
 * product) and/or an explicit list of points over any field. Every point is expanded and
 * validated before any runs, so a typo fails the sweep at once, not after an hour.
 *
 *   base:                         # one run: the same fields `bitweave run` takes
 *     arch: scale                 # preset name or a YAML/JSON/.cfg file
 *     model: gemm:128x64x256
 *   set:                          # overrides applied to every point (dotted paths)
 *     arch.dram.bandwidth: 16
 *   grid:                         # every combination of these lists
 *     arch.array.rows: [16, 32]
 *     dataflow: [os, ws, is]      # shorthand for arch.dataflow (also: pe, acc, psum, accumulate)
 *   points:                       # and/or explicit points (each crossed with the grid)
 *     - { pe: int8 }
 *
 * Paths address the run fields (`model`, `functional`, `seed`, `compat`, `dataset`, `limit`,
 * `engine`, `reuse`, `mst_depth`, `schedule`, `schedule_time_limit`, `schedule_weight_kb`, `technology`,
 * `node`, `gate_zeros`: `bitweave run`'s options) and, under `arch.`, any field of the arch schema. A point
 * runs exactly what `bitweave run` runs with the same options (models/run-request.ts).
 * Files the sweep file names (an arch file, .onnx or .csv models) are relative to the sweep
 * file's folder. Points are numbered from 0, as the `index` of results.jsonl and results.csv.
 */
import { createHash } from 'node:crypto';
import { dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import * as z from 'zod';
import { InputError } from '../sim/errors.ts';
import { checkLimit, limitOf } from '../sim/limits.ts';
import { parseArch, type ArchConfig } from '../sim/arch/schema.ts';
import { isPreset } from '../sim/arch/presets.ts';
import { isModelFile } from '../models/source.ts';

export type Scalar = string | number | boolean;

/** What one point runs: a full arch and the run options (those of `bitweave run`). */
export interface PointConfig {
  readonly arch: ArchConfig;
  readonly model: string;
  readonly functional: boolean;
  readonly seed: number;
  readonly compat: 'none' | 'scalesim';
  /** a data set: the point also reports the trained model's accuracy */
  readonly dataset?: string;
  readonly limit?: number;
  readonly engine?: 'fast' | 'reference';
  readonly reuse?: 'none' | 'ent' | 'mst';
  /** with reuse mst: bound on the reuse tree's depth (`--mst-depth`) */
  readonly mst_depth?: number;
  readonly schedule?: 'naive' | 'heuristic' | 'optimal';
  readonly schedule_time_limit?: number;
  readonly schedule_weight_kb?: number;
  readonly technology?: string;
  readonly node?: number;
  /** technology gates45: zero-operand clock gating */
  readonly gate_zeros?: boolean;
}

/** Run fields besides model / functional / seed / compat, all optional (an absent one keeps the point's key). */
const OPTIONAL_RUN_FIELDS = {
  /** a data set: each point also reports the trained model's accuracy through its PE */
  dataset: z.string().optional(),
  /** with a data set: the first N images */
  limit: z.number().int().positive().optional(),
  engine: z.enum(['fast', 'reference']).optional(),
  reuse: z.enum(['none', 'ent', 'mst']).optional(),
  mst_depth: z.number().int().positive().optional(),
  schedule: z.enum(['naive', 'heuristic', 'optimal']).optional(),
  schedule_time_limit: z.number().positive().optional(),
  schedule_weight_kb: z.number().positive().optional(),
  technology: z.string().optional(),
  node: z.number().positive().optional(),
  gate_zeros: z.boolean().optional(),
};

export interface SweepPoint {
  /** position in expansion order (0-based): shards and results.csv follow it */
  readonly index: number;
  /** hash of the full configuration: the key --resume matches on */
  readonly key: string;
  /** the swept values of this point (dotted path -> value), for tables and plots */
  readonly vars: Readonly<Record<string, Scalar>>;
  readonly config: PointConfig;
}

export interface SweepSpec {
  /** the sweep's identity: a hash of its expanded points, in order (see sweepId) */
  readonly id: string;
  readonly source: string;
  readonly points: readonly SweepPoint[];
  /** the dotted paths that vary, in file order */
  readonly varying: readonly string[];
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const fileSchema = z.strictObject({
  base: z.strictObject({
    arch: z.string(),
    model: z.string(),
    functional: z.boolean().default(false),
    seed: z.number().int().default(1),
    compat: z.enum(['none', 'scalesim']).default('none'),
    ...OPTIONAL_RUN_FIELDS,
  }),
  set: z.record(z.string(), scalar).default({}),
  grid: z.record(z.string(), z.array(scalar)).default({}),
  points: z.array(z.record(z.string(), scalar)).optional(),
});

/** the run fields of one point, after its overrides (built once: a zod schema compiles itself on first use) */
const runFieldsSchema = z.strictObject({
  arch: z.unknown(),
  model: z.string(),
  functional: z.boolean(),
  seed: z.number().int(),
  compat: z.enum(['none', 'scalesim']),
  ...OPTIONAL_RUN_FIELDS,
});

const SHORTHAND: Readonly<Record<string, string>> = {
  pe: 'arch.pe',
  dataflow: 'arch.dataflow',
  acc: 'arch.acc',
  psum: 'arch.psum',
  accumulate: 'arch.accumulate',
  rows: 'arch.array.rows',
  cols: 'arch.array.cols',
};
const RUN_FIELDS = new Set(['model', 'functional', 'seed', 'compat', ...Object.keys(OPTIONAL_RUN_FIELDS)]);

function canonicalPath(path: string, where: string): string {
  const p = SHORTHAND[path] ?? path;
  if (RUN_FIELDS.has(p) || p.startsWith('arch.')) return p;
  throw new InputError(
    `${where}: unknown field '${path}'; sweepable fields: ${[...RUN_FIELDS].join(', ')}, ` +
      `${Object.keys(SHORTHAND).join(', ')}, or arch.<field> (e.g. arch.sram.ifmap_kb)`,
  );
}

/** JSON with sorted keys: the same configuration always hashes the same. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function pointKey(config: PointConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

function setPath(target: Record<string, unknown>, path: string, value: Scalar): void {
  const parts = path.split('.');
  let o = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = o[parts[i]];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) o[parts[i]] = {};
    o = o[parts[i]] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]] = value;
}

export interface SpecDeps {
  /** a preset name or arch file -> the validated arch (the CLI reads files) */
  readonly loadArch: (spec: string) => ArchConfig;
  /**
   * throws InputError if a point cannot run: every name (PE, formats, DRAM type, technology,
   * node, model, data set) and its size (sim/limits.ts), short of running it
   */
  readonly checkPoint?: (config: PointConfig) => void;
}

/** The identity of a sweep: its expanded points (their keys, in order) and swept fields. */
export function sweepId(points: readonly SweepPoint[], varying: readonly string[]): string {
  const h = createHash('sha256');
  h.update(canonicalJson(varying));
  for (const p of points) h.update(`\n${p.key}`);
  return h.digest('hex').slice(0, 16);
}

function formatZodIssues(err: z.ZodError): string {
  return err.issues
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(top level)'}: ${i.message}`)
    .join('; ');
}

export function parseSweepSpec(text: string, source: string, deps: SpecDeps): SweepSpec {
  let doc: unknown;
  try {
    // aliases are how a small file becomes a huge one: their expansion is capped
    doc = parseYaml(text, { maxAliasCount: limitOf('yaml_aliases') });
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const pos = e.linePos?.[0];
      throw new InputError(`${source}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${e.message.split('\n')[0]}`);
    }
    if (e instanceof Error && /alias/i.test(e.message)) throw new InputError(`${source}: not accepted: ${e.message}`);
    throw e;
  }
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) throw new InputError(`${source}: invalid sweep file: ${formatZodIssues(parsed.error)}`);
  const file = parsed.data;

  const gridPaths = Object.keys(file.grid).map((p) => canonicalPath(p, `${source}: grid`));
  for (const [p, values] of Object.entries(file.grid)) {
    if (values.length === 0) throw new InputError(`${source}: grid.${p} is an empty list: a grid needs at least one value per field`);
  }
  const setEntries = Object.entries(file.set).map(([p, v]) => [canonicalPath(p, `${source}: set`), v] as const);
  const explicit = (file.points ?? []).map((pt, i) =>
    Object.entries(pt).map(([p, v]) => [canonicalPath(p, `${source}: points[${i}]`), v] as const),
  );
  if (file.points !== undefined && file.points.length === 0) {
    throw new InputError(`${source}: points is an empty list`);
  }

  // counted before anything is expanded: a grid of a few short lists can mean 10^8 points
  const gridValues = Object.values(file.grid);
  const count = gridValues.reduce((n, values) => n * values.length, 1) * Math.max(1, explicit.length);
  checkLimit('sweep_points', count, source, `the number of points (${[...gridValues.map((v) => v.length), ...(explicit.length > 0 ? [explicit.length] : [])].join(' x ')})`);

  // files a sweep file names (its arch, model files) are relative to the sweep file's folder,
  // as in a Makefile or a YAML config, not to wherever the sweep is started from
  const besideSweepFile = (path: string) => (isAbsolute(path) ? path : join(dirname(source), path));
  const baseArch = deps.loadArch(isPreset(file.base.arch) ? file.base.arch : besideSweepFile(file.base.arch));
  let combos: [string, Scalar][][] = [[]];
  for (let g = 0; g < gridPaths.length; g++) {
    const next: [string, Scalar][][] = [];
    for (const c of combos) for (const v of gridValues[g]) next.push([...c, [gridPaths[g], v]]);
    combos = next;
  }
  const listed = explicit.length > 0 ? explicit : [[]];
  const varying = [...gridPaths];
  for (const pt of explicit) for (const [p] of pt) if (!varying.includes(p)) varying.push(p);

  const points: SweepPoint[] = [];
  for (const extra of listed) {
    for (const combo of combos) {
      const index = points.length;
      const where = `${source}: point ${index}`;
      const run: Record<string, unknown> = {
        arch: structuredClone(baseArch) as unknown as Record<string, unknown>,
        model: file.base.model,
        functional: file.base.functional,
        seed: file.base.seed,
        compat: file.base.compat,
        ...Object.fromEntries(Object.keys(OPTIONAL_RUN_FIELDS).flatMap((k) => {
          const v = (file.base as Record<string, unknown>)[k];
          return v === undefined ? [] : [[k, v]];
        })),
      };
      const vars: Record<string, Scalar> = {};
      for (const [p, v] of [...setEntries, ...extra, ...combo]) setPath(run, p, v);
      for (const [p, v] of [...extra, ...combo]) vars[p] = v;
      const arch = parseArch(run.arch, `${where} (${canonicalJson(vars)})`);
      const runFields = runFieldsSchema.safeParse(run);
      if (!runFields.success) throw new InputError(`${where}: ${formatZodIssues(runFields.error)}`);
      const r = runFields.data;
      const model = isModelFile(r.model) ? besideSweepFile(r.model) : r.model;
      if (r.mst_depth !== undefined && r.reuse !== 'mst') throw new InputError(`${where}: mst_depth bounds the MST reuse tree; it needs reuse: mst`);
      const config: PointConfig = {
        arch, model, functional: r.functional, seed: r.seed, compat: r.compat,
        ...(r.dataset !== undefined && { dataset: r.dataset }),
        ...(r.limit !== undefined && { limit: r.limit }),
        ...(r.engine !== undefined && { engine: r.engine }),
        ...(r.reuse !== undefined && { reuse: r.reuse }),
        ...(r.mst_depth !== undefined && { mst_depth: r.mst_depth }),
        ...(r.schedule !== undefined && { schedule: r.schedule }),
        ...(r.schedule_time_limit !== undefined && { schedule_time_limit: r.schedule_time_limit }),
        ...(r.schedule_weight_kb !== undefined && { schedule_weight_kb: r.schedule_weight_kb }),
        ...(r.technology !== undefined && { technology: r.technology }),
        ...(r.node !== undefined && { node: r.node }),
        ...(r.gate_zeros !== undefined && { gate_zeros: r.gate_zeros }),
      };
      if (deps.checkPoint) {
        try {
          deps.checkPoint(config);
        } catch (e) {
          if (e instanceof InputError) throw new InputError(`${where} (${canonicalJson(vars)}): ${e.message}`);
          throw e;
        }
      }
      // the key names the model as the sweep file writes it: the same point wherever the
      // sweep (or a shard of it, or its merge) is started from
      points.push({ index, key: pointKey({ ...config, model: r.model }), vars, config });
    }
  }
  const keys = new Set<string>();
  for (const p of points) {
    if (keys.has(p.key)) throw new InputError(`${source}: point ${p.index} (${canonicalJson(p.vars)}) repeats an earlier point`);
    keys.add(p.key);
  }
  return { id: sweepId(points, varying), source, points, varying };
}

/** Parses "i/n" (1-based i) and returns the points of that shard: every n-th, from i. */
export function shardOf(points: readonly SweepPoint[], shard: string | undefined): SweepPoint[] {
  if (shard === undefined) return [...points];
  const m = /^(\d+)\/(\d+)$/.exec(shard.trim());
  const i = m ? Number(m[1]) : NaN, n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i < 1 || i > n) throw new InputError(`--shard must be i/n with 1 <= i <= n, got '${shard}'`);
  return points.filter((p) => p.index % n === i - 1);
}
