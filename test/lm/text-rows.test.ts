/**
 * Resumable rows of the language model's table (models/accuracy/text-rows.ts): the reference
 * row's per-window figures equal PyTorch's recorded per-window figures (bits to 1e-6 per
 * character, top-1 hits exactly), a reopened checkpoint continues where it stopped (a torn
 * last line is computed again), and a checkpoint of another setup is refused.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccuracySetup } from '../../models/accuracy/task.ts';
import { recordedLmWindows, resolveTrainedModel } from '../../models/accuracy/trained.ts';
import { CONTEXT, fillRow, openRow, type RowSpec } from '../../models/accuracy/text-rows.ts';

const dir = mkdtempSync(join(tmpdir(), 'bitweave-text-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const setup: AccuracySetup = { modelFile: resolveTrainedModel('lm-austen'), dataset: 'austen', pe: 'fp32', peOptions: {}, dataflow: 'os', rows: 32 };
const reference: RowSpec = { id: 'reference', pe: '-', attentionPe: '-', reference: true };

describe('text rows: resumable per-window results', () => {
  it('the reference row equals PyTorch window by window; a reopened row continues; a torn line is run again', async () => {
    const row = openRow(dir, reference, setup);
    expect(row.missing(2)).toEqual([0, 1]);
    await fillRow(row, setup, 1, 1, 4);
    const again = openRow(dir, reference, setup);
    expect(again.missing(2)).toEqual([1]);
    appendFileSync(again.file, '{"w":1,"bits":12'); // a run killed mid-line
    const torn = openRow(dir, reference, setup);
    expect(torn.missing(2)).toEqual([1]);
    await fillRow(torn, setup, 2, 1, 4);
    const done = openRow(dir, reference, setup);
    expect(done.missing(2)).toEqual([]);
    const recorded = recordedLmWindows('lm-austen')!.windows;
    for (let w = 0; w < 2; w++) {
      const r = done.windows.get(w)!;
      expect(Math.abs(r.bits - recorded[2 * w]) / CONTEXT).toBeLessThan(1e-6);
      expect(r.hits).toBe(recorded[2 * w + 1]);
      expect(r.choices.length).toBe(CONTEXT);
    }
    const t = done.totals(2);
    expect(t.bits).toBe(done.windows.get(0)!.bits + done.windows.get(1)!.bits);
    expect(done.agreement(done, 2)).toBe(1);
    expect(readFileSync(done.file, 'utf8').split('\n')[0]).toContain('"model_sha256"');
  });

  it('refuses a checkpoint made for another setup', () => {
    openRow(dir, { id: 'fp8-e4m3', pe: 'fp8-e4m3', attentionPe: 'fp8-e4m3' }, setup);
    expect(() => openRow(dir, { id: 'fp8-e4m3', pe: 'fp8-e4m3', attentionPe: 'fp8-e4m3' }, { ...setup, dataflow: 'ws' })).toThrow(/another model, text or setup/);
  });
});
