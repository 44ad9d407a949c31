/**
 * Progress of long commands: on stderr only, a line every few seconds when stderr is not a
 * terminal (once the command has run that long, and a last one at the end), nothing with
 * --quiet; accuracy runs report every range of images as it finishes, with one job or many.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startProgress } from '../../cli/progress.ts';
import { runAccuracy } from '../../models/accuracy/run.ts';
import { resolveTrainedModel } from '../../models/accuracy/trained.ts';

function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

describe('progress on stderr', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('not a terminal: silent for a short run; a line every 5 s and a last one for a long run', () => {
    vi.useFakeTimers();
    const stderrWasTty = process.stderr.isTTY;
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    try {
      const lines = captureStderr();
      const short = startProgress('accuracy', 'images', 100);
      short.update(50);
      vi.advanceTimersByTime(1000);
      short.update(100);
      short.stop();
      expect(lines).toEqual([]);

      const long = startProgress('accuracy', 'images', 100);
      vi.advanceTimersByTime(6000);
      long.update(20);
      long.update(30); // within 5 s of the last line: no line
      vi.advanceTimersByTime(5000);
      long.update(60);
      vi.advanceTimersByTime(1000);
      long.update(100);
      long.stop();
      expect(lines).toEqual([
        'accuracy: 20/100 images (20%), 6.0 s\n',
        'accuracy: 60/100 images (60%), 11.0 s\n',
        'accuracy: 100/100 images (100%), 12.0 s\n',
      ]);

      const quiet = startProgress('accuracy', 'images', 100, { quiet: true });
      vi.advanceTimersByTime(60_000);
      quiet.update(50);
      quiet.stop();
      expect(lines.length).toBe(3);
    } finally {
      Object.defineProperty(process.stderr, 'isTTY', { value: stderrWasTty, configurable: true });
    }
  });

  it.each([1, 2])('an accuracy run reports each range of images as it finishes (%i job(s))', async (jobs) => {
    const seen: [number, number][] = [];
    await runAccuracy(
      { modelFile: resolveTrainedModel('mlp'), dataset: 'fmnist', pe: 'fp32', peOptions: {}, dataflow: 'os', rows: 32 },
      { limit: 40, chunk: 10, jobs, onProgress: (done, total) => seen.push([done, total]) },
    );
    expect(seen).toEqual([[10, 40], [20, 40], [30, 40], [40, 40]]);
  });
});
