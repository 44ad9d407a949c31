/**
 * `npm run fuzz [-- --per-category N --seed S --keep DIR]`: a long fuzz campaign of the CLI
 * (test/fuzz/campaign.ts); prints the counts per corpus and verdict (the README quotes them)
 * and every failing input; exits 1 when any input failed. `--keep DIR` saves failing inputs.
 */
import { parseArgs } from 'node:util';
import { describeOutcome, keepInput, runCampaign } from './campaign.ts';
import { GOOD } from './driver.ts';

const { values } = parseArgs({
  options: {
    'per-category': { type: 'string', default: '150' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const perCategory = Number(values['per-category']);
const seed = Number(values.seed);
if (!Number.isSafeInteger(perCategory) || perCategory < 1 || !Number.isSafeInteger(seed)) {
  process.stderr.write('usage: npm run fuzz -- [--per-category N] [--seed S] [--keep DIR] [--json]\n');
  process.exit(2);
}

const result = await runCampaign({
  perCategory, seed, timeoutMs: 60_000,
  onOutcome: (o, done, total) => {
    if (!GOOD.has(o.verdict)) process.stderr.write(`\n${describeOutcome(o)}\n`);
    if (done % 25 === 0 || done === total) process.stderr.write(`fuzz: ${done}/${total}\r`);
  },
});
const bad = result.outcomes.filter((o) => !GOOD.has(o.verdict));
if (values.keep !== undefined) bad.forEach((o, i) => keepInput(o, values.keep as string, i));
const c = result.counts;
const summary = {
  seed, per_category: perCategory, seconds: Math.round(result.seconds),
  inputs_tried: c.tried + result.baselines.accepted,
  exit_0: c.byVerdict.ok, clean_errors: c.byVerdict['clean-error'],
  internal_errors: c.byVerdict['internal-error'] + c.byVerdict['bad-exit'] + c.byVerdict.crash + result.baselines.parserCrashes.length,
  stack_traces: c.byVerdict['stack-trace'], control_chars: c.byVerdict['control-chars'], wrote_on_error: c.byVerdict['wrote-on-error'],
  hangs: c.byVerdict.hang, out_of_memory: c.byVerdict.memory, slowest_ms: Math.round(c.maxMs),
  baselines: { tried: result.baselines.tried, accepted_by_parser: result.baselines.accepted, refused: result.baselines.refused },
  by_category: c.byCategory,
};
if (values.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
else {
  process.stdout.write(`\nfuzz campaign: seed ${seed}, ${perCategory} inputs per corpus, ${summary.seconds} s\n\n`);
  process.stdout.write('corpus     tried  exit 0  clean exit 2  failed\n');
  for (const [cat, v] of Object.entries(c.byCategory)) {
    process.stdout.write(`${cat.padEnd(10)} ${String(v.tried).padStart(5)}  ${String(v.ok).padStart(6)}  ${String(v.cleanErrors).padStart(12)}  ${String(v.bad).padStart(6)}\n`);
  }
  process.stdout.write(`baselines: ${result.baselines.tried} tried, ${result.baselines.accepted} accepted by the parser (not run), ${result.baselines.refused} refused (run through the CLI above)\n`);
  process.stdout.write(
    `\ninputs tried ${summary.inputs_tried}; exit 0 ${summary.exit_0}; clean errors (exit 2) ${summary.clean_errors}; internal errors ${summary.internal_errors}; ` +
      `stack traces ${summary.stack_traces}; control characters ${summary.control_chars}; files written on error ${summary.wrote_on_error}; ` +
      `hangs ${summary.hangs}; out of memory ${summary.out_of_memory}; slowest input ${summary.slowest_ms} ms\n`,
  );
}
process.exitCode = bad.length > 0 || result.baselines.parserCrashes.length > 0 ? 1 : 0;
