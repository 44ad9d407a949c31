/** Runs the real `bitweave` CLI (through tsx) as a user would, and captures what it prints. */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** the installed command itself: one process, tsx registered inside it */
export const bin = join(repoRoot, 'bin', 'bitweave.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], input = '', cwd = repoRoot): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    cwd,
    env: { ...process.env, BITWEAVE_LOG_LEVEL: 'warn' },
    maxBuffer: 256 << 20,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Parses CSV text (no quoted fields) into rows of cells, header first. */
export function parseCsv(text: string): string[][] {
  return text.trim().split('\n').map((l) => l.split(','));
}
