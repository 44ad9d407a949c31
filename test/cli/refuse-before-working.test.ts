/**
 * Issue 19: every option, name and file is checked before any work or any write. One test per
 * defect found by hand: each ran (and wrote) before yargs' complaint, crashed with an internal
 * error, accepted a wrong value silently, or validated too late.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../sim/arch/presets.ts';
import { repoRoot } from './run-cli.ts';
import { guardedCli } from './guarded-cli.ts';

const cli = guardedCli();
afterAll(() => cli.close());

const SWEEP = 'base: {arch: scale, model: "gemm:8x8x8"}\ngrid:\n  rows: [4, 8]\n';

/** a clean refusal: exit 2, one message, no stack trace, nothing written */
function refused(o: Awaited<ReturnType<typeof cli.run>>, message?: RegExp): void {
  expect(o.verdict, `${o.input.args.join(' ')}: ${o.stderr}`).toBe('clean-error');
  expect(o.stderr).toMatch(/^bitweave: /);
  if (message) expect(o.stderr).toMatch(message);
}

describe('a misspelt or missing option stops the command before it runs', () => {
  it('precision check --update --baselne: exit 2 and the baseline is not rewritten', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-baseline-'));
    const baseline = join(dir, 'precision.json');
    copyFileSync(join(repoRoot, 'baselines/precision.json'), baseline);
    const before = statSync(baseline).mtimeMs;
    const o = await cli.run(['precision', 'check', '--update', '--baseline', baseline, '--baselne', join(dir, 'mine.json')]);
    refused(o, /Unknown argument: baselne/);
    expect(statSync(baseline).mtimeMs).toBe(before);
    expect(readdirSync(dir)).toEqual(['precision.json']);
  });

  it('run --out X --trce: exit 2 and no X', async () => {
    const o = await cli.run(['run', '--gemm', '8x8x8', '--out', '{dir}/X', '--trce']);
    refused(o, /Unknown argument: trce/);
    expect(existsSync(join(o.dir, 'X'))).toBe(false);
  });

  it('sweep f.yaml --ot D: exit 2 and no sweep into a default folder', async () => {
    const o = await cli.run(['sweep', '{dir}/f.yaml', '--ot', '{dir}/D'], { files: { 'f.yaml': SWEEP } });
    refused(o, /Unknown argument: ot/);
    expect(readdirSync(o.dir)).toEqual(['f.yaml']);
    expect(readdirSync(cli.cwd).filter((n) => n.startsWith('sweep-'))).toEqual([]);
  });

  it('quantize, mul and accuracy without their required options: a usage error, not an internal one', async () => {
    for (const [args, missing] of [[['quantize'], 'format'], [['mul'], 'pe'], [['accuracy', '--pe', 'fp32'], 'model']] as const) {
      const o = await cli.run(args, { stdin: '1\n' });
      refused(o, new RegExp(`Missing required argument: ${missing}`));
    }
  });
});

describe('integers where integers are meant, numbers where numbers are', () => {
  it('--seed abc and --seed 1.5 are refused (they were 0 and 1)', async () => {
    refused(await cli.run(['run', '--gemm', '8x8x8', '--functional', '--seed', 'abc']), /--seed must be an integer, got 'abc'/);
    refused(await cli.run(['run', '--gemm', '8x8x8', '--functional', '--seed', '1.5']), /--seed must be an integer, got 1\.5/);
    refused(await cli.run(['precision', 'mul', '--seed', '1.5']), /--seed must be an integer/);
  });

  it('--gemm -5x5x5 names the value (it said "got \'\'")', async () => {
    refused(await cli.run(['run', '--gemm', '-5x5x5']), /-5/);
  });

  it('--limit without --dataset is refused (it was ignored)', async () => {
    refused(await cli.run(['run', '--gemm', '8x8x8', '--limit', '5']), /--limit .*--dataset/);
  });
});

describe('the input at fault is exit 2 naming it, not an internal error', () => {
  it('a directory as --arch, as the sweep file and as --baseline', async () => {
    refused(await cli.run(['run', '--arch', '{dir}', '--gemm', '8x8x8']), /is a directory/);
    refused(await cli.run(['sweep', '{dir}']), /is a directory/);
    refused(await cli.run(['precision', 'check', '--baseline', '{dir}']), /is a directory/);
  });

  it('report --out on a file', async () => {
    const run = await cli.run(['run', '--gemm', '16x16x16', '--out', '{dir}/r']);
    expect(run.verdict).toBe('ok');
    const o = await cli.run(['report', join(run.dir, 'r', 'sim_result.json'), '--out', join(run.dir, 'r', 'sim_result.json')]);
    refused(o, /is a file, not a folder/);
  });

  it('a topology CSV value of 1e20', async () => {
    const csv = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nc, 100000000000000000000, 8, 3, 3, 4, 4, 1,\n';
    refused(await cli.run(['run', '--model', '{dir}/t.csv'], { files: { 't.csv': csv } }), /t\.csv:2 .*IFMAP height/);
  });
});

describe('checked before anything is written', () => {
  it('a bad --dram-type or --node with --trace leaves no trace files (and no folder)', async () => {
    for (const [bad, message] of [[['--dram-type', 'foo'], /unknown DRAM type 'foo'/], [['--node', '3'], /process node 3 nm/]] as const) {
      const o = await cli.run(['run', '--gemm', '8x8x8', '--out', '{dir}/T', '--trace', ...bad]);
      refused(o, message);
      expect(existsSync(join(o.dir, 'T'))).toBe(false);
    }
  });

  it('an early error leaves no empty --out folder', async () => {
    const o = await cli.run(['run', '--gemm', '8x8x8', '--out', '{dir}/a/b/D', '--node', '3']);
    refused(o, /process node 3 nm/);
    expect(readdirSync(o.dir)).toEqual([]);
  });

  it('an existing --out folder keeps its files when a run fails', async () => {
    const ok = await cli.run(['run', '--gemm', '8x8x8', '--out', '{dir}/D']);
    expect(ok.verdict).toBe('ok');
    const report = readFileSync(join(ok.dir, 'D', 'COMPUTE_REPORT.csv'), 'utf8');
    const o = await cli.run(['run', '--gemm', '16x16x16', '--out', join(ok.dir, 'D'), '--dram-type', 'foo']);
    refused(o, /unknown DRAM type 'foo'/);
    expect(readFileSync(join(ok.dir, 'D', 'COMPUTE_REPORT.csv'), 'utf8')).toBe(report);
    expect(readdirSync(join(ok.dir, 'D')).sort()).toEqual(['BANDWIDTH_REPORT.csv', 'COMPUTE_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv', 'sim_result.json']);
  });
});

describe('what input files say reaches the terminal safely, and a BOM is accepted everywhere', () => {
  const arch = getPreset('edge');

  it('control characters from an input file are escaped in messages', async () => {
    const o = await cli.run(['run', '--arch', '{dir}/a.yaml', '--gemm', '8x8x8'], {
      files: { 'a.yaml': YAML.stringify({ ...arch, pe: '\u001b[31mint8\r' }) },
    });
    refused(o, /unknown PE/);
    expect(o.stderr).not.toMatch(/[\u001b\r]/);
    expect(o.stderr).toContain('\\x1b[31mint8\\r');
  });

  it('a UTF-8 byte-order mark: JSON, YAML, .cfg, topology CSV, sweep file and stdin alike', async () => {
    const bom = '\ufeff';
    const cfg = readFileSync(join(repoRoot, 'models/data/scalesim/configs/scale.cfg'), 'utf8');
    const cases: [string[], Record<string, string>, string?][] = [
      [['run', '--arch', '{dir}/a.json', '--gemm', '8x8x8'], { 'a.json': bom + JSON.stringify(arch) }],
      [['run', '--arch', '{dir}/a.yaml', '--gemm', '8x8x8'], { 'a.yaml': bom + YAML.stringify(arch) }],
      [['run', '--arch', '{dir}/a.cfg', '--gemm', '8x8x8'], { 'a.cfg': bom + cfg }],
      [['run', '--model', '{dir}/t.csv'], { 't.csv': `${bom}Layer, M, N, K,\ng, 16, 16, 16,\n` }],
      [['sweep', '{dir}/s.json', '--check'], { 's.json': bom + JSON.stringify({ base: { arch: 'scale', model: 'gemm:8x8x8' } }) }],
      [['quantize', '--format', 'e4m3'], {}, `${bom}1.5\n`],
    ];
    for (const [args, files, stdin] of cases) {
      const o = await cli.run(args, { files, ...(stdin !== undefined && { stdin }) });
      expect(o.verdict, `${args.join(' ')}: ${o.stderr}`).toBe('ok');
      // the BOM is stripped, not read as part of the first value
      if (stdin !== undefined) expect(o.stdout).toContain('1.5,0x3c,1.5');
    }
  });
});

describe('messages that say what is wrong', () => {
  it('a SCALE-Sim .cfg with a misspelt key or a key given twice is refused with its line', async () => {
    const cfg = readFileSync(join(repoRoot, 'models/data/scalesim/configs/scale.cfg'), 'utf8');
    refused(await cli.run(['run', '--arch', '{dir}/a.cfg', '--gemm', '8x8x8'], { files: { 'a.cfg': cfg.replace('ArrayHeight', 'ArrayHieght') } }), /a\.cfg:\d+: unknown key 'ArrayHieght'/);
    refused(await cli.run(['run', '--arch', '{dir}/a.cfg', '--gemm', '8x8x8'], { files: { 'a.cfg': cfg.replace(/(ArrayWidth.*\n)/, '$1$1') } }), /a\.cfg:\d+: 'ArrayWidth' is given twice/);
  });
});
