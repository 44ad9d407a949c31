/**
 * Runs a benchmark module in a fresh Node process and returns its JSON answer. V8 shares
 * optimized code between closures of one function literal, so timing thirteen PE kinds one
 * after another in one process measures the JIT's polymorphism as much as the PE; a fresh
 * process per kind gives the figure a simulation run (one PE kind) sees.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsxCli = require.resolve('tsx/cli');

export function runIsolated<T>(script: string, args: readonly string[]): T {
  const r = spawnSync(process.execPath, [tsxCli, script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`benchmark ${script} ${args.join(' ')} failed:\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
