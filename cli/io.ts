/** Small I/O helpers shared by commands: stdin lines, CSV and JSON output. */
import { readSync } from 'node:fs';
import { checkLimit } from '../sim/limits.ts';
import { decodeText } from '../models/io/input-file.ts';

/** Reads all of standard input, at most the input_bytes limit of it. */
function readStdinBytes(): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.allocUnsafe(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF' || code === 'EBADF' || code === 'EINVAL' || code === 'EISDIR') break;
      throw e;
    }
    if (n === 0) break;
    total += n;
    checkLimit('input_bytes', total, 'stdin', 'its size in bytes');
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

/** Where stdin comes from: the process's, or text a test hands in (in-process runs, test/fuzz/). */
export const stdinSource: { read: () => Uint8Array } = { read: readStdinBytes };

export function readStdinLines(): string[] {
  const text = decodeText(stdinSource.read(), 'stdin');
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Left-aligned plain-text table for terminals. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  process.stdout.write(out.join('\n') + '\n');
}

