/**
 * The `bitweave` CLI run in this thread: main() of cli/main.ts called with an argument list,
 * its stdout and stderr captured, stdin handed in as text. Starting a process costs seconds
 * on a loaded machine; a call here costs what the command itself costs, so the fuzz suite can
 * try hundreds of inputs. A few real processes (test/fuzz/fuzz.test.ts) check that the exit
 * codes agree.
 */
import './in-process-flag.ts'; // first: cli/main.ts must not run this process's own command line
import { main } from '../../cli/main.ts';
import { stdinSource } from '../../cli/io.ts';

export interface InProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

type Write = typeof process.stdout.write;

/** Runs one command line; only one at a time (stdout, stderr and exitCode are the process's). */
export async function runInProcess(args: readonly string[], stdin = ''): Promise<InProcessResult> {
  let stdout = '', stderr = '';
  const outWrite = process.stdout.write, errWrite = process.stderr.write;
  const capture = (sink: (s: string) => void): Write =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as Write;
  process.stdout.write = capture((s) => (stdout += s));
  process.stderr.write = capture((s) => (stderr += s));
  const readStdin = stdinSource.read;
  stdinSource.read = () => Buffer.from(stdin, 'utf8');
  process.exitCode = undefined;
  const t0 = performance.now();
  let code: number;
  try {
    code = await main([...args]);
  } finally {
    process.stdout.write = outWrite;
    process.stderr.write = errWrite;
    stdinSource.read = readStdin;
    process.exitCode = undefined;
  }
  return { code, stdout, stderr, ms: performance.now() - t0 };
}
