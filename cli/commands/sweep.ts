import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SingleBar } from 'cli-progress';
import type { CommandModule } from 'yargs';
import { InputError } from '../../sim/errors.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { loadWorkload } from '../../models/workload.ts';
import { runSweep } from '../../sweep/runner.ts';
import { parseSweepSpec, shardOf } from '../../sweep/spec.ts';
import { loadArch } from '../arch-file.ts';
import { printJson } from '../io.ts';

interface SweepArgs {
  file: string;
  jobs: number;
  out?: string;
  resume: boolean;
  shard?: string;
  json: boolean;
  quiet: boolean;
}

const workerFile = fileURLToPath(new URL('../../sweep/worker.ts', import.meta.url));

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep <file>',
  describe: 'run a grid of simulations in parallel, streaming results to results.jsonl',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'sweep file (YAML or JSON)' })
      .option('jobs', { type: 'number', default: 1, describe: 'worker threads' })
      .option('out', { type: 'string', describe: 'output directory (default: sweep-<file name>)' })
      .option('resume', { type: 'boolean', default: false, describe: 'skip points already in results.jsonl' })
      .option('shard', { type: 'string', describe: 'run shard i of n (i/n): every n-th point, for job arrays' })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no progress output' })
      .example('$0 sweep examples/sweep.yaml --jobs 2 --out out/sweep', 'run a sweep on two cores')
      .example('$0 sweep examples/sweep.yaml --out out/sweep --resume', 'continue a sweep that was stopped')
      .example('$0 sweep examples/sweep.yaml --shard 2/3 --out out/shard2', 'the second third of the points'),
  handler: async (args) => {
    if (!Number.isInteger(args.jobs) || args.jobs < 1) throw new InputError(`--jobs must be a positive integer, got ${args.jobs}`);
    if (!existsSync(args.file)) throw new InputError(`sweep file '${args.file}' does not exist`);
    const spec = parseSweepSpec(readFileSync(args.file, 'utf8'), args.file, {
      loadArch,
      checkPe: (name) => void getPe(name),
      checkModel: (source) => void loadWorkload(source),
    });
    const points = shardOf(spec.points, args.shard);
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
      workerFile,
      onDone: (line, done, total) => {
        if (line.status !== 'ok') failed++;
        const rate = (done / Math.max(1e-3, (Date.now() - started) / 1000)).toFixed(1);
        if (bar) bar.update(done, { rate, failed });
        else if (!args.quiet) {
          process.stderr.write(`sweep: ${done}/${total} points, point ${line.index + 1} ${line.status}${line.error ? `: ${line.error}` : ''}\n`);
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
