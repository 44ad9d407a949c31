/**
 * Building and running Verilator models. Each design is compiled once and cached in a folder
 * keyed by a hash of everything that goes into it (the Verilog, the top, the harness source,
 * Verilator's version and the flags), so a stale build cannot be picked up. The Verilator
 * runtime (verilated.cpp, the slowest part of a build) is compiled once per cache folder.
 * Builds go to a temporary folder first and are renamed into place, so concurrent test
 * workers never see half a build.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { packageFile } from '../../models/package-files.ts';

export type HarnessName = 'pe' | 'gemm';
const HARNESS: Record<HarnessName, string> = { pe: packageFile('rtl/cosim/pe-harness.cpp'), gemm: packageFile('rtl/cosim/gemm-harness.cpp') };
const CXXFLAGS = ['-O1', '-std=gnu++14', '-w'];
const CXXFLAGS_GEMM = ['-O0', '-std=gnu++14', '-w'];
const VFLAGS = ['--cc', '-Wno-fatal', '-Wno-lint', '-Wno-style', '--prefix', 'Vtop'];

let versionCache: string | null | undefined;

/** Verilator's version line, or null when it is not installed. */
export function verilatorVersion(): string | null {
  if (versionCache !== undefined) return versionCache;
  const r = spawnSync('verilator', ['--version'], { encoding: 'utf8' });
  versionCache = r.status === 0 ? r.stdout.trim() : null;
  return versionCache;
}

function verilatorRoot(): string {
  const r = spawnSync('verilator', ['--getenv', 'VERILATOR_ROOT'], { encoding: 'utf8' });
  const root = r.status === 0 ? r.stdout.trim() : '';
  if (!root || !existsSync(join(root, 'include', 'verilated.cpp'))) {
    throw new Error(`cannot find Verilator's include folder (VERILATOR_ROOT '${root}')`);
  }
  return root;
}

export function cacheRoot(): string {
  return process.env.BITWEAVE_RTL_CACHE ?? join(tmpdir(), `bitweave-rtl-${userInfo().uid}`);
}

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-40).join('\n');
    throw new Error(`${cmd} ${args.slice(0, 6).join(' ')} ... failed (exit ${r.status ?? r.signal}):\n${out}`);
  }
}

/** Moves a finished temporary folder into place; keeps the other one if a worker won the race. */
function publish(tmp: string, final: string): void {
  try {
    renameSync(tmp, final);
  } catch {
    if (!existsSync(final)) throw new Error(`cannot move ${tmp} to ${final}`);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** verilated.o and verilated_threads.o, compiled once per cache folder and Verilator version. */
function runtimeObjects(root: string, vroot: string): string[] {
  const key = createHash('sha256').update(`${verilatorVersion()}\n${CXXFLAGS.join(' ')}`).digest('hex').slice(0, 16);
  const dir = join(root, `runtime-${key}`);
  const objs = ['verilated', 'verilated_threads'].map((n) => join(dir, `${n}.o`));
  if (objs.every((o) => existsSync(o))) return objs;
  mkdirSync(root, { recursive: true });
  const tmp = mkdtempSync(join(root, 'tmp-runtime-'));
  const inc = [`-I${join(vroot, 'include')}`, `-I${join(vroot, 'include', 'vltstd')}`];
  for (const n of ['verilated', 'verilated_threads']) {
    run('g++', [...CXXFLAGS, ...inc, '-c', join(vroot, 'include', `${n}.cpp`), '-o', join(tmp, `${n}.o`)], tmp);
  }
  publish(tmp, dir);
  return objs;
}

let fresh: string | undefined;

/** One empty folder per process for uncached builds: the runtime is compiled there once. */
function freshRoot(): string {
  if (fresh === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'bitweave-rtl-fresh-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    fresh = dir;
  }
  return fresh;
}

export interface BuiltModel {
  readonly exe: string;
  /** seconds the build took (0 when it came from the cache) */
  readonly buildSeconds: number;
  readonly cached: boolean;
}

export interface BuildRequest {
  readonly verilog: string;
  readonly top: string;
  readonly harness: HarnessName;
  /** Verilog parameters of the top (-G) */
  readonly params?: Readonly<Record<string, number>>;
  /** build in a fresh folder, not the cache (benchmarks of the build time) */
  readonly fresh?: boolean;
}

/** Builds (or finds in the cache) the Verilator model of a design with one of the harnesses. */
export function buildModel(req: BuildRequest): BuiltModel {
  const version = verilatorVersion();
  if (!version) throw new Error('verilator is not installed (Debian package verilator)');
  const harnessSrc = readFileSync(HARNESS[req.harness], 'utf8');
  const params = Object.entries(req.params ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const gflags = params.map(([k, v]) => `-G${k}=${v}`);
  const key = createHash('sha256')
    .update([version, req.top, VFLAGS.join(' '), CXXFLAGS.join(' '), CXXFLAGS_GEMM.join(' '), gflags.join(' '), harnessSrc, req.verilog].join('\n\0'))
    .digest('hex')
    .slice(0, 24);
  const root = req.fresh ? freshRoot() : cacheRoot();
  const final = join(root, `${req.top}-${key}`);
  const exe = join(final, 'model');
  if (!req.fresh && existsSync(exe)) return { exe, buildSeconds: 0, cached: true };
  const t0 = performance.now();
  const vroot = verilatorRoot();
  const runtime = runtimeObjects(root, vroot);
  mkdirSync(root, { recursive: true });
  const tmp = mkdtempSync(join(root, 'tmp-build-'));
  try {
    writeFileSync(join(tmp, 'design.v'), req.verilog);
    run('verilator', [...VFLAGS, ...gflags, '--top-module', req.top, '-Mdir', 'obj', 'design.v'], tmp);
    // one translation unit: the generated classes and the harness
    const gen = readdirSync(join(tmp, 'obj')).filter((f) => f.endsWith('.cpp')).sort();
    const unity = [...gen.map((f) => `#include "obj/${f}"`), `#include "${HARNESS[req.harness]}"`].join('\n');
    writeFileSync(join(tmp, 'all.cpp'), unity + '\n');
    const inc = [`-I${join(vroot, 'include')}`, `-I${join(vroot, 'include', 'vltstd')}`, `-I${join(tmp, 'obj')}`];
    // GEMM models run a few thousand cycles: compile time matters more than their speed
    const flags = req.harness === 'gemm' ? CXXFLAGS_GEMM : CXXFLAGS;
    run('g++', [...flags, ...inc, 'all.cpp', ...runtime, '-pthread', '-latomic', '-o', 'model'], tmp);
    rmSync(join(tmp, 'obj'), { recursive: true, force: true });
    publish(tmp, final);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return { exe, buildSeconds: (performance.now() - t0) / 1000, cached: false };
}

/** Runs a model on an input file; returns its output file's bytes. */
export function runModel(exe: string, input: Uint8Array, extraArgs: string[] = []): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'bitweave-rtl-run-'));
  try {
    const inFile = join(dir, 'in.bin'), outFile = join(dir, 'out.bin');
    writeFileSync(inFile, input);
    const r = spawnSync(exe, [inFile, outFile, ...extraArgs], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`co-simulation model ${exe} failed (exit ${r.status ?? r.signal}): ${r.stderr}`);
    return readFileSync(outFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
