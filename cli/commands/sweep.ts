import { basename, join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { CommandBody } from './index.ts';
import { printable } from '../../sim/errors.ts';
import { mergeShards } from '../../sweep/merge.ts';
import { runSweep } from '../../sweep/runner.ts';
import { shardOf } from '../../sweep/spec.ts';
import { loadSweepFile } from '../sweep-file.ts';
import { printJson } from '../io.ts';
import { checkJobs, JOBS_OPTIONS, numberOption } from '../option-checks.ts';

interface SweepArgs {
  file: string;
  jobs: number;
  force: boolean;
  pointTimeout?: number;
  out?: string;
  resume: boolean;
  shard?: string;
  check: boolean;
  json: boolean;
  /** the global --quiet */
  quiet?: boolean;
}


interface MergeArgs {
  out: string;
  shards: string[];
  spec?: string;
  force: boolean;
  json: boolean;
}

export const sweepMergeCommand: CommandBody<MergeArgs> = {
  builder: (y) =>
    y
      .positional('out', { type: 'string', demandOption: true, describe: 'output directory' })
      .positional('shards', { type: 'string', array: true, demandOption: true, describe: 'shard result directories' })
      .option('spec', { type: 'string', describe: 'the sweep file: its column order, and a count of points no shard has' })
      .option('force', { type: 'boolean', default: false, describe: 'replace results.jsonl in the output directory' })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON' })
      .example('$0 sweep-merge out/sweep out/shards/shard-*', 'one results directory from the shards of a job array')
      .example('$0 sweep-merge out/sweep out/shards/shard-* --spec examples/sweep.yaml', 'same, and report points no shard ran'),
  handler: (args) => {
    const spec = args.spec !== undefined ? loadSweepFile(args.spec) : undefined;
    const s = mergeShards({ outDir: args.out, shardDirs: args.shards, force: args.force, ...(spec && { spec }) });
    if (args.json) printJson({ ...s, out: args.out });
    else {
      process.stdout.write(
        `merged ${s.shards} shards: ${s.points} points (${s.lines} lines read, ${s.duplicates} duplicates dropped, ${s.failed} failed)` +
          `${s.missing !== null ? `, ${s.missing} points of ${spec?.source} missing` : ''}\n` +
          `results: ${join(args.out, 'results.jsonl')}, ${join(args.out, 'results.csv')}\n`,
      );
    }
    if (s.failed > 0 || (s.missing ?? 0) > 0) process.exitCode = 1;
  },
};

export const sweepCommand: CommandBody<SweepArgs> = {
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'sweep file (YAML or JSON)' })
      .options(JOBS_OPTIONS)
      .option('point-timeout', numberOption('point-timeout', {
        positive: true,
        describe: 'seconds a point may run (from when a worker takes it); a point that takes longer is recorded as failed and its worker stopped',
      }))
      .option('out', { type: 'string', describe: 'output directory (default: sweep-<file name>)' })
      .option('resume', { type: 'boolean', default: false, describe: 'skip points already in results.jsonl' })
      .option('shard', { type: 'string', describe: 'run shard i of n (i/n): every n-th point, for job arrays' })
      .option('check', { type: 'boolean', default: false, describe: 'check the sweep file and every point (names, values, sizes) and run nothing' })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON' })
      .example('$0 sweep examples/sweep.yaml --jobs 2 --out out/sweep', 'run a sweep on two cores')
      .example('$0 sweep examples/sweep.yaml --out out/sweep --resume', 'continue a sweep that was stopped')
      .example('$0 sweep examples/sweep.yaml --check', 'check every point of the file, run nothing')
      .example('$0 sweep examples/sweep.yaml --shard 2/3 --out out/shard2', 'the second third of the points')
      .example('$0 sweep-merge out/sweep out/shard1 out/shard2 out/shard3', 'merge shards (see bitweave sweep-merge --help)'),
  handler: async (args) => {
    checkJobs(args.jobs, args.force);
    const spec = loadSweepFile(args.file);
    const points = shardOf(spec.points, args.shard);
    if (args.check) {
      const report = { file: args.file, sweep_id: spec.id, points: spec.points.length, shard: args.shard ?? null, shard_points: points.length, varying: spec.varying };
      if (args.json) printJson(report);
      else process.stdout.write(`${args.file}: ${spec.points.length} points, all valid${args.shard !== undefined ? ` (shard ${args.shard}: ${points.length})` : ''}; sweep ${spec.id}\n`);
      return;
    }
    const outDir = args.out ?? join('.', `sweep-${basename(args.file).replace(/\.[^.]*$/, '')}`);
    const tty = process.stderr.isTTY && !args.quiet;
    const bar = tty ? new SingleBar({ format: 'sweep [{bar}] {value}/{total} points | {rate} pts/s | eta {eta_formatted} | failed {failed}', hideCursor: true }) : undefined;
    const started = Date.now();
    bar?.start(points.length, 0, { rate: '0.0', failed: 0 });
    let failed = 0;
    const summary = await runSweep(spec, {
      outDir,
      jobs: args.jobs,
      resume: args.resume,
      points,
      ...(args.shard !== undefined && { shard: args.shard }),
      ...(args.pointTimeout !== undefined && { pointTimeoutS: args.pointTimeout }),
      onDone: (line, done, total) => {
        if (line.status !== 'ok') failed++;
        const rate = (done / Math.max(1e-3, (Date.now() - started) / 1000)).toFixed(1);
        if (bar) bar.update(done, { rate, failed });
        else if (!args.quiet) {
          process.stderr.write(`sweep: ${done}/${total} points, point ${line.index} ${line.status}${line.error ? `: ${printable(line.error)}` : ''}\n`);
        }
      },
    });
    bar?.stop();
    const report = { ...summary, out: outDir, shard: args.shard ?? null };
    if (args.json) printJson(report);
    else {
      process.stdout.write(
        `${summary.total} points: ${summary.ran} ran, ${summary.skipped} already done, ${summary.failed} failed\n` +
          `results: ${join(outDir, 'results.jsonl')}, ${join(outDir, 'results.csv')}\n`,
      );
    }
    if (summary.failed > 0) process.exitCode = 1;
  },
};
