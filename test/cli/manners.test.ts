/**
 * CLI manners: every command answers --help with examples, every table has a --json form
 * that parses, logs are JSON lines on stderr (not a TTY here) that --quiet silences, and
 * the exit codes are 0 success, 1 failed check, 2 bad input or usage.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, repoRoot, type CliResult } from './run-cli.ts';

function cli(args: readonly string[], input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env: { ...process.env, BITWEAVE_LOG_LEVEL: 'warn' } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** runs every invocation, two at a time (the CLI's start-up dominates these) */
async function all(invocations: readonly (readonly string[])[], input?: (args: readonly string[]) => string): Promise<CliResult[]> {
  const results: CliResult[] = new Array<CliResult>(invocations.length);
  let next = 0;
  const worker = async () => {
    while (next < invocations.length) {
      const i = next++;
      results[i] = await cli(invocations[i], input?.(invocations[i]) ?? '');
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

const COMMANDS: readonly string[][] = [
  [], ['formats'], ['pes'], ['quantize'], ['mul'], ['precision'], ['precision', 'mul'], ['precision', 'dot'], ['precision', 'check'],
  ['run'], ['report'], ['sweep'], ['sweep-merge'], ['zoo'], ['zoo', 'list'], ['zoo', 'show'],
];

describe('bitweave CLI manners', () => {
  it('every command has --help with examples (exit 0)', async () => {
    const results = await all(COMMANDS.map((c) => [...c, '--help']));
    results.forEach((r, i) => {
      const what = `bitweave ${COMMANDS[i].join(' ')} --help`;
      expect(r.code, what).toBe(0);
      expect(r.stderr, what).toBe('');
      expect(r.stdout, what).toContain('Examples:');
      const examples = r.stdout.slice(r.stdout.indexOf('Examples:'));
      expect(examples, what).toContain(`bitweave ${COMMANDS[i].join(' ')}`);
      expect(r.stdout, what).toContain('--quiet');
    });
  });

  it('--json output parses wherever a table is printed', async () => {
    const cases: { args: string[]; input?: string; check: (doc: unknown) => void }[] = [
      { args: ['formats', '--json'], check: (d) => expect((d as { name: string }[]).map((f) => f.name)).toContain('e4m3') },
      { args: ['pes', '--json'], check: (d) => expect((d as { name: string }[]).map((f) => f.name)).toContain('xnor') },
      { args: ['zoo', 'list', '--json'], check: (d) => expect((d as { name: string }[]).map((f) => f.name)).toContain('resnet18') },
      { args: ['zoo', 'show', 'resnet18', '--json'], check: (d) => expect(d).toHaveProperty('arrayOps') },
      { args: ['precision', 'mul', '--samples', '2000', '--json'], check: (d) => expect(d).toHaveProperty('claims') },
      { args: ['report', '--papers', '--json'], check: (d) => expect(typeof d).toBe('object') },
      { args: ['quantize', '--format', 'e4m3', '--json'], input: '464\n1e9\n', check: (d) => expect(d).toEqual([
        { input: '464', bits_hex: '0x7e', value: 448 }, { input: '1e9', bits_hex: '0x7f', value: 'nan' },
      ]) },
      { args: ['mul', '--pe', 'lmul-bf16', '--json'], input: '3fc0 3fc0\n', check: (d) => expect(d).toEqual([
        { a_hex: '0x3fc0', b_hex: '0x3fc0', product_hex: '0x4008', product_value: 2.125 },
      ]) },
      { args: ['run', '--gemm', '32x32x32', '--json'], check: (d) => expect(d).toHaveProperty('totals.cycles') },
    ];
    const results = await all(cases.map((c) => c.args), (args) => cases.find((c) => c.args === args)?.input ?? '');
    results.forEach((r, i) => {
      const what = `bitweave ${cases[i].args.join(' ')}`;
      expect(r.code, `${what}: ${r.stderr}`).toBe(0);
      let doc: unknown;
      expect(() => (doc = JSON.parse(r.stdout)), what).not.toThrow();
      cases[i].check(doc);
    });
  });

  it('logs are JSON lines on stderr; --quiet silences logs and progress', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bitweave-manners-'));
    const sweep = join(dir, 'sweep.yaml');
    writeFileSync(sweep, 'base:\n  arch: edge\n  model: gemm:32x32x32\ngrid:\n  rows: [8, 16]\n');
    const [logged, quiet, progress, silent] = await all([
      ['run', '--gemm', '32x32x32', '--log-level', 'info'],
      ['run', '--gemm', '32x32x32', '--log-level', 'info', '--quiet'],
      ['sweep', sweep, '--out', join(dir, 'a')],
      ['sweep', sweep, '--out', join(dir, 'b'), '-q'],
    ]);
    expect(logged.code).toBe(0);
    const logLines = logged.stderr.trim().split('\n');
    expect(logLines.length).toBeGreaterThan(0);
    for (const l of logLines) expect((JSON.parse(l) as { level: number }).level).toBeGreaterThanOrEqual(30);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(logged.stdout);
    expect(progress.stderr).toMatch(/sweep: 2\/2 points/);
    expect(silent.code).toBe(0);
    expect(silent.stderr).toBe('');
    expect(silent.stdout).toMatch(/2 points: 2 ran/);
  });

  it('exit codes: 2 for usage and bad input, with a message and no stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /Unknown argument: frobnicate/],
      [[], /name a command/],
      // a command of commands, named without one: what to name, not yargs' count of arguments
      [['rtl'], /name an rtl command: list, emit, check/],
      [['zoo'], /name a zoo command: list, show/],
      [['precision'], /name a precision study: mul, dot, check/],
      [['formats', '--colour'], /Unknown argument: colour/],
      [['precision', 'mul', '--samples', '-3'], /--samples must be a positive integer/],
      [['sweep-merge', join(tmpdir(), 'bw-merged'), join(tmpdir(), 'no-such-shard')], /is not a directory/],
    ];
    const results = await all(cases.map((c) => c[0]), () => '1\n');
    results.forEach((r, i) => {
      const what = `bitweave ${cases[i][0].join(' ')}`;
      expect(r.code, what).toBe(2);
      expect(r.stderr, what).toMatch(cases[i][1]);
      expect(r.stderr, what).not.toMatch(/\n\s+at /);
    });
  });
});
