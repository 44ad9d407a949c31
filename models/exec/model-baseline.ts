/**
 * A precision baseline of the user's own model (`bitweave exec --baseline FILE`): the figures
 * of one exec run as baseline entries, in the format and with the comparison rules of
 * `bitweave precision check` (sim/precision-check/baseline.ts), so a team can gate its CI on
 * the numerics of its own network.
 *
 * Entries (the first path segment is the group):
 *   config/...                       what was run: the model's and every input's sha256, the
 *                                    array order (dataflow, rows, accumulation, partial-sum
 *                                    format) and the PE options; exact
 *   reference/<output>/hash          the fp32 reference executor's output bits; exact
 *   <pe>/<output>/hash               the PE run's output bits (sha256 of the fp32 patterns); exact
 *   <pe>/<output>/max_abs|max_rel|snr_db|cosine   its error figures (error-figures.ts); exact
 *                                    too (they follow from the bits), shown so a diff says how
 *                                    far an output moved
 * A PE kind in the baseline that this run did not ask for is skipped (it passes, and --update
 * keeps its entries).
 */
import type { Entry } from '../../sim/precision-check/suite.ts';
import { entryValue } from '../../sim/precision-check/suite.ts';
import type { Baseline, FigureSet } from '../../sim/precision-check/baseline.ts';
import type { ExecResult } from './run-model.ts';

export const EXEC_BASELINE_COMMENT = 'bitweave exec baseline of a model on its inputs: regenerate with the same `bitweave exec ... --baseline FILE --update` and review the diff';

export interface ExecConfig {
  readonly model: string;
  readonly model_sha256: string;
  readonly inputs: Readonly<Record<string, { readonly shape: readonly number[]; readonly sha256: string }>>;
  readonly order: Readonly<Record<string, string | number>>;
  readonly pe_options: Readonly<Record<string, string | boolean>>;
}

const FIGURES = ['max_abs', 'max_rel', 'snr_db', 'cosine'] as const;

export function execFigures(result: ExecResult, config: ExecConfig, old?: Baseline): FigureSet {
  const entries: Record<string, Entry> = {};
  entries['config/model_sha256'] = { value: config.model_sha256 };
  for (const [name, i] of Object.entries(config.inputs)) {
    entries[`config/input/${name}/sha256`] = { value: i.sha256 };
    entries[`config/input/${name}/shape`] = { value: i.shape.join('x') };
  }
  for (const [k, v] of Object.entries(config.order)) entries[`config/order/${k}`] = { value: v };
  for (const [k, v] of Object.entries(config.pe_options)) entries[`config/pe_options/${k}`] = { value: v };
  for (const o of result.reference.outputs) entries[`reference/${o.name}/hash`] = { value: `${o.values.length}:${o.hash}` };
  for (const run of result.runs) {
    for (const o of run.outputs) {
      entries[`${run.label}/${o.name}/hash`] = { value: `${o.values.length}:${o.hash}` };
      for (const f of FIGURES) entries[`${run.label}/${o.name}/${f}`] = { value: entryValue(o.figures[f]) };
    }
  }
  // PE kinds recorded before but not asked for now
  const skipped: Record<string, string> = {};
  const asked = new Set(['config', 'reference', ...result.runs.map((r) => r.label)]);
  for (const key of Object.keys(old?.entries ?? {})) {
    const group = key.slice(0, key.indexOf('/'));
    if (!asked.has(group)) skipped[group] = 'not asked for this time (--pe)';
  }
  const sorted: Record<string, Entry> = {};
  for (const k of Object.keys(entries).sort()) sorted[k] = entries[k];
  return { config: { ...config }, entries: sorted, skipped };
}
