/**
 * Progress of a long command on stderr, never on stdout (results go there): a bar that
 * redraws in place when stderr is a terminal, otherwise (logs, CI, a pipe) a line every few
 * seconds once the command has run that long, and a last one when it ends; nothing with --quiet.
 */
import { createRequire } from 'node:module';

// the bar's library is loaded when a bar is drawn (a terminal), not by every command that may report progress
const require = createRequire(import.meta.url);

export interface Progress {
  /** `done` of the total finished */
  update(done: number): void;
  /** the last state, then the bar's line is finished */
  stop(): void;
}

/** seconds between two progress lines when stderr is not a terminal */
const LINE_EVERY_S = 5;

/** Progress over `total` items called `unit` (e.g. 'images'), labelled `label`. */
export function startProgress(label: string, unit: string, total: number, opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet === true) return { update: () => {}, stop: () => {} };
  const started = Date.now();
  if (process.stderr.isTTY) {
    const { SingleBar } = require('cli-progress') as typeof import('cli-progress');
    const bar = new SingleBar({
      format: `${label} [{bar}] {value}/{total} ${unit} | {percentage}% | {duration_formatted} | eta {eta_formatted}`,
      hideCursor: true, stream: process.stderr,
    });
    bar.start(total, 0);
    return { update: (done) => bar.update(done), stop: () => bar.stop() };
  }
  let lastLine = started;
  let last = 0;
  let lines = 0;
  const line = (done: number) => {
    lines++;
    const s = (Date.now() - started) / 1000;
    process.stderr.write(`${label}: ${done}/${total} ${unit} (${((100 * done) / total).toFixed(0)}%), ${s.toFixed(1)} s\n`);
    lastLine = Date.now();
  };
  return {
    update: (done) => {
      last = done;
      if (done < total && Date.now() - lastLine >= LINE_EVERY_S * 1000) line(done);
    },
    // a short run says nothing; a long one says when it is done
    stop: () => {
      if (lines > 0) line(last);
    },
  };
}

/** A progress callback (done, total) that starts the display on its first call, when the total is known. */
export function progressCallback(label: string, unit: string, opts: { quiet?: boolean } = {}) {
  let progress: Progress | undefined;
  return {
    onProgress: (done: number, total: number) => {
      progress ??= startProgress(label, unit, total, opts);
      progress.update(done);
    },
    stop: () => progress?.stop(),
  };
}
