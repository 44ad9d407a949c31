/** Piscina worker: runs one sweep point; bad input becomes an error line, not a crash. */
import { InputError } from '../sim/errors.ts';
import { runPoint } from './point.ts';
import type { ResultLine } from './runner.ts';
import type { SweepPoint } from './spec.ts';

export default async function runSweepPoint(point: SweepPoint): Promise<ResultLine> {
  const head = { index: point.index, key: point.key, vars: point.vars };
  try {
    return { ...head, status: 'ok', result: await runPoint(point.config) };
  } catch (e) {
    if (e instanceof InputError) return { ...head, status: 'error', error: e.message };
    throw e;
  }
}
