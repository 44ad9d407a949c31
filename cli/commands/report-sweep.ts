/**
 * `bitweave report DIR` when DIR holds a sweep's results (results.jsonl, as `bitweave sweep`
 * and `bitweave sweep-merge` write): the trade-off plots of reports/sweep-report.ts.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../../sim/errors.ts';
import { buildSweepReport } from '../../reports/sweep-report.ts';
import { readResults, readSweepMeta, RESULTS_JSONL } from '../../sweep/results.ts';
import { printJson } from '../io.ts';
import { OutputDir } from '../../models/io/output-files.ts';
import { checkPointResult } from '../../reports/result-input.ts';

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
  lines.forEach((l, i) => {
    if (l.status === 'ok') checkPointResult(l.result, `${resultsFile}:${i + 1}`);
  });
  const rep = buildSweepReport(lines, readSweepMeta(dir), {
    ...(args.xAxis !== undefined && { x: args.xAxis }),
    ...(args.yAxis !== undefined && { y: args.yAxis }),
    ...(args.color !== undefined && { color: args.color }),
  });
  const out = args.out ?? dir;
  const files = new OutputDir(out);
  for (const [name, text] of Object.entries(rep.files)) files.write(name, text);
  files.commit();
  if (args.json) {
    printJson({ out, files: Object.keys(rep.files), points: rep.points, ok: rep.ok, failed: rep.failed, charts: rep.charts });
    return;
  }
  process.stdout.write(
    `wrote ${Object.keys(rep.files).length} files to ${out}: sweep.md, sweep.html, pareto.csv and ${rep.charts.length} charts\n` +
      rep.charts.map((c) => `${c.file}: ${c.y} vs ${c.x}, ${c.pareto.length} Pareto-optimal points (${c.pareto.join(', ')}; numbered from 0 as in results.jsonl)\n`).join(''),
  );
}
