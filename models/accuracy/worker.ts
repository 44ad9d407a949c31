/** Piscina worker of accuracy runs: one range of images per task. */
import { runAccuracyTask, type AccuracyTask } from './task.ts';
import type { ChunkResult } from './evaluate.ts';

export default function accuracyWorker(task: AccuracyTask): ChunkResult {
  return runAccuracyTask(task);
}
