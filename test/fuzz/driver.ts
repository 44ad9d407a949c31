/**
 * The fuzz driver: runs each input (files, a command line, stdin) through the CLI in a child
 * process (test/fuzz/child.ts: the CLI loaded once, each command line run in-process) and
 * judges what happened:
 *
 *  - the exit code is 0 or 2 (1 is an internal error or a failed check: no fuzzed input may
 *    reach it), with no stack trace and no raw control character on stderr;
 *  - an exit 2 leaves no file behind: nothing new or changed in the input's folder or in the
 *    working folder;
 *  - bounded time: a run longer than its time limit is a hang (the process is killed and a
 *    fresh one started);
 *  - bounded memory: the process's heap is capped (--max-old-space-size) and its resident
 *    memory sampled; above the cap it is killed and the input recorded.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FuzzInput {
  /** the corpus it comes from (arch, cfg, topology, onnx, sweep, report, baseline, stdin, options) */
  readonly category: string;
  /** files to write into the input's own folder, by name */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** the command line; `{dir}` stands for the input's folder */
  readonly args: readonly string[];
  readonly stdin?: string;
  /** its time limit, ms (default: the driver's) */
  readonly timeoutMs?: number;
}

export type Verdict = 'ok' | 'clean-error' | 'internal-error' | 'bad-exit' | 'stack-trace' | 'control-chars' | 'wrote-on-error' | 'hang' | 'memory' | 'crash';

export interface Outcome {
  readonly input: FuzzInput;
  readonly dir: string;
  readonly verdict: Verdict;
  readonly code?: number;
  readonly stdout?: string;
  readonly stderr: string;
  readonly ms: number;
  readonly changed?: readonly string[];
}

/** the verdicts that are fine */
export const GOOD: ReadonlySet<Verdict> = new Set(['ok', 'clean-error']);

export interface DriverOptions {
  /** the working folder of the runs (the test chdirs there), inputs get folders in it */
  readonly scratch: string;
  /** V8 heap cap of the CLI's process, MB */
  readonly heapMb?: number;
  /** resident memory the CLI's process may reach, MB (sampled every 25 ms) */
  readonly rssMb?: number;
  /** default time limit per input */
  readonly timeoutMs?: number;
}

type Snapshot = Map<string, string>;

function snapshot(root: string): Snapshot {
  const out: Snapshot = new Map();
  const walk = (dir: string, rel: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name), r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.set(`${r}/`, 'dir');
        walk(p, r);
      } else {
        const st = statSync(p, { throwIfNoEntry: false });
        out.set(r, st ? `${st.size}:${st.mtimeMs}` : 'gone');
      }
    }
  };
  walk(root, '');
  return out;
}

function diff(before: Snapshot, after: Snapshot): string[] {
  const changed: string[] = [];
  for (const [k, v] of after) if (before.get(k) !== v) changed.push(k);
  return changed;
}

const STACK = /\n\s+at .+(:\d+:\d+|\(native\)|<anonymous>)/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

interface Reply {
  readonly id: number;
  readonly code?: number;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly ms?: number;
  readonly thrown?: string;
}

/** resident memory of a process in bytes (Linux /proc), or undefined where it cannot be read */
function rssOf(pid: number): number | undefined {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return pages * 4096;
  } catch {
    return undefined;
  }
}

export class FuzzDriver {
  private child: ChildProcess | undefined;
  private nextId = 0;
  private count = 0;
  private readonly heapMb: number;
  private readonly rssMb: number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: DriverOptions) {
    this.heapMb = opts.heapMb ?? 1536;
    this.rssMb = opts.rssMb ?? 3072;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** the child process (the CLI loaded in it), started on first use and after it was stopped */
  private async start(): Promise<ChildProcess> {
    if (this.child !== undefined) return this.child;
    const child = fork(fileURLToPath(new URL('./child.ts', import.meta.url)), [], {
      cwd: this.opts.scratch,
      execArgv: ['--import', import.meta.resolve('tsx')],
      // the heap cap through NODE_OPTIONS: it is not one of the process's own flags (process.execArgv)
      env: { ...process.env, BITWEAVE_LOG_LEVEL: 'silent', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${this.heapMb}`.trim() },
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`fuzz child exited with ${code} before it was ready`)));
    });
    this.child = child;
    return child;
  }

  private stop(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }

  async close(): Promise<void> {
    this.stop();
  }

  /** Runs one input and judges it. */
  async run(input: FuzzInput): Promise<Outcome> {
    const dir = join(this.opts.scratch, `in-${String(this.count++).padStart(5, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (const [name, data] of Object.entries(input.files ?? {})) writeFileSync(join(dir, name), data);
    const args = input.args.map((a) => a.split('{dir}').join(dir));
    const child = await this.start();
    const beforeDir = snapshot(dir);
    const beforeCwd = new Set(readdirSync(this.opts.scratch));
    const id = this.nextId++;
    const limitMs = input.timeoutMs ?? this.timeoutMs;
    const t0 = performance.now();
    const reply = await new Promise<Reply | 'hang' | 'memory' | { crash: string }>((resolve) => {
      let settled = false;
      const finish = (r: Reply | 'hang' | 'memory' | { crash: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(sampler);
        child.off('message', onMsg);
        child.off('exit', onExit);
        resolve(r);
      };
      const onMsg = (m: Reply) => {
        if (m.id === id) finish(m);
      };
      const onExit = (code: number | null, signal: string | null) => finish({ crash: `the CLI's process exited (${signal ?? code})` });
      const timer = setTimeout(() => finish('hang'), limitMs);
      const sampler = setInterval(() => {
        const rss = child.pid !== undefined ? rssOf(child.pid) : undefined;
        if (rss !== undefined && rss > this.rssMb * 2 ** 20) finish('memory');
      }, 25);
      child.on('message', onMsg);
      child.on('exit', onExit);
      child.send({ id, args, stdin: input.stdin ?? '' });
    });
    const ms = performance.now() - t0;
    if (typeof reply === 'string' || 'crash' in reply) {
      this.stop();
      return { input, dir, verdict: typeof reply === 'string' ? reply : 'crash', stderr: typeof reply === 'string' ? '' : reply.crash, ms };
    }
    if (reply.thrown !== undefined) return { input, dir, verdict: 'crash', stderr: reply.thrown, ms };
    const code = reply.code ?? -1;
    const stderr = reply.stderr ?? '';
    const newInCwd = readdirSync(this.opts.scratch).filter((n) => !beforeCwd.has(n));
    const changed = [...diff(beforeDir, snapshot(dir)), ...newInCwd.map((n) => `../${n}`)];
    let verdict: Verdict;
    // --verbose asks for the stack trace; without it none may be printed
    if (STACK.test(stderr) && !input.args.includes('--verbose')) verdict = 'stack-trace';
    else if (/internal error/.test(stderr)) verdict = 'internal-error';
    else if (CONTROL.test(stderr)) verdict = 'control-chars';
    else if (code === 0) verdict = 'ok';
    else if (code === 2) verdict = changed.length > 0 ? 'wrote-on-error' : 'clean-error';
    else verdict = 'bad-exit';
    return { input, dir, verdict, code, stdout: reply.stdout ?? '', stderr, ms, ...(changed.length > 0 && { changed }) };
  }
}

/** Counts of outcomes, for the test's assertions and the README's table. */
export interface FuzzCounts {
  readonly tried: number;
  readonly byVerdict: Record<Verdict, number>;
  readonly byCategory: Record<string, { tried: number; ok: number; cleanErrors: number; bad: number }>;
  readonly maxMs: number;
}

export function countOutcomes(outcomes: readonly Outcome[]): FuzzCounts {
  const byVerdict = {
    ok: 0, 'clean-error': 0, 'internal-error': 0, 'bad-exit': 0, 'stack-trace': 0, 'control-chars': 0, 'wrote-on-error': 0, hang: 0, memory: 0, crash: 0,
  } as Record<Verdict, number>;
  const byCategory: FuzzCounts['byCategory'] = {};
  let maxMs = 0;
  for (const o of outcomes) {
    byVerdict[o.verdict]++;
    const c = (byCategory[o.input.category] ??= { tried: 0, ok: 0, cleanErrors: 0, bad: 0 });
    c.tried++;
    if (o.verdict === 'ok') c.ok++;
    else if (o.verdict === 'clean-error') c.cleanErrors++;
    else c.bad++;
    maxMs = Math.max(maxMs, o.ms);
  }
  return { tried: outcomes.length, byVerdict, byCategory, maxMs };
}
