/**
 * `bitweave report DIR` when DIR holds a sweep's results (results.jsonl, as `bitweave sweep`
 * and `bitweave sweep-merge` write): the trade-off plots of reports/sweep-report.ts.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../../sim/errors.ts';
import { buildSweepReport } from '../../reports/sweep-report.ts';
import { readResults, readSweepMeta, RESULTS_JSONL } from '../../sweep/runner.ts';
import { printJson } from '../io.ts';

/** results.jsonl of a sweep directory (or the file itself), or undefined for anything else */
export function sweepResultsOf(input: string): string | undefined {
  if (!existsSync(input)) return undefined;
  if (statSync(input).isDirectory()) {
    const f = join(input, RESULTS_JSONL);
    return existsSync(f) && !existsSync(join(input, 'sim_result.json')) ? f : undefined;
  }
  return basename(input).endsWith('.jsonl') ? input : undefined;
}

export interface SweepReportArgs {
  readonly out?: string;
  readonly xAxis?: string;
  readonly yAxis?: string;
  readonly color?: string;
  readonly json: boolean;
}

export function reportSweep(resultsFile: string, args: SweepReportArgs): void {
  const dir = dirname(resultsFile);
  const lines = readResults(resultsFile);
  if (lines.length === 0) throw new InputError(`report: ${resultsFile} has no results yet`);
  const rep = buildSweepReport(lines, readSweepMeta(dir), {
    ...(args.xAxis !== undefined && { x: args.xAxis }),
    ...(args.yAxis !== undefined && { y: args.yAxis }),
    ...(args.color !== undefined && { color: args.color }),
  });
  const out = args.out ?? dir;
  mkdirSync(out, { recursive: true });
  for (const [name, text] of Object.entries(rep.files)) writeFileSync(join(out, name), text);
  if (args.json) {
    printJson({ out, files: Object.keys(rep.files), points: rep.points, ok: rep.ok, failed: rep.failed, charts: rep.charts });
    return;
  }
  process.stdout.write(
    `wrote ${Object.keys(rep.files).length} files to ${out}: sweep.md, sweep.html, pareto.csv and ${rep.charts.length} charts\n` +
      rep.charts.map((c) => `${c.file}: ${c.y} vs ${c.x}, ${c.pareto.length} Pareto-optimal points (${c.pareto.join(', ')}; numbered from 0 as in results.jsonl)\n`).join(''),
  );
}
