/**
 * The package as a user installs it: the files package.json ships, packed by `npm pack` with
 * dist/ built by the same build as `npm ci` (into a staging folder, not the repository's
 * dist/), extracted into a new project next to the production dependencies only (a dev
 * dependency the library needed at run time would be missing here), then imported by its
 * name from TypeScript, type-checked against the shipped declarations, and run; the installed
 * `bitweave` command runs too. The figures checked come from outside: SCALE-Sim v2's 2543
 * cycles for a 128x64x256 GEMM on its 32x32 os array, and the OCP FP8 specification's e4m3
 * encoding of 464 (0x7e, the tie rounded to even: 448).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/run-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'bitweave-package-'));
const app = join(work, 'app');
const installed = join(app, 'node_modules', 'bitweave');

function npm(args: readonly string[], cwd: string): string {
  return execFileSync('npm', [...args], {
    cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' },
  });
}

/** The production dependencies (package-lock.json: installed at the top level, not dev-only). */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([k, v]) => k.startsWith('node_modules/') && !k.slice('node_modules/'.length).includes('node_modules/') && !v.dev && !v.devOptional)
    .map(([k]) => k.slice('node_modules/'.length))
    .filter((name) => existsSync(join(repoRoot, 'node_modules', name)));
}

const CONSUMER = `
import {
  getPreset, runRequest, simulate, getPe, getFormat, encode, formatBits, loadWorkload, zooNames, parseArch,
  loadSweepFile, runSweep, readResults, InputError, type ArchConfig, type PipelineResult, type SimResult,
} from 'bitweave';
import { buildReport, formatQuantity, ENERGY_PJ } from 'bitweave/reports';

const arch: ArchConfig = getPreset('scale');
const run: PipelineResult = await runRequest({ arch, model: 'gemm:128x64x256', compat: 'scalesim' });
const work = loadWorkload('resnet18');
const timing: SimResult = simulate({ arch, pe: getPe(arch.pe), layers: work.layers, repeats: work.repeats, vectorOps: work.vectorOps });
const e4m3 = getFormat('e4m3');
let refused = '';
try {
  parseArch({ ...arch, dataflow: 'diagonal' }, 'test arch');
} catch (e) {
  refused = e instanceof InputError ? 'InputError' : 'other';
}
const spec = loadSweepFile(process.argv[2]);
const summary = await runSweep(spec, { outDir: process.argv[3], jobs: 2, resume: false, points: spec.points });
const report = buildReport(run, undefined, { papers: false });
console.log(JSON.stringify({
  cycles: run.totals.cycles,
  energy: formatQuantity(run.totals.energy_pj.total, ENERGY_PJ),
  resnet18_layers: timing.layers.length,
  e4m3_464: formatBits(e4m3, encode(e4m3, 464)),
  zoo: zooNames().includes('resnet18'),
  refused,
  sweep: { ran: summary.ran, lines: readResults(process.argv[3] + '/results.jsonl').map((l) => l.status) },
  report_files: Object.keys(report.files).sort(),
}));
`;

describe('the packed package, installed and imported by name', () => {
  beforeAll(() => {
    // 1. the files npm would ship (package.json "files"), and dist/ built as `npm ci` builds it
    const stage = join(work, 'stage');
    const listing = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], repoRoot)) as { files: { path: string }[] }[];
    for (const { path } of listing[0].files) {
      if (path.startsWith('dist/')) continue;
      mkdirSync(dirname(join(stage, path)), { recursive: true });
      copyFileSync(join(repoRoot, path), join(stage, path));
    }
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), join(stage, 'dist')], { cwd: repoRoot, stdio: 'pipe' });
    npm(['pack', stage, '--ignore-scripts', '--pack-destination', work], work);
    const tarball = readdirSync(work).find((f) => /^bitweave-.*\.tgz$/.test(f));
    expect(tarball).toBeDefined();
    // 2. a new project: the tarball extracted as node_modules/bitweave, the production dependencies beside it
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(work, tarball as string), '-C', installed, '--strip-components=1']);
    for (const name of productionPackages()) {
      mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true });
      symlinkSync(join(repoRoot, 'node_modules', name), join(app, 'node_modules', name), 'dir');
    }
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
      files: ['main.ts', 'readme.ts'],
    }));
    writeFileSync(join(app, 'main.ts'), CONSUMER);
    // the README's example, as printed there
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const example = /## Use from TypeScript[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
    expect(example, 'README: a ts block under "Use from TypeScript"').not.toBeNull();
    writeFileSync(join(app, 'readme.ts'), (example as RegExpExecArray)[1]);
    writeFileSync(join(app, 'sweep.yaml'), 'base:\n  arch: edge\n  model: gemm:64x32x48\ngrid:\n  pe: [int8, bf16]\n');
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships the compiled library, its declarations and the data it reads, not the TypeScript sources', () => {
    for (const f of ['dist/api/index.js', 'dist/api/reports.js', 'dist/types/api/index.d.ts', 'dist/cli/main.cjs', 'dist/cli/main.cjs.cache', 'dist/sweep/worker.js',
      'models/data/trained/metrics.json', 'baselines/precision.json', 'bin/bitweave.js']) {
      expect(existsSync(join(installed, f)), f).toBe(true);
    }
    expect(existsSync(join(installed, 'sim'))).toBe(false);
    expect(existsSync(join(installed, 'test'))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(Object.keys(pkg.exports)).toEqual(['.', './reports', './package.json']);
  });

  it('TypeScript: the consumer and the README\'s example type-check against the shipped declarations', () => {
    // the consumer's own @types/node (here: the one protobufjs, a production dependency, brings)
    if (!existsSync(join(app, 'node_modules', '@types', 'node'))) {
      mkdirSync(join(app, 'node_modules', '@types'), { recursive: true });
      symlinkSync(join(repoRoot, 'node_modules', '@types', 'node'), join(app, 'node_modules', '@types', 'node'), 'dir');
    }
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { encoding: 'utf8' });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    // and a type error is caught: the declarations are really read
    writeFileSync(join(app, 'bad.ts'), "import { getPreset } from 'bitweave';\nexport const n: number = getPreset('scale');\n");
    const config = JSON.parse(readFileSync(join(app, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(app, 'tsconfig.bad.json'), JSON.stringify({ ...config, files: ['bad.ts'] }));
    const bad = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(app, 'tsconfig.bad.json')], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/bad\.ts.*not assignable to type 'number'/);
  });

  it('JavaScript: runs, sweeps on worker threads and reports through the installed package', () => {
    const js = transformSync(CONSUMER, { loader: 'ts', format: 'esm' }).code;
    writeFileSync(join(app, 'main.mjs'), js);
    const r = spawnSync(process.execPath, [join(app, 'main.mjs'), join(app, 'sweep.yaml'), join(app, 'sweep-out')], { cwd: app, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      cycles: 2543, resnet18_layers: 21, e4m3_464: '0x7e', zoo: true, refused: 'InputError',
      sweep: { ran: 2, lines: ['ok', 'ok'] },
    });
    expect(out.energy).toMatch(/^\d+(\.\d+)? (pJ|nJ|uJ|mJ)$/);
    expect(out.report_files).toEqual(expect.arrayContaining(['report.html', 'report.md', 'roofline.svg']));
  });

  it('the installed command runs from its compiled JavaScript', () => {
    const bin = join(installed, 'bin', 'bitweave.js');
    const v = spawnSync(process.execPath, [bin, '--version'], { cwd: app, encoding: 'utf8' });
    expect(v.stdout.trim()).toBe((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version);
    const r = spawnSync(process.execPath, [bin, 'run', '--gemm', '128x64x256', '--compat', 'scalesim', '--dataflow', 'os', '--json'], { cwd: app, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { totals: { cycles: number } }).totals.cycles).toBe(2543);
  });
});
