/**
 * The block formats on the command line: `quantize` into MX and NVFP4 (expected codes worked
 * by hand from the OCP MX v1.0 rules, section 6.3, and NVIDIA's NVFP4 recipe), `formats`,
 * `precision dot` and their refusals.
 */
import { describe, expect, it } from 'vitest';
import { parseCsv, runCli } from './run-cli.ts';

describe('bitweave quantize into block formats', () => {
  it('one MXFP4 block per line: element codes and the E8M0 scale', () => {
    // line 1: amax 6 = 1.5 * 2^2, shared_exp 2 - 2 = 0 (0x7f); 0.3 rounds to 0.5
    // line 2: amax 7 clamps to 6 at X = 1; 0.1 -> 0
    // line 3: amax 12: shared_exp 3 - 2 = 1 (0x80, X = 2); 12/2 = 6 -> 0x7; 1/2 -> 0x1
    const r = runCli(['quantize', '--format', 'mxfp4'], '6 1 -1.5 0.3\n7,0.1\n12\t1\n');
    expect(r.code, r.stderr).toBe(0);
    expect(parseCsv(r.stdout)).toEqual([
      ['block', 'input', 'bits_hex', 'value', 'scale_hex', 'scale'],
      ['0', '6', '0x7', '6', '0x7f', '1'],
      ['0', '1', '0x2', '1', '0x7f', '1'],
      ['0', '-1.5', '0xb', '-1.5', '0x7f', '1'],
      ['0', '0.3', '0x1', '0.5', '0x7f', '1'],
      ['1', '7', '0x7', '6', '0x7f', '1'],
      ['1', '0.1', '0x0', '0', '0x7f', '1'],
      ['2', '12', '0x7', '12', '0x80', '2'],
      ['2', '1', '0x1', '1', '0x80', '2'],
    ]);
  });

  it('a column is cut into blocks of --block; NaN makes its block NaN', () => {
    const r = runCli(['quantize', '--format', 'mxfp8-e4m3', '--block', '2', '--json'], '448\n1\nnan\n2\n0\n-0\n');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { block_size: number; blocks: { scale_hex: string; elements: { bits_hex: string; value: number | string }[] }[] };
    expect(doc.block_size).toBe(2);
    expect(doc.blocks.map((b) => b.scale_hex)).toEqual(['0x7f', '0xff', '0x00']);
    expect(doc.blocks[0].elements.map((e) => e.bits_hex)).toEqual(['0x7e', '0x38']);
    expect(doc.blocks[1].elements.map((e) => e.value)).toEqual(['nan', 'nan']);
    expect(doc.blocks[2].elements.map((e) => e.value)).toEqual([0, '-0']);
  });

  it('NVFP4: the tensor scale from every number, E4M3 block scales', () => {
    // amax 6: S_enc = 2688 / 6 = 448; block amax 6 -> E4M3 448 (0x7e); elements at scale 1
    const r = runCli(['quantize', '--format', 'nvfp4', '--json'], '6 3 -1.5 0.5\n');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { tensor_scale: number; blocks: { scale_hex: string; elements: { bits_hex: string }[] }[] };
    expect(doc.tensor_scale).toBe(Math.fround(1 / 448));
    expect(doc.blocks[0].scale_hex).toBe('0x7e');
    expect(doc.blocks[0].elements.map((e) => e.bits_hex)).toEqual(['0x7', '0x5', '0xb', '0x1']);
  });

  it('refuses what does not apply, with the line of a bad number (exit 2)', () => {
    const long = runCli(['quantize', '--format', 'mxfp4', '--block', '2'], '1 2\n1 2 3\n');
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('stdin line 2: 3 numbers, but a block holds at most 2 (--block)');
    const round = runCli(['quantize', '--format', 'nvfp4', '--round', 'trunc'], '1\n');
    expect(round.code).toBe(2);
    expect(round.stderr).toContain('--round does not apply to nvfp4');
    const block = runCli(['quantize', '--format', 'e4m3', '--block', '32'], '1\n');
    expect(block.code).toBe(2);
    expect(block.stderr).toContain('--block applies to block formats');
    const bad = runCli(['quantize', '--format', 'mxint8'], '1 x\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("stdin line 1: 'x' is not a number");
    const unknown = runCli(['quantize', '--format', 'mxfp5'], '1\n');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('block formats: mxfp8-e4m3');
    expect(runCli(['quantize', '--format', 'e2m1'], 'nan\n').stderr).toContain('cannot convert NaN to e2m1');
  });
});

describe('bitweave formats', () => {
  it('lists the MX element formats, E8M0 and the block formats', () => {
    const r = runCli(['formats', '--json']);
    const doc = JSON.parse(r.stdout) as { name: string; kind: string; max_finite?: number; block_size?: number; bits_per_element?: number }[];
    const by = (n: string) => doc.find((f) => f.name === n);
    expect(by('e2m1')).toMatchObject({ kind: 'float', max_finite: 6 });
    expect(by('e8m0')).toMatchObject({ kind: 'exp', max_finite: 2 ** 127 });
    expect(by('mxfp4')).toMatchObject({ kind: 'mx', block_size: 32, bits_per_element: 4.25 });
    expect(by('nvfp4')).toMatchObject({ kind: 'nvfp4', block_size: 16, bits_per_element: 4.5 });
    expect(runCli(['formats']).stdout).toContain('block formats');
  });
});

describe('bitweave precision dot', () => {
  it('prints the fp32, N-bit and promoted rows (JSON)', () => {
    const r = runCli(['precision', 'dot', '--format', 'e4m3', '--k', '256', '--samples', '20', '--acc-bits', '12', '--acc-promote', '32', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { rows: { accumulator: string; normwise_error: number }[] };
    expect(doc.rows.map((x) => x.accumulator)).toEqual(['fp32', '12-bit truncating', '12-bit truncating, promoted to fp32 every 32']);
    expect(doc.rows[1].normwise_error).toBeGreaterThan(doc.rows[2].normwise_error);
    const mx = runCli(['precision', 'dot', '--format', 'mxfp4', '--k', '100', '--samples', '5']);
    expect(mx.code, mx.stderr).toBe(0);
    expect(mx.stdout).toContain('blocks of 32 along K');
  });

  it('refuses bad options before working (exit 2)', () => {
    const cases: [string[], string][] = [
      [['--format', 'int8', '--k', '8'], 'for 8-bit integers see mxint8'],
      [['--format', 'mxfp4', '--k', '64', '--acc-promote', '48'], 'not a multiple of mxfp4\'s block size 32'],
      [['--format', 'e4m3', '--k', '0'], '--k must be an integer'],
      [['--format', 'e4m3', '--k', '8', '--acc-bits', '30'], '--acc-bits must be an integer in 2..24'],
      [['--format', 'e4m3', '--k', '1048576', '--samples', '1000'], 'at most 67108864 products'],
      [['--format', 'e4m3', '--k', '8', '--block', '16'], '--block applies to block formats'],
    ];
    for (const [args, msg] of cases) {
      const r = runCli(['precision', 'dot', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(msg);
    }
  });
});
