/** Piscina worker of accuracy runs: one range of images (or text windows) per task. */
import { runAccuracyTask, type AccuracyTask } from './task.ts';
import type { ChunkResult } from './evaluate.ts';
import type { TextChunk } from './text.ts';

export default function accuracyWorker(task: AccuracyTask): ChunkResult | TextChunk {
  return runAccuracyTask(task);
}
