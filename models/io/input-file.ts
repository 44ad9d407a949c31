/**
 * Reading a user's input file, one way for every kind (arch YAML/JSON/.cfg, sweep files,
 * topology CSVs, ONNX models, run results, baselines): a missing file, a directory, a device
 * or FIFO, an unreadable file, one above its size limit or text that is not UTF-8 is an
 * InputError naming the file (exit 2), never an internal error or a hang. Text may start
 * with a UTF-8 byte-order mark: it is dropped, for every format alike.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../../sim/errors.ts';
import { checkLimit, type LimitName } from '../../sim/limits.ts';

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory, not a file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'ENAMETOOLONG': return 'the name is too long';
    case 'ELOOP': return 'too many symbolic links';
    default: return code !== undefined ? `cannot read it (${code})` : `cannot read it (${err instanceof Error ? err.message : String(err)})`;
  }
}

/**
 * The bytes of a regular file, at most `limit` of them (checked before reading). `what` names
 * the input in messages ("--arch", "sweep file").
 */
export function readInputBytes(path: string, what: string, limit: LimitName = 'input_bytes'): Buffer {
  if (path === '') throw new InputError(`${what}: an empty file name`);
  if (path.includes('\0')) throw new InputError(`${what}: a file name with a NUL character`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new InputError(`${what} '${path}': ${reason(err)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(`${what} '${path}': is a directory, not a file`);
    // devices and FIFOs have no size and may never end (/dev/zero): refuse them
    if (!st.isFile()) throw new InputError(`${what} '${path}': not a regular file`);
    checkLimit(limit, st.size, `${what} '${path}'`, 'its size in bytes');
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === st.size ? buf : buf.subarray(0, off);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${what} '${path}': ${reason(err)}`);
  } finally {
    closeSync(fd);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Bytes as text: UTF-8 (a byte-order mark dropped), or an InputError naming `source`. */
export function decodeText(bytes: Uint8Array, source: string): string {
  try {
    return utf8.decode(bytes); // ignoreBOM false: the decoder drops a leading BOM
  } catch {
    throw new InputError(`${source}: not UTF-8 text`);
  }
}

/** A text input file (UTF-8, a byte-order mark dropped), at most `limit` bytes. */
export function readInputText(path: string, what: string, limit: LimitName = 'input_bytes'): string {
  return decodeText(readInputBytes(path, what, limit), path);
}
