/**
 * `bitweave sweep-merge OUT SHARD_DIR...`: the results of a sweep run in pieces (shards of a
 * job array, or resumed runs) as one results directory: results.jsonl with one line per point
 * (by key; an ok line wins over an error line of the same point, and identical duplicates
 * collapse), in point order, and results.csv as `bitweave sweep` writes it.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../sim/errors.ts';
import { checkOutputDir, writeFileAtomic } from '../models/io/output-files.ts';
import { acquireLock } from './lock.ts';
import {
  readResults, readSweepMeta, writeResultsCsv, writeSweepMeta, RESULTS_JSONL, type ResultLine,
} from './results.ts';
import type { SweepSpec } from './spec.ts';

export interface MergeOptions {
  readonly outDir: string;
  readonly shardDirs: readonly string[];
  /** the sweep file's points: the CSV's columns come from it, and missing points are counted */
  readonly spec?: SweepSpec;
  /** replace an existing results.jsonl in outDir */
  readonly force?: boolean;
}

export interface MergeSummary {
  readonly shards: number;
  /** lines read, over all shards */
  readonly lines: number;
  /** points written */
  readonly points: number;
  /** lines dropped as repeats of a point already merged */
  readonly duplicates: number;
  readonly failed: number;
  /** points of the sweep file not in any shard (with spec only) */
  readonly missing: number | null;
}

export function mergeShards(opts: MergeOptions): MergeSummary {
  if (opts.shardDirs.length === 0) throw new InputError('sweep-merge: name at least one shard directory');
  const metas = opts.shardDirs.map((dir) => {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`sweep-merge: '${dir}' is not a directory`);
    if (!existsSync(join(dir, RESULTS_JSONL))) throw new InputError(`sweep-merge: '${dir}' has no ${RESULTS_JSONL}`);
    return readSweepMeta(dir);
  });
  // one sweep: every shard's sweep.json names the same sweep (and the sweep file's, with --spec)
  const ids = new Set(metas.flatMap((m) => (m?.sweep_id !== undefined ? [m.sweep_id] : [])));
  if (opts.spec !== undefined) ids.add(opts.spec.id);
  if (ids.size > 1) {
    const which = opts.shardDirs.map((d, i) => `${d}: ${metas[i]?.sweep_id ?? '?'}`).join(', ');
    throw new InputError(`sweep-merge: the shards come from different sweeps (${which}${opts.spec ? `; ${opts.spec.source}: ${opts.spec.id}` : ''})`);
  }
  checkOutputDir(opts.outDir, 'sweep-merge: the output folder');
  const target = join(opts.outDir, RESULTS_JSONL);
  if (existsSync(target) && !opts.force) {
    throw new InputError(`sweep-merge: ${target} exists; choose another output directory or pass --force to replace it`);
  }
  const specKeys = opts.spec ? new Set(opts.spec.points.map((p) => p.key)) : undefined;
  const byKey = new Map<string, ResultLine>();
  const seenIndex = new Map<number, string>();
  let lines = 0, duplicates = 0;
  for (const dir of opts.shardDirs) {
    for (const line of readResults(join(dir, RESULTS_JSONL))) {
      lines++;
      if (specKeys && !specKeys.has(line.key)) {
        throw new InputError(`sweep-merge: ${join(dir, RESULTS_JSONL)}: point ${line.index} (key ${line.key}) is not a point of ${opts.spec?.source}`);
      }
      const other = seenIndex.get(line.index);
      if (other !== undefined && other !== line.key) {
        throw new InputError(
          `sweep-merge: ${join(dir, RESULTS_JSONL)}: point ${line.index} has key ${line.key}, another shard's has ${other}: the shards come from different sweep files`,
        );
      }
      seenIndex.set(line.index, line.key);
      const prev = byKey.get(line.key);
      if (prev === undefined) byKey.set(line.key, line);
      else {
        duplicates++;
        if (prev.status !== 'ok' && line.status === 'ok') byKey.set(line.key, line);
      }
    }
  }
  const merged = [...byKey.values()].sort((a, b) => a.index - b.index);
  mkdirSync(opts.outDir, { recursive: true });
  const lock = acquireLock(opts.outDir, 'sweep-merge');
  try {
    writeFileAtomic(target, merged.map((l) => JSON.stringify(l) + '\n').join(''));
    const known = metas.find((m) => m !== undefined);
    const varying = opts.spec?.varying ?? known?.varying ?? varyingOf(merged);
    const id = [...ids][0];
    writeSweepMeta(opts.outDir, {
      ...(id !== undefined && { sweep_id: id }),
      source: opts.spec?.source ?? known?.source ?? 'merged shards',
      varying,
      total_points: opts.spec?.points.length ?? known?.total_points ?? merged.length,
      shard: null,
      points: merged.length,
    });
    writeResultsCsv(opts.outDir, varying);
  } finally {
    lock.release();
  }
  return {
    shards: opts.shardDirs.length,
    lines,
    points: merged.length,
    duplicates,
    failed: merged.filter((l) => l.status !== 'ok').length,
    missing: opts.spec ? opts.spec.points.filter((p) => !byKey.has(p.key)).length : null,
  };
}

/** the swept fields when no sweep.json or sweep file says: first appearance, in point order */
function varyingOf(lines: readonly ResultLine[]): string[] {
  const seen: string[] = [];
  for (const l of lines) for (const k of Object.keys(l.vars)) if (!seen.includes(k)) seen.push(k);
  return seen;
}
