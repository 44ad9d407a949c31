/** The diff table of a baseline comparison (`precision check`, `exec --baseline`). */
import type { DiffRow } from '../sim/precision-check/baseline.ts';
import { printTable } from './io.ts';

/** `verdicts: false` when updating (nothing fails then, it changes) */
export function printBaselineDiff(rows: readonly DiffRow[], verdicts = true): void {
  printTable(
    ['what', 'baseline', 'now', 'delta', 'tolerance', 'verdict'],
    rows.map((r) => [r.key, r.baseline, r.now, r.delta, r.tolerance, verdicts && r.fails ? `${r.verdict} FAIL` : r.verdict]),
  );
}
