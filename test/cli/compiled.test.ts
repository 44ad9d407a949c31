/**
 * The JavaScript that `npm ci` builds (scripts/build.mjs, esbuild) behaves as the TypeScript
 * sources do: the same output, byte for byte, on runs, --json, --help and errors. Built here
 * into a folder of the test's own, so a stale dist/ cannot hide a difference.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
    ['a worker pool (accuracy on two workers), JSON', ['accuracy', '--model', 'cnn', '--pe', 'fp8-e4m3', '--limit', '8', '--jobs', '2', '--json']],
    ['an ILP schedule (HiGHS, loaded on first use)', ['run', '--arch', 'examples/arch/npu-3mb.yaml', '--model', 'resnet18', '--schedule', 'optimal', '--json']],
    ['--version', ['--version']],
    ['--help of the root', ['--help']],
    ['--help of run', ['run', '--help']],
    ['a bad option value', ['run', '--model', 'resnet18', '--dataflow', 'xy']],
    ['an unknown command', ['frobnicate']],
  ])('%s: the same output as the sources', (_what, args) => {
    // as bin/bitweave.js runs it: from the code cache the build wrote (a function restored
    // from a V8 code cache has no dynamic-import callback: the build turns import() into require)
    const compiled = bitweave([join(repoRoot, 'bin', 'code-cache.js'), 'read', join(out, 'cli', 'main.cjs')], args);
    const source = bitweave([tsxCli, join(repoRoot, 'cli', 'main.ts')], args);
    expect(compiled.code).toBe(source.code);
    expect(compiled.stdout).toBe(source.stdout);
    expect(compiled.stderr).toBe(source.stderr);
  });

  it('starts from the V8 code cache the build wrote, with the same output as the sources', () => {
    const args = ['run', '--arch', 'edge', '--model', 'resnet18', '--json'];
    const cached = spawnSync(process.execPath, [join(repoRoot, 'bin', 'code-cache.js'), 'read', join(out, 'cli', 'main.cjs'), ...args], {
      cwd: repoRoot, encoding: 'utf8', env: { ...process.env, BITWEAVE_LOG_LEVEL: 'warn', BITWEAVE_CODE_CACHE_REPORT: '1' }, maxBuffer: 64 << 20,
    });
    expect(cached.stderr).toBe('code cache: accepted\n');
    const source = bitweave([tsxCli, join(repoRoot, 'cli', 'main.ts')], args);
    expect(cached.status).toBe(0);
    expect(cached.stdout).toBe(source.stdout);
  });

  it('lists the sources it was built from, so a stale build is never run', () => {
    const sources = JSON.parse(readFileSync(join(out, 'cli', 'main.sources.json'), 'utf8')) as string[];
    for (const f of ['cli/main.ts', 'cli/commands/run.ts', 'sim/simulate.ts', 'sweep/worker.ts', 'models/accuracy/worker.ts']) expect(sources).toContain(f);
    expect(sources.some((f) => f.startsWith('node_modules/'))).toBe(false);
  });
});

describe('bin/bitweave.js: the compiled bundle or the sources', () => {
  // a package of its own: the real bin/, a stand-in bundle and source that say which ran
  const pkg = mkdtempSync(join(tmpdir(), 'bitweave-bin-'));
  beforeAll(() => {
    mkdirSync(join(pkg, 'bin'));
    mkdirSync(join(pkg, 'dist', 'cli'), { recursive: true });
    mkdirSync(join(pkg, 'cli'));
    for (const f of ['bitweave.js', 'code-cache.js', 'package.json']) copyFileSync(join(repoRoot, 'bin', f), join(pkg, 'bin', f));
    symlinkSync(join(repoRoot, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'bitweave', version: '9.8.7', type: 'module' }));
    writeFileSync(join(pkg, 'cli', 'main.ts'), "const from: string = 'the sources';\nconsole.log(from, process.argv.slice(2).join(' '));\n");
    writeFileSync(join(pkg, 'dist', 'cli', 'main.sources.json'), JSON.stringify(['cli/main.ts', 'cli/gone.ts']));
    writeFileSync(join(pkg, 'dist', 'cli', 'main.cjs'), "console.log('the bundle', process.argv.slice(2).join(' '));\n");
  });
  afterAll(() => rmSync(pkg, { recursive: true, force: true }));
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(pkg, 'bin', 'bitweave.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

  it('runs the bundle while no source it was built from is newer (a listed source that is gone is skipped)', () => {
    utimesSync(join(pkg, 'cli', 'main.ts'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(run(['run', '--x']).stdout).toBe('the bundle run --x\n');
    expect(run(['run'], { BITWEAVE_FROM_SOURCE: '1' }).stdout).toBe('the sources run\n');
  });

  it('runs the sources once one is edited after the build', () => {
    utimesSync(join(pkg, 'cli', 'main.ts'), new Date(), new Date(Date.now() + 60_000));
    expect(run(['run', '--x']).stdout).toBe('the sources run --x\n');
  });

  it('prints the package\'s version without loading either', () => {
    expect(run(['--version']).stdout).toBe('9.8.7\n');
  });
});
