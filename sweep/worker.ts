/** Piscina worker: runs one sweep point; bad input becomes an error line, not a crash. */
import { parentPort } from 'node:worker_threads';
import { workerData } from 'piscina';
import { setLimitOverrides } from '../sim/limits.ts';
import { pointResultLine } from './point.ts';
import type { ResultLine } from './results.ts';
import type { SweepPoint } from './spec.ts';

// the size limits of the command that started the sweep (--max), which points were checked against
setLimitOverrides((workerData as { limits?: Record<string, number> } | undefined)?.limits ?? {});

export default async function runSweepPoint(point: SweepPoint): Promise<ResultLine> {
  // the runner starts this point's --point-timeout clock now
  parentPort?.postMessage({ sweepPointStarted: point.key });
  return pointResultLine(point);
}
