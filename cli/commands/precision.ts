import { existsSync, mkdirSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { packageFile } from '../../models/package-files.ts';
import type { Argv, CommandModule } from 'yargs';
import type { CommandBody } from './index.ts';
import { InputError } from '../../sim/errors.ts';
import { mulPrecision, type PrecisionReport } from '../../sim/pe/multiplier-error.ts';
import {
  compareWithBaseline, newBaseline, parseBaseline, serializeBaseline, updateChanges, type Baseline,
} from '../../sim/precision-check/baseline.ts';
import { runPrecisionSuite, type TrainedAccuracy } from '../../sim/precision-check/suite.ts';
import type { PeKind } from '../../sim/pe/types.ts';
import { createHash } from 'node:crypto';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { evaluateImages, summarize } from '../../models/accuracy/evaluate.ts';
import { loadGraph } from '../../models/accuracy/task.ts';
import { resolveTrainedModel, trainedMetrics } from '../../models/accuracy/trained.ts';
import { loadFmnist, normalizeImages } from '../../models/data/fmnist.ts';
import { printBaselineDiff } from '../baseline-table.ts';
import { printJson, printTable } from '../io.ts';
import { dotSub } from './precision-dot.ts';
import { readInputText } from '../../models/io/input-file.ts';
import { checkOutputDir, writeFileAtomic } from '../../models/io/output-files.ts';
import { integerOption, strictCommand } from '../option-checks.ts';

interface MulArgs {
  samples: number;
  dist: string;
  seed: number;
  json: boolean;
}

const pct = (v: number) => (Number.isFinite(v) ? (100 * v).toFixed(2) + '%' : String(v));

function printReport(r: PrecisionReport): void {
  process.stdout.write(`multiplier error vs the exact product: ${r.samples} samples, ${r.dist} inputs, seed ${r.seed}\n\n`);
  printTable(
    ['kind', 'inputs', 'scaling', 'mean rel err', 'max rel err', 'mean bias', 'non-finite'],
    r.rows.map((x) => [x.kind, x.input_rounding, x.scaling, pct(x.mean_rel_error), pct(x.max_rel_error), pct(x.mean_bias), String(x.non_finite)]),
  );
  process.stdout.write('\nL-Mul paper claims (lhs <= rhs * (1 + margin)):\n');
  printTable(
    ['claim', 'lhs', 'rhs', 'margin', 'result'],
    r.claims.map((c) => [c.claim, `${c.lhs} ${pct(c.lhs_error)}`, `${c.rhs} ${pct(c.rhs_error)}`, pct(c.margin), c.holds ? 'holds' : 'does not hold']),
  );
}

const mulSub: CommandModule<object, MulArgs> = {
  command: 'mul',
  describe: 'mean/max relative error and bias of every multiplier kind against the exact product',
  builder: (y) =>
    y
      .option('samples', integerOption('samples', { default: 100000, min: 1, limit: 'samples', describe: 'number of (x, y) pairs' }))
      .option('dist', { type: 'string', choices: ['loguniform', 'normal'], default: 'loguniform', describe: 'input distribution (loguniform: |x| in [2^-4, 2^4], random sign)' })
      .option('seed', integerOption('seed', { default: 1, describe: 'random seed' }))
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .example('$0 precision mul --samples 100000 --seed 1', "reproduces the L-Mul paper's precision claims"),
  handler: (args) => {
    const dist = args.dist === 'normal' ? 'normal' : 'loguniform';
    const report = mulPrecision({ samples: args.samples, dist, seed: args.seed });
    if (args.json) printJson(report);
    else printReport(report);
  },
};

export const DEFAULT_BASELINE = packageFile('baselines/precision.json');
export const DEFAULT_TRAINED_METRICS = packageFile('models/data/trained/metrics.json');

interface CheckArgs {
  baseline: string;
  update: boolean;
  json: boolean;
  trainedMetrics: string;
}

const shown = (file: string) => {
  const r = relative(process.cwd(), file);
  return r.startsWith('..') ? file : r;
};

function readTrained(file: string): { metrics?: unknown; reason?: string } {
  if (!existsSync(file)) return { reason: `${shown(file)} not found (no trained models yet)` };
  const text = readInputText(file, '--trained-metrics');
  try {
    return { metrics: JSON.parse(text) as unknown };
  } catch (e) {
    throw new InputError(`${file}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const checkSub: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'regression check: multiplier statistics, bit-exact functional hashes of every PE x dataflow, trained accuracies vs a baseline',
  builder: (y) =>
    y
      .option('baseline', { type: 'string', default: DEFAULT_BASELINE, defaultDescription: 'baselines/precision.json', describe: 'baseline file' })
      .option('update', { type: 'boolean', default: false, describe: 'rewrite the baseline with the current figures and print what changed' })
      .option('trained-metrics', {
        type: 'string', default: DEFAULT_TRAINED_METRICS, defaultDescription: 'models/data/trained/metrics.json',
        describe: "the trained models' metrics (skipped when the file does not exist)",
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON' })
      .example('$0 precision check', 'compare with baselines/precision.json; exit 1 on any change')
      .example('$0 precision check --update', 'accept the current figures as the new baseline')
      .example('$0 precision check --json | jq .diffs', 'the differences, machine-readable') as unknown as Argv<CheckArgs>,
  handler: (args) => {
    // every input is read and checked before the suite runs (it takes a while)
    let old: Baseline | undefined;
    if (existsSync(args.baseline)) old = parseBaseline(readInputText(args.baseline, '--baseline'), args.baseline);
    else if (!args.update) {
      throw new InputError(`no baseline at ${args.baseline}: create one with bitweave precision check --update --baseline ${args.baseline}`);
    }
    if (args.update) checkOutputDir(dirname(args.baseline), '--baseline: the folder');
    const trained = readTrained(args.trainedMetrics);
    const started = Date.now();
    const now = runPrecisionSuite({
      ...(trained.metrics !== undefined && { trainedMetrics: trained.metrics, accuracyOf: trainedAccuracy }),
      ...(trained.reason !== undefined && { trainedSkipReason: trained.reason }),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const count = Object.keys(now.entries).length;

    if (args.update) {
      const next = newBaseline(old, now);
      const changes = updateChanges(old, now);
      mkdirSync(dirname(args.baseline), { recursive: true });
      writeFileAtomic(args.baseline, serializeBaseline(next));
      if (args.json) return printJson({ updated: shown(args.baseline), entries: Object.keys(next.entries).length, changes, skipped: now.skipped });
      process.stdout.write(`${old ? 'updated' : 'created'} ${shown(args.baseline)}: ${Object.keys(next.entries).length} entries (suite ran in ${seconds} s)\n`);
      if (old && changes.length === 0) process.stdout.write('nothing changed\n');
      else if (old) {
        process.stdout.write(`${changes.length} entries changed:\n\n`);
        printBaselineDiff(changes, false);
      }
      for (const [g, why] of Object.entries(now.skipped)) process.stdout.write(`skipped ${g}: ${why}${old ? ' (its baseline entries kept)' : ''}\n`);
      return;
    }

    const cmp = compareWithBaseline(old as Baseline, now);
    if (!cmp.ok) process.exitCode = 1;
    if (args.json) {
      return printJson({ ok: cmp.ok, baseline: shown(args.baseline), entries: count, compared: cmp.compared, diffs: cmp.rows, skipped: now.skipped });
    }
    const failing = cmp.rows.filter((r) => r.fails);
    process.stdout.write(
      `precision check: ${cmp.compared} of ${count} figures compared with ${shown(args.baseline)} in ${seconds} s: ` +
        (cmp.ok ? 'OK\n' : `${failing.length} FAILED\n`),
    );
    if (cmp.rows.length > 0) {
      process.stdout.write('\n');
      printBaselineDiff(cmp.rows);
    }
    for (const [g, why] of Object.entries(now.skipped)) process.stdout.write(`skipped ${g}: ${why}\n`);
    if (!cmp.ok) {
      process.stdout.write('\nif the change is intended, accept it with: bitweave precision check --update (and review the baseline diff)\n');
    } else if (cmp.rows.some((r) => r.verdict === 'new')) {
      process.stdout.write('\nnew figures are not in the baseline yet: bitweave precision check --update records them\n');
    }
  },
};

/** MLP and CNN on the first 100 test images through a PE: top-1 and the logits' hash. */
function trainedAccuracy(pe: PeKind): TrainedAccuracy[] {
  const images = 100;
  const data = loadFmnist({ limit: images });
  const x = normalizeImages(data, 0, images);
  return ['mlp', 'cnn'].filter((m) => trainedMetrics()[m] !== undefined).map((model) => {
    const g = loadGraph(resolveTrainedModel(model));
    const r = evaluateImages(g, x, images, { array: arrayBackend(pe, { dataflow: 'os', rows: 32 }) }, false);
    const top1 = summarize(r, data.labels).top1;
    const logits = createHash('sha256').update(new Uint8Array(r.logits.buffer)).digest('hex').slice(0, 16);
    return { model, images, top1, logits };
  });
}

export const precisionCommand: CommandBody<object> = {
  builder: (y: Argv) =>
    y
      .command(strictCommand(mulSub))
      .command(dotSub as unknown as CommandModule<object, object>)
      .command(strictCommand(checkSub) as unknown as CommandModule<object, object>)
      .demandCommand(1, 'name a precision study: mul, dot, check')
      .example('$0 precision mul --samples 100000 --seed 1', 'error statistics of every multiplier kind')
      .example('$0 precision dot --format e4m3 --k 4096 --acc-bits 15 --acc-promote 128', 'dot products through a limited accumulator')
      .example('$0 precision check', 'the precision regression check'),
  handler: () => undefined,
};
