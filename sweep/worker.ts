/** Piscina worker: runs one sweep point; bad input becomes an error line, not a crash. */
import { parentPort } from 'node:worker_threads';
import { workerData } from 'piscina';
import { InputError } from '../sim/errors.ts';
import { setLimitOverrides } from '../sim/limits.ts';
import { runPoint } from './point.ts';
import type { ResultLine } from './results.ts';
import type { SweepPoint } from './spec.ts';

// the size limits of the command that started the sweep (--max), which points were checked against
setLimitOverrides((workerData as { limits?: Record<string, number> } | undefined)?.limits ?? {});

export default async function runSweepPoint(point: SweepPoint): Promise<ResultLine> {
  const head = { index: point.index, key: point.key, vars: point.vars };
  // the runner starts this point's --point-timeout clock now
  parentPort?.postMessage({ sweepPointStarted: point.key });
  try {
    return { ...head, status: 'ok', result: await runPoint(point.config) };
  } catch (e) {
    if (e instanceof InputError) return { ...head, status: 'error', error: e.message };
    throw e;
  }
}
