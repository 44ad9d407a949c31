/**
 * The committed precision baseline (baselines/precision.json) and the comparison of a suite
 * run with it; `bitweave exec --baseline` pins a user's model with the same format and rules
 * (any set of figures: `FigureSet`). A baseline entry is { value, tol? }; the tolerance that applies is the
 * suite's current one (suite.ts), written into the file so a reader sees it.
 *
 * Verdicts per key:
 *  - changed: in both, outside the tolerance (any change at all for bit hashes) -> fails
 *  - missing: in the baseline, not produced now -> fails (unless its group was skipped)
 *  - skipped: in the baseline, its group did not run (e.g. no trained models) -> passes
 *  - new: produced now, not in the baseline -> passes (`--update` records it)
 */
import { z } from 'zod';
import { InputError } from '../errors.ts';
import type { Entry, EntryValue, SuiteConfig, Tolerance } from './suite.ts';

export const BASELINE_VERSION = 1;

export interface Baseline {
  readonly version: number;
  readonly config: SuiteConfig | Record<string, unknown>;
  readonly entries: Readonly<Record<string, Entry>>;
}

/** Figures to compare with a baseline: the suite's, or a user model's (`bitweave exec`). */
export interface FigureSet {
  readonly config: SuiteConfig | Record<string, unknown>;
  /** key -> entry; the key's first segment is its group */
  readonly entries: Readonly<Record<string, Entry>>;
  /** groups that did not run this time, with why: their baseline entries pass and are kept by --update */
  readonly skipped: Readonly<Record<string, string>>;
}

export type Verdict = 'changed' | 'missing' | 'skipped' | 'new';

export interface DiffRow {
  readonly key: string;
  readonly verdict: Verdict;
  readonly baseline: string;
  readonly now: string;
  readonly delta: string;
  readonly tolerance: string;
  readonly fails: boolean;
}

export interface Comparison {
  readonly ok: boolean;
  readonly compared: number;
  readonly rows: readonly DiffRow[];
}

function show(v: EntryValue | undefined): string {
  if (v === undefined) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(6);
  return String(v);
}

function showTol(t: Tolerance | undefined): string {
  if (!t) return 'exact';
  const parts: string[] = [];
  if (t.abs !== undefined) parts.push(`abs ${t.abs}`);
  if (t.rel !== undefined) parts.push(`rel ${t.rel}`);
  return parts.join(', ') || 'exact';
}

function within(base: EntryValue, now: EntryValue, tol: Tolerance | undefined): boolean {
  if (typeof base === 'number' && typeof now === 'number') {
    const limit = Math.max(tol?.abs ?? 0, (tol?.rel ?? 0) * Math.abs(base));
    return Math.abs(now - base) <= limit;
  }
  return base === now;
}

function delta(base: EntryValue | undefined, now: EntryValue | undefined): string {
  if (typeof base === 'number' && typeof now === 'number') {
    const d = now - base;
    return (d >= 0 ? '+' : '') + (Number.isInteger(d) ? String(d) : d.toPrecision(3));
  }
  if (base === undefined || now === undefined) return '-';
  return 'bits differ';
}

/** the group of a key: its first path segment (mul, claim, func, trained) */
export function groupOf(key: string): string {
  return key.slice(0, key.indexOf('/') < 0 ? key.length : key.indexOf('/'));
}

export function compareWithBaseline(baseline: Baseline, now: FigureSet): Comparison {
  const rows: DiffRow[] = [];
  let compared = 0;
  const keys = [...new Set([...Object.keys(baseline.entries), ...Object.keys(now.entries)])].sort();
  for (const key of keys) {
    const b = baseline.entries[key], n = now.entries[key];
    const tol = n?.tol ?? b?.tol;
    const row = (verdict: Verdict, fails: boolean): DiffRow => ({
      key, verdict, baseline: show(b?.value), now: show(n?.value), delta: delta(b?.value, n?.value), tolerance: showTol(tol), fails,
    });
    if (b && n) {
      compared++;
      if (!within(b.value, n.value, tol)) rows.push(row('changed', true));
    } else if (b) {
      const skipped = now.skipped[groupOf(key)] !== undefined;
      rows.push(row(skipped ? 'skipped' : 'missing', !skipped));
    } else {
      rows.push(row('new', false));
    }
  }
  return { ok: rows.every((r) => !r.fails), compared, rows };
}

/** The rows an update changes: everything that differs from the old baseline, skips aside. */
export function updateChanges(old: Baseline | undefined, now: FigureSet): DiffRow[] {
  if (!old) return [];
  const rows: DiffRow[] = [];
  for (const r of compareWithBaseline(old, now).rows) if (r.verdict !== 'skipped') rows.push(r);
  // also values that moved within tolerance: the file changes for them too
  for (const [key, n] of Object.entries(now.entries)) {
    const b = old.entries[key];
    if (b && b.value !== n.value && within(b.value, n.value, n.tol)) {
      rows.push({ key, verdict: 'changed', baseline: show(b.value), now: show(n.value), delta: delta(b.value, n.value), tolerance: showTol(n.tol), fails: false });
    }
  }
  return rows.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

/**
 * The new baseline: the suite's entries, plus the old baseline's entries of groups that were
 * skipped this time (an update without the trained models keeps their pinned accuracies).
 */
export function newBaseline(old: Baseline | undefined, now: FigureSet): Baseline {
  const entries: Record<string, Entry> = { ...now.entries };
  if (old) {
    for (const [k, e] of Object.entries(old.entries)) {
      if (entries[k] === undefined && now.skipped[groupOf(k)] !== undefined) entries[k] = e;
    }
  }
  const sorted: Record<string, Entry> = {};
  for (const k of Object.keys(entries).sort()) sorted[k] = entries[k];
  return { version: BASELINE_VERSION, config: now.config, entries: sorted };
}

const PRECISION_COMMENT = 'bitweave precision check baseline: regenerate with `bitweave precision check --update` and review the diff';

/** JSON with one entry per line, so a changed figure is a one-line diff in review. */
export function serializeBaseline(b: Baseline, comment = PRECISION_COMMENT): string {
  const head = {
    comment,
    version: b.version,
    config: b.config,
  };
  const lines = Object.entries(b.entries).map(([k, e]) => `    ${JSON.stringify(k)}: ${JSON.stringify(e)}`);
  const headText = JSON.stringify(head, null, 2);
  return `${headText.slice(0, -2)},\n  "entries": {\n${lines.join(',\n')}\n  }\n}\n`;
}

const toleranceSchema = z.strictObject({ abs: z.number().nonnegative().optional(), rel: z.number().nonnegative().optional() });
const entrySchema = z.strictObject({ value: z.union([z.number(), z.string(), z.boolean()]), tol: toleranceSchema.optional() });
const baselineSchema = z.object({
  version: z.number(),
  config: z.record(z.string(), z.unknown()).optional(),
  entries: z.record(z.string(), entrySchema),
});

export function parseBaseline(text: string, source: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${source}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const d = doc as Partial<Baseline> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d) || typeof d.version !== 'number' || !d.entries || typeof d.entries !== 'object') {
    throw new InputError(`${source}: not a baseline file (expected version and entries; write one with --update)`);
  }
  if (d.version !== BASELINE_VERSION) {
    throw new InputError(`${source}: baseline version ${d.version}, this bitweave writes version ${BASELINE_VERSION}; regenerate with --update`);
  }
  const r = baselineSchema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(`${source}: ${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
  }
  // an empty baseline compares nothing and would always pass: refuse it
  if (Object.keys(r.data.entries).length === 0) {
    throw new InputError(`${source}: the baseline has no entries, so it would check nothing; write one with --update`);
  }
  return { version: r.data.version, config: r.data.config ?? {}, entries: r.data.entries as Record<string, Entry> };
}
