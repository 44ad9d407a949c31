/**
 * `bitweave rtl` as a user runs it: list, emit (the file written is the generator's Verilog
 * and Verilator accepts it), check (vectors and mismatches printed), and bad input refused
 * with exit 2 before any work.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.ts';
import { skipRtl } from './needs-verilator.ts';

describe('bitweave rtl', () => {
  it('list names every PE kind, and --help has examples', () => {
    const r = runCli(['rtl', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; cosim: string }[];
    const names = rows.map((x) => x.name);
    for (const k of ['fp32', 'bf16', 'fp16', 'fp8-e4m3', 'fp8-e5m2', 'lmul-bf16', 'lmul-fp8-e4m3', 'lmul-m3', 'lmul-m4', 'int8', 'int4', 'ternary', 'xnor']) {
      expect(names).toContain(k);
    }
    expect(rows.find((x) => x.name === 'int8')?.cosim).toBe('every operand pair');
    // the block PE kinds have no RTL (their dot unit is checked against exact arithmetic)
    for (const k of ['mxfp8-e4m3', 'mxfp4', 'mxint8', 'nvfp4']) expect(names).not.toContain(k);
    for (const sub of ['list', 'emit', 'check']) {
      const h = runCli(['rtl', sub, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toContain('Examples:');
      expect(h.stdout).toContain(`bitweave rtl ${sub}`);
    }
  });

  it('refuses bad options with exit 2 and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-rtl-bad-'));
    const out = join(dir, 'out');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder\n');
    const cases: [string[], RegExp][] = [
      [['rtl', 'emit', '--pe', 'fp9', '--out', out], /unknown RTL design 'fp9'/],
      [['rtl', 'emit', '--pe', 'mxfp4', '--out', out], /mxfp4 is a block PE .* has no RTL/],
      [['rtl', 'check', '--pe', 'nvfp4'], /nvfp4 is a block PE .* has no RTL/],
      [['rtl', 'emit', '--pe', 'int8', '--array', '4x4', '--out', out], /--array needs --dataflow/],
      [['rtl', 'emit', '--pe', 'int8', '--array', '4by4', '--dataflow', 'os', '--out', out], /--array must be RxC/],
      [['rtl', 'emit', '--pe', 'int8', '--array', '4x4', '--dataflow', 'xs', '--out', out], /--dataflow must be one of os, ws, is/],
      [['rtl', 'emit', '--pe', 'int8', '--array', '0x4', '--dataflow', 'os', '--out', out], /1\.\.64/],
      [['rtl', 'emit', '--pe', 'int8'], /Missing required argument: out/],
      [['rtl', 'check'], /Missing required argument: pe/],
      [['rtl', 'check', '--pe', ''], /--pe is required/],
      [['rtl', 'check', '--pe', 'int8', '--random', '-1'], /--random must be at least 0, got -1/],
      [['rtl', 'check', '--pe', 'int8', '--gemms', '0', '--array', '2x2', '--dataflow', 'os'], /--gemms must be a positive integer, got 0/],
      [['rtl', 'check', '--pe', 'xnor-popcount-8', '--array', '2x2', '--dataflow', 'os'], /not a PE of the array/],
      [['rtl', 'check', '--pe', 'bf16+acc-bf16-internal-fp32', '--array', '2x2', '--dataflow', 'ws'], /internal accumulator/],
      [['rtl', 'check', '--pe', 'int8', '--array', '2x2', '--dataflow', 'os', '--accumulate', 'below'], /--accumulate below applies to ws and is/],
      [['rtl', 'check', '--pe', 'int8', '--array', '2x2', '--dataflow', 'ws', '--accumulate', 'side'], /--accumulate must be one of top, below, got 'side'/],
      [['rtl', 'emit', '--pe', 'int8', '--out', file], /--out '.*a-file' is a file, not a folder/],
      [['rtl', 'emit', '--pe', 'int8', '--out', join(file, 'sub')], /--out '.*sub': '.*a-file' is a file, not a folder/],
    ];
    for (const [args, msg] of cases) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('emit writes Verilog that Verilator accepts', () => {
    const out = mkdtempSync(join(tmpdir(), 'bw-rtl-emit-'));
    const pe = runCli(['rtl', 'emit', '--pe', 'lmul-bf16', '--out', out, '--json']);
    expect(pe.code, pe.stderr).toBe(0);
    const arr = runCli(['rtl', 'emit', '--pe', 'int8', '--array', '2x3', '--dataflow', 'is', '--out', out, '--json']);
    expect(arr.code, arr.stderr).toBe(0);
    const files = readdirSync(out).sort();
    // ws / is accumulate below by default, as the simulator does (sim/arch/schema.ts)
    expect(files).toEqual(['bw_int8_is_below_gemm.v', 'bw_lmul_bf16.v']);
    const docs = [pe, arr].map((r) => JSON.parse(r.stdout) as { file: string; modules: Record<string, string> });
    expect(docs[0].modules.multiplier).toBe('bw_lmul_bf16_mul');
    expect((JSON.parse(arr.stdout) as { accumulate?: string }).accumulate).toBe('below');
    expect(readFileSync(join(out, 'bw_int8_is_below_gemm.v'), 'utf8')).toContain('module bw_int8_is_array');
    expect(readFileSync(join(out, 'bw_int8_is_below_gemm.v'), 'utf8')).toContain('module bw_int8_psum_add');
    if (skipRtl) return;
    for (const [file, top] of [['bw_lmul_bf16.v', 'bw_lmul_bf16_check'], ['bw_int8_is_below_gemm.v', 'bw_int8_is_below_gemm']]) {
      const lint = spawnSync('verilator', ['--lint-only', '-Wno-fatal', '-Wno-lint', '-Wno-style', '--top-module', top, join(out, file)], { encoding: 'utf8' });
      expect(lint.status, lint.stderr).toBe(0);
    }
  });

  it.skipIf(skipRtl)('check prints vectors checked and mismatches', () => {
    const r = runCli(['rtl', 'check', '--pe', 'int4']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^int4: 256 vectors checked \(every operand pair\), 0 product mismatches, 0 accumulator mismatches/);
    const a = runCli(['rtl', 'check', '--pe', 'xnor', '--array', '2x2', '--dataflow', 'ws', '--gemms', '3', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const doc = JSON.parse(a.stdout) as { gemms: number; mismatches: number; writes: number };
    expect(doc.gemms).toBe(3);
    expect(doc.mismatches).toBe(0);
    expect(doc.writes).toBeGreaterThan(0);
  });
});
