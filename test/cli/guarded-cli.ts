/**
 * The CLI for tests of bad input: command lines run in-process in one child process (the fuzz
 * driver, test/fuzz/driver.ts), so a test gets the exit code, stderr and the files a run
 * wrote, and a hang or a memory blow-up (what the defects of issue 19 did) is a verdict
 * within a time limit instead of a stuck test run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FuzzDriver, type FuzzInput, type Outcome } from '../fuzz/driver.ts';

export interface GuardedCli {
  /** runs a command line (`{dir}` is a fresh folder holding `files`) */
  run(args: readonly string[], opts?: { files?: FuzzInput['files']; stdin?: string; timeoutMs?: number }): Promise<Outcome>;
  /** the working folder of the runs (a command's default output folder lands here) */
  readonly cwd: string;
  close(): Promise<void>;
}

export function guardedCli(opts: { timeoutMs?: number; rssMb?: number } = {}): GuardedCli {
  const scratch = mkdtempSync(join(tmpdir(), 'bitweave-guarded-'));
  const driver = new FuzzDriver({ scratch, timeoutMs: opts.timeoutMs ?? 30_000, rssMb: opts.rssMb ?? 2048 });
  return {
    cwd: scratch,
    run: (args, o = {}) => driver.run({
      category: 'test', args, ...(o.files && { files: o.files }), ...(o.stdin !== undefined && { stdin: o.stdin }),
      ...(o.timeoutMs !== undefined && { timeoutMs: o.timeoutMs }),
    }),
    close: async () => {
      await driver.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
