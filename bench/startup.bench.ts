/**
 * Start-up and whole-command time, measured as a user sees it: each command a fresh `node`
 * process, wall time from spawn to exit, the median of ROUNDS runs. The commands take turns
 * (round-robin), so a busy machine slows them alike; `node -e 0` (Node's own start, the
 * floor no command can go below) runs in the same rounds and every figure is also given as
 * a ratio to it and as the time above it.
 *
 * Compiled: dist/ as `npm ci` builds it (scripts/build.mjs runs first, so it is up to date);
 * from source: the same commands through tsx (BITWEAVE_FROM_SOURCE=1), as before the build
 * existed. Peak memory and CPU time (user + system): the process's own figures
 * (process.resourceUsage), written at exit by a hook module given with --import; CPU time
 * suffers less than wall time from other processes on the machine.
 *
 * The AlexNet case is the one SCALE-Sim v2 was timed on by the author: its own
 * 32x32 os cfg and AlexNet topology, --compat scalesim, its three report CSVs written.
 *
 * Wired into `npm run bench` by bench/index.ts; runnable alone: npx tsx bench/startup.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { printTable } from '../cli/io.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'bin', 'bitweave.js');
const ALEXNET = ['--arch', 'models/data/scalesim/configs/scale.cfg', '--model', 'models/data/scalesim/topologies/conv_nets/alexnet.csv', '--compat', 'scalesim'];

export interface StartupCase {
  readonly name: string;
  /** arguments of `node` */
  readonly args: readonly string[];
  readonly fromSource?: boolean;
}

export interface StartupRow {
  readonly name: string;
  readonly median_ms: number;
  readonly min_ms: number;
  /** median over the floor's median */
  readonly ratio: number;
  readonly peak_rss_mb: number;
  /** median user + system CPU time */
  readonly cpu_ms: number;
}

/** The measured cases; the first is the floor. `out` is a scratch folder for --out. */
export function startupCases(out: string): StartupCase[] {
  return [
    { name: 'node -e 0 (floor)', args: ['-e', '0'] },
    { name: 'bitweave --version', args: [BIN, '--version'] },
    { name: 'bitweave --help', args: [BIN, '--help'] },
    { name: 'bitweave run --model resnet18', args: [BIN, 'run', '--arch', 'scale', '--model', 'resnet18'] },
    { name: 'bitweave run (AlexNet, SCALE-Sim cfg, --compat scalesim, --out)', args: [BIN, 'run', ...ALEXNET, '--out', out] },
    // (--version alone never loads the sources or the bundle: --help is the start-up of the sources)
    { name: 'bitweave --help, from source (tsx)', args: [BIN, '--help'], fromSource: true },
    { name: 'bitweave run --model resnet18, from source (tsx)', args: [BIN, 'run', '--arch', 'scale', '--model', 'resnet18'], fromSource: true },
  ];
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Runs every case `rounds` times, round-robin; wall times and peak RSS per case. */
export function measureStartup(cases: readonly StartupCase[], rounds: number, scratch: string): StartupRow[] {
  const rssFile = join(scratch, 'rss');
  const hook = join(scratch, 'rss-hook.mjs');
  writeFileSync(hook, "import { writeFileSync } from 'node:fs';\n" +
    'process.on(\'exit\', () => { const u = process.resourceUsage(); ' +
    'writeFileSync(process.env.BITWEAVE_BENCH_RSS, `${u.maxRSS} ${(u.userCPUTime + u.systemCPUTime) / 1000}`); });\n');
  const wall = cases.map(() => [] as number[]);
  const rss = cases.map(() => [] as number[]);
  const cpu = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    cases.forEach((c, i) => {
      const env = { ...process.env, BITWEAVE_BENCH_RSS: rssFile, ...(c.fromSource && { BITWEAVE_FROM_SOURCE: '1' }) };
      // the hook only on odd rounds: the wall times of even rounds carry no extra module
      const withHook = r % 2 === 1;
      const t0 = process.hrtime.bigint();
      const p = spawnSync(process.execPath, [...(withHook ? ['--import', pathToFileURL(hook).href] : []), ...c.args], {
        cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8',
      });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (p.status !== 0) throw new Error(`${c.name} failed (exit ${p.status}): ${p.stderr}`);
      if (withHook) {
        const [kb, cpuMs] = readFileSync(rssFile, 'utf8').split(' ').map(Number);
        rss[i].push(kb / 1024);
        cpu[i].push(cpuMs);
      }
      else wall[i].push(ms);
    });
  }
  const floor = median(wall[0]);
  return cases.map((c, i) => ({
    name: c.name, median_ms: median(wall[i]), min_ms: Math.min(...wall[i]), ratio: median(wall[i]) / floor, peak_rss_mb: median(rss[i]),
    cpu_ms: median(cpu[i]),
  }));
}

export function printStartupBench(rounds = 14): StartupRow[] {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
  const scratch = mkdtempSync(join(tmpdir(), 'bitweave-startup-'));
  try {
    const load0 = loadavg()[0];
    const rows = measureStartup(startupCases(join(scratch, 'out')), rounds, scratch);
    const load1 = loadavg()[0];
    process.stdout.write(`\nStart-up and whole commands (fresh processes, median of ${rounds / 2} runs, ${cpus().length} CPUs, ` +
      `load average ${load0.toFixed(1)} -> ${load1.toFixed(1)}):\n`);
    const floor = rows[0].median_ms;
    printTable(
      ['command', 'median ms', 'min ms', 'x node -e 0', 'above the floor, ms', 'CPU ms', 'CPU x node -e 0', 'peak RSS MB'],
      rows.map((r) => [r.name, r.median_ms.toFixed(0), r.min_ms.toFixed(0), `${r.ratio.toFixed(2)}x`, (r.median_ms - floor).toFixed(0),
        r.cpu_ms.toFixed(0), `${(r.cpu_ms / rows[0].cpu_ms).toFixed(2)}x`, r.peak_rss_mb.toFixed(0)]),
    );
    return rows;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printStartupBench();
