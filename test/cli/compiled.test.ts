/**
 * The JavaScript that `npm ci` builds (scripts/build.mjs, esbuild) behaves as the TypeScript
 * sources do: the same output, byte for byte, on runs, --json, --help and errors. Built here
 * into a folder of the test's own, so a stale dist/ cannot hide a difference.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './run-cli.ts';

const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
// inside the repository, so the build's imports of node_modules resolve as dist/'s do
const out = join(repoRoot, 'node_modules', '.cache', `bitweave-compiled-test-${process.pid}`);

function bitweave(entry: string[], args: readonly string[]) {
  const r = spawnSync(process.execPath, [...entry, ...args], {
    cwd: repoRoot, encoding: 'utf8', env: { ...process.env, BITWEAVE_LOG_LEVEL: 'warn' }, maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('compiled CLI', () => {
  beforeAll(() => {
    const b = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), out], { cwd: repoRoot, encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it.each([
    ['a zoo model, human-readable', ['run', '--arch', 'edge', '--model', 'resnet18']],
    ['a SCALE-Sim topology in parity mode, JSON', ['run', '--arch', 'models/data/scalesim/configs/scale.cfg',
      '--model', 'models/data/scalesim/topologies/conv_nets/alexnet.csv', '--compat', 'scalesim', '--json']],
    ['a functional GEMM', ['run', '--arch', 'edge', '--gemm', '32x16x48', '--pe', 'lmul-bf16', '--functional']],
    ['--version', ['--version']],
    ['--help of the root', ['--help']],
    ['--help of run', ['run', '--help']],
    ['a bad option value', ['run', '--model', 'resnet18', '--dataflow', 'xy']],
    ['an unknown command', ['frobnicate']],
  ])('%s: the same output as the sources', (_what, args) => {
    const compiled = bitweave([join(out, 'cli', 'main.js')], args);
    const source = bitweave([tsxCli, join(repoRoot, 'cli', 'main.ts')], args);
    expect(compiled.code).toBe(source.code);
    expect(compiled.stdout).toBe(source.stdout);
    expect(compiled.stderr).toBe(source.stderr);
  });
});
