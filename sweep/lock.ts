/**
 * One writer per results folder: `sweep.lock` holds the writer's pid, host and start time,
 * created exclusively (O_EXCL), so of two sweeps started on one folder exactly one gets it and
 * the other exits 2 naming the holder. A lock left by a writer that no longer runs (killed,
 * crashed: same host, its pid gone) is stale and taken over; a lock from another host (a
 * shared file system) cannot be checked and is only taken when the user removes it.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../sim/errors.ts';

export const LOCK_FILE = 'sweep.lock';

interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

function readLock(file: string): LockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockInfo>;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? { pid: v.pid, host: v.host, started: String(v.started ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid runs on this machine (EPERM: it runs, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Lock {
  release(): void;
}

/** Takes the lock of `dir` (which exists) or throws an InputError naming its holder. */
export function acquireLock(dir: string, what = 'sweep'): Lock {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const info = readLock(file);
      if (info === undefined) {
        // a lock being written right now, or torn by a kill: stale once it is a few seconds old
        let age = 0;
        try {
          age = Date.now() - statSync(file).mtimeMs;
        } catch {
          continue; // removed meanwhile: try again
        }
        if (age < 5000) throw new InputError(`${dir} is locked by another bitweave ${what} (${file} is being written); try again`);
      } else if (info.host !== hostname()) {
        throw new InputError(
          `${dir} is locked by a bitweave ${what} on host ${info.host} (pid ${info.pid}, since ${info.started}); ` +
            `if it no longer runs, remove ${file}`,
        );
      } else if (alive(info.pid)) {
        throw new InputError(
          `${dir} is in use by another bitweave ${what} (pid ${info.pid}, since ${info.started}): one writer per folder; ` +
            `wait for it to finish, or choose another --out`,
        );
      }
      // stale: its writer is gone
      rmSync(file, { force: true });
      continue;
    }
    const text = JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }) + '\n';
    writeSync(fd, text);
    closeSync(fd);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        // only our own lock: never one another writer took over
        if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
      },
    };
  }
  throw new InputError(`${dir}: could not take ${file}; another bitweave ${what} keeps taking it`);
}
