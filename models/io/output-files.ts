/**
 * Writing outputs so that an error never leaves half a result and never overwrites a good
 * one:
 *  - `writeFileAtomic(path, data)`: the data goes to a temporary file beside `path` and is
 *    renamed over it when complete (a rename within a folder is atomic), so a reader sees the
 *    old file or the new one, never a torn one;
 *  - `OutputDir`: the files a command writes into an output folder (`--out DIR`) are staged in
 *    a hidden folder inside it and renamed into place by `commit()` once the command has
 *    succeeded; `abort()` (and `abortPendingOutputs()`, which the CLI calls on any error)
 *    removes the staged files, and the folder itself when the command created it and it is
 *    empty. Checking the folder (`new OutputDir`) creates nothing: a command checks its
 *    output before any work, and an early error leaves no empty folder behind.
 */
import {
  closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../../sim/errors.ts';

let tmpCounter = 0;

function tmpName(path: string): string {
  return `${path}.tmp-${process.pid}-${tmpCounter++}`;
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/** Writes `data` to `path` through a temporary file and a rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tmpName(path);
  const fd = openSync(tmp, 'wx');
  try {
    writeAll(fd, data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Refuses an output path that exists and is not a directory (or lies under a file). */
export function checkOutputDir(dir: string, what: string): void {
  if (dir === '') throw new InputError(`${what}: an empty folder name`);
  if (dir.includes('\0')) throw new InputError(`${what}: a folder name with a NUL character`);
  // the nearest existing ancestor must be a directory we could create the rest in
  let p = resolve(dir);
  for (;;) {
    if (existsSync(p)) {
      if (!statSync(p).isDirectory()) {
        throw new InputError(p === resolve(dir) ? `${what} '${dir}' is a file, not a folder` : `${what} '${dir}': '${p}' is a file, not a folder`);
      }
      return;
    }
    const up = dirname(p);
    if (up === p) return;
    p = up;
  }
}

/** A file of an output folder that a command writes as a stream (a trace). */
export interface StagedStream {
  write(chunk: string): void;
  close(): void;
}

const pending = new Set<OutputDir>();

/** Removes what every uncommitted OutputDir staged (the CLI calls it when a command fails). */
export function abortPendingOutputs(): void {
  for (const o of [...pending]) o.abort();
}

export class OutputDir {
  private staging: string | undefined;
  private createdRoot: string | undefined;
  private readonly streams = new Set<number>();

  /** Checks the folder (it may exist; it must not be a file). Creates nothing. */
  constructor(readonly dir: string, what = '--out') {
    checkOutputDir(dir, what);
  }

  private stage(): string {
    if (this.staging === undefined) {
      const root = resolve(this.dir);
      if (!existsSync(root)) {
        // remember the topmost folder this creates, to remove it again on abort
        let top = root;
        while (!existsSync(dirname(top))) top = dirname(top);
        this.createdRoot = top;
      }
      mkdirSync(root, { recursive: true });
      this.staging = join(root, `.bitweave-partial-${process.pid}-${tmpCounter++}`);
      mkdirSync(this.staging);
      pending.add(this);
    }
    return this.staging;
  }

  /** The staged path of `name` (a path relative to the folder); its parent folders exist. */
  private pathOf(name: string): string {
    const file = join(this.stage(), name);
    if (relative(this.stage(), file).startsWith('..')) throw new Error(`OutputDir: '${name}' leaves the folder`);
    mkdirSync(dirname(file), { recursive: true });
    return file;
  }

  /** Stages a whole file. */
  write(name: string, data: string | Uint8Array): void {
    const fd = openSync(this.pathOf(name), 'w');
    try {
      writeAll(fd, data);
    } finally {
      closeSync(fd);
    }
  }

  /** Stages a file written chunk by chunk (close it before commit). */
  stream(name: string): StagedStream {
    const fd = openSync(this.pathOf(name), 'w');
    this.streams.add(fd);
    return {
      write: (chunk) => writeAll(fd, chunk),
      close: () => {
        if (this.streams.delete(fd)) closeSync(fd);
      },
    };
  }

  private closeStreams(): void {
    for (const fd of this.streams) closeSync(fd);
    this.streams.clear();
  }

  /** Moves every staged file into the folder (replacing files of the same name); returns their names. */
  commit(): string[] {
    this.closeStreams();
    const staging = this.staging;
    if (staging === undefined) return [];
    const moved: string[] = [];
    const walk = (from: string): void => {
      for (const e of readdirSync(from, { withFileTypes: true })) {
        const src = join(from, e.name);
        const rel = relative(staging, src);
        const dest = join(resolve(this.dir), rel);
        if (e.isDirectory()) {
          mkdirSync(dest, { recursive: true });
          walk(src);
        } else {
          renameSync(src, dest);
          moved.push(rel.split(sep).join('/'));
        }
      }
    };
    walk(staging);
    rmSync(staging, { recursive: true, force: true });
    this.staging = undefined;
    pending.delete(this);
    return moved.sort();
  }

  /** Removes the staged files; the folder too when this created it and nothing else is in it. */
  abort(): void {
    this.closeStreams();
    if (this.staging !== undefined) rmSync(this.staging, { recursive: true, force: true });
    this.staging = undefined;
    pending.delete(this);
    if (this.createdRoot !== undefined) {
      // from the output folder up to the topmost one this created: remove while empty
      let p = resolve(this.dir);
      for (;;) {
        try {
          rmdirSync(p);
        } catch {
          break;
        }
        if (p === this.createdRoot) break;
        p = dirname(p);
      }
      this.createdRoot = undefined;
    }
  }
}
