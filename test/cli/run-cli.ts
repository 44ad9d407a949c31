/** Runs the real `bitweave` CLI (through tsx) as a user would, and captures what it prints. */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const tsxCli = require.resolve('tsx/cli');
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], input = '', cwd = repoRoot): CliResult {
  const r = spawnSync(process.execPath, [tsxCli, join(repoRoot, 'cli', 'main.ts'), ...args], {
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
