/**
 * One fuzz campaign: every corpus (test/fuzz/corpora.ts) through the driver, and the
 * precision baselines through their parser (a baseline the parser accepts would start the
 * 10-second precision suite, so only refused ones go through the CLI, where they must be
 * refused before the suite starts). `npm test` runs a small seeded campaign
 * (test/fuzz/fuzz.test.ts), `npm run fuzz` a long one (test/fuzz/run-fuzz.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../sim/errors.ts';
import { parseBaseline } from '../../sim/precision-check/baseline.ts';
import { decodeText } from '../../models/io/input-file.ts';
import { allInputs, baselineDocs, SMALL } from './corpora.ts';
import { countOutcomes, FuzzDriver, type FuzzCounts, type Outcome } from './driver.ts';

export interface CampaignOptions {
  readonly perCategory: number;
  readonly seed: number;
  /** called after each input (progress) */
  readonly onOutcome?: (o: Outcome, done: number, total: number) => void;
  /** per-input time limit, ms */
  readonly timeoutMs?: number;
}

export interface CampaignResult {
  readonly outcomes: readonly Outcome[];
  readonly counts: FuzzCounts;
  /** baselines: parsed, refused by the parser, parser errors that were not InputErrors */
  readonly baselines: { readonly tried: number; readonly accepted: number; readonly refused: number; readonly parserCrashes: readonly string[] };
  readonly seconds: number;
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const t0 = performance.now();
  // the runs' working folder: a command that writes to a default folder writes here, where the driver sees it
  const scratch = mkdtempSync(join(tmpdir(), 'bitweave-fuzz-'));
  const driver = new FuzzDriver({ scratch, ...(opts.timeoutMs !== undefined && { timeoutMs: opts.timeoutMs }) });
  try {
    // a real result for the report corpus
    const seedRun = await driver.run({ category: 'setup', args: ['run', '--arch', 'edge', '--gemm', '32x24x40', '--out', '{dir}/o'] });
    if (seedRun.verdict !== 'ok') throw new Error(`fuzz setup: run failed: ${seedRun.stderr}`);
    const { readFileSync } = await import('node:fs');
    const runResult = JSON.parse(readFileSync(join(seedRun.dir, 'o', 'sim_result.json'), 'utf8')) as unknown;

    const inputs = allInputs(opts.perCategory, opts.seed, runResult);
    const docs = baselineDocs(opts.perCategory, opts.seed + 100);
    const total = inputs.length + docs.length;
    const outcomes: Outcome[] = [];
    let done = 0;
    for (const input of inputs) {
      const o = await driver.run(input);
      outcomes.push(o);
      opts.onOutcome?.(o, ++done, total);
      rmSync(o.dir, { recursive: true, force: true });
    }
    let accepted = 0, refused = 0;
    const parserCrashes: string[] = [];
    for (const { text } of docs) {
      try {
        parseBaseline(decodeText(text, 'baseline.json'), 'baseline.json');
        accepted++;
        done++;
        continue;
      } catch (e) {
        if (!(e instanceof InputError)) {
          parserCrashes.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
          done++;
          continue;
        }
      }
      refused++;
      const o = await driver.run({
        category: 'baseline', files: { 'b.json': text },
        args: ['precision', 'check', '--baseline', '{dir}/b.json', ...SMALL], timeoutMs: 10_000,
      });
      outcomes.push(o);
      opts.onOutcome?.(o, ++done, total);
      rmSync(o.dir, { recursive: true, force: true });
    }
    const seconds = (performance.now() - t0) / 1000;
    return { outcomes, counts: countOutcomes(outcomes), baselines: { tried: docs.length, accepted, refused, parserCrashes }, seconds };
  } finally {
    await driver.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A failed outcome as one readable paragraph (input, verdict, stderr). */
export function describeOutcome(o: Outcome): string {
  const files = Object.keys(o.input.files ?? {});
  return `[${o.input.category}] ${o.verdict} (exit ${o.code ?? '-'}, ${o.ms.toFixed(0)} ms): bitweave ${o.input.args.join(' ')}` +
    `${files.length ? ` (files: ${files.join(', ')})` : ''}${o.changed ? `\n  wrote: ${o.changed.join(', ')}` : ''}\n  ${o.stderr.slice(0, 600).replace(/\n/g, '\n  ')}`;
}

/** Saves a failing input's files for a later look (npm run fuzz). */
export function keepInput(o: Outcome, dir: string, n: number): void {
  const d = join(dir, `failure-${n}`);
  mkdirSync(d, { recursive: true });
  for (const [name, data] of Object.entries(o.input.files ?? {})) writeFileSync(join(d, name), data);
  writeFileSync(join(d, 'README.txt'), describeOutcome(o) + '\n');
}
