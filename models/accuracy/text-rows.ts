/**
 * Rows of a language model's accuracy table on a text set (bench/lm-table.ts), window by window and
 * resumable: each row (the fp32 reference executor, a PE kind, a PE kind in the attention
 * matmuls only) keeps its per-window results in a checkpoint file as they finish, so a run
 * over the whole evaluation split (3,647 windows of 1.2 x 10^8 bit-accurate MACs per row) can
 * be stopped and continued, and nothing computed is lost. Per window: the bits of its 128
 * targets, its top-1 hits and its 128 next-character choices (for agreement with the
 * reference). Totals are summed in window order, so they do not depend on how the windows were
 * split between runs, workers or jobs.
 *
 * Checkpoint `<dir>/<row>.jsonl`: a header line naming the model and text (sha256) and the row's
 * setup, then one line per window {w, bits, hits, choices (base64)}. A checkpoint of another
 * model, text or setup is refused; a torn last line (a killed run) is ignored.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccuracySetup, AccuracyTask } from './task.ts';
import { runAccuracyTask } from './task.ts';
import type { TextChunk } from './text.ts';
import { loadText, TEXT_SETS } from '../data/text.ts';
import { workerModule } from '../package-files.ts';
import { runShared } from '../parallel.ts';
import { getPe } from '../../sim/pe/registry.ts';

export const CONTEXT = 128;

export interface RowSpec {
  /** file name of the checkpoint and key in the table */
  readonly id: string;
  /** PE of the linear layers ('-' for the reference executor) */
  readonly pe: string;
  /** PE of the attention matmuls */
  readonly attentionPe: string;
  /** the fp32 reference executor (float64 sums), not a PE */
  readonly reference?: boolean;
}

export interface WindowResult {
  readonly bits: number;
  readonly hits: number;
  readonly choices: Uint8Array;
}

/** The per-window results of one row: the windows done so far, by index. */
export class RowState {
  readonly windows = new Map<number, WindowResult>();
  constructor(readonly spec: RowSpec, readonly file: string) {}

  /** The windows of [0, n) not done yet. */
  missing(n: number): number[] {
    const out: number[] = [];
    for (let w = 0; w < n; w++) if (!this.windows.has(w)) out.push(w);
    return out;
  }

  /** Totals over windows [0, n), in window order (all must be done). */
  totals(n: number): { bits: number; hits: number; characters: number } {
    let bits = 0, hits = 0;
    for (let w = 0; w < n; w++) {
      const r = this.windows.get(w);
      if (!r) throw new Error(`${this.spec.id}: window ${w} not done`);
      bits += r.bits;
      hits += r.hits;
    }
    return { bits, hits, characters: n * CONTEXT };
  }

  /** Share of positions of windows [0, n) whose choice equals `other`'s. */
  agreement(other: RowState, n: number): number {
    let same = 0;
    for (let w = 0; w < n; w++) {
      const a = this.windows.get(w)!.choices, b = other.windows.get(w)!.choices;
      for (let p = 0; p < CONTEXT; p++) if (a[p] === b[p]) same++;
    }
    return same / (n * CONTEXT);
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * How a row's PEs scale a language model's operands, where it is not "not at all": integer,
 * binary and ternary formats per token, block formats (MX, NVFP4) per token with each query's
 * values over the keys it reads (models/exec/token-scales.ts).
 */
function scalesOf(spec: RowSpec, setup: AccuracySetup): string | undefined {
  if (spec.reference) return undefined;
  const kinds = [spec.pe, spec.attentionPe].map((p) => getPe(p, setup.peOptions).input.kind);
  if (kinds.some((k) => ['int', 'binary', 'ternary'].includes(k))) return 'per token';
  if (kinds.includes('block')) return 'per token, causal blocks';
  return undefined;
}

function header(spec: RowSpec, setup: AccuracySetup): string {
  const scales = scalesOf(spec, setup);
  return JSON.stringify({
    model_sha256: sha256(readFileSync(setup.modelFile)),
    text_sha256: sha256(loadText(setup.dataset)),
    text: TEXT_SETS[setup.dataset].file,
    row: spec,
    setup: { dataflow: setup.dataflow, rows: setup.rows, peOptions: setup.peOptions },
    // rows written with scales over the window (before per-token scales, or block rows before
    // causal blocks) are refused
    ...(scales !== undefined && { scales }),
  });
}

/** A row's checkpoint, read (refused when it belongs to another model, text or setup) or started. */
export function openRow(dir: string, spec: RowSpec, setup: AccuracySetup): RowState {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${spec.id}.jsonl`);
  const state = new RowState(spec, file);
  const head = header(spec, setup);
  if (!existsSync(file)) {
    writeFileSync(file, head + '\n');
    return state;
  }
  const content = readFileSync(file, 'utf8');
  // a torn last line ends here, so that the next window's line starts on its own
  if (!content.endsWith('\n')) appendFileSync(file, '\n');
  const lines = content.split('\n');
  if (lines[0] !== head) throw new Error(`${file}: made for another model, text or setup (delete it to start the row again)`);
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    let r: { w: number; bits: number; hits: number; choices: string };
    try {
      r = JSON.parse(line);
    } catch {
      continue; // torn by a kill: the window is computed again
    }
    const choices = new Uint8Array(Buffer.from(r.choices, 'base64'));
    if (choices.length === CONTEXT) state.windows.set(r.w, { bits: r.bits, hits: r.hits, choices });
  }
  return state;
}

const workerFile = workerModule('models/accuracy/worker');

/**
 * Computes the row's missing windows of [0, n), `chunk` consecutive windows per task on `jobs`
 * threads, appending each task's windows to the checkpoint as it finishes.
 */
export async function fillRow(state: RowState, setup: AccuracySetup, n: number, jobs: number, chunk: number,
  onProgress?: (done: number, total: number) => void): Promise<void> {
  const missing = state.missing(n);
  const tasks: AccuracyTask[] = [];
  for (let i = 0; i < missing.length;) {
    let j = i + 1;
    while (j < missing.length && j - i < chunk && missing[j] === missing[j - 1] + 1) j++;
    const { spec } = state;
    tasks.push({
      ...setup, pe: spec.reference ? 'fp32' : spec.pe, ...(!spec.reference && spec.attentionPe !== spec.pe && { attentionPe: spec.attentionPe }),
      start: missing[i], count: j - i, reference: false, ...(spec.reference && { referenceOnly: true }),
    });
    i = j;
  }
  let done = n - missing.length;
  const settled = await runShared(tasks, {
    jobs, workerFile, local: runAccuracyTask,
    onResult: (t, r) => {
      const c = r as TextChunk;
      let lines = '';
      for (let i = 0; i < t.count; i++) {
        const w = t.start + i;
        const choices = Uint8Array.from(c.choices.subarray(i * CONTEXT, (i + 1) * CONTEXT));
        state.windows.set(w, { bits: c.bits[i], hits: c.hits[i], choices });
        lines += JSON.stringify({ w, bits: c.bits[i], hits: c.hits[i], choices: Buffer.from(choices).toString('base64') }) + '\n';
      }
      appendFileSync(state.file, lines);
      done += t.count;
      onProgress?.(done, n);
    },
  });
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
}
