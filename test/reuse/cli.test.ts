/** `--reuse ent|mst` through the real CLI: bad input exits 2 with a clear message; JSON and tables carry the reuse. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.ts';

describe('bitweave --reuse', () => {
  it('--reuse ent on a PE kind without a multiplier to encode: exit 2, clear message', () => {
    for (const pe of ['lmul-bf16', 'xnor']) {
      const r = runCli(['run', '--gemm', '8x8x8', '--pe', pe, '--reuse', 'ent']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/--reuse ent needs a PE with a multiplier to Booth-encode/);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('--reuse mst on a model without binary layers, or outside run: exit 2, clear message', () => {
    const r = runCli(['run', '--model', 'resnet18', '--reuse', 'mst']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--reuse mst needs binary layers/);
    const mul = runCli(['mul', '--pe', 'int8', '--reuse', 'mst'], '1 2\n');
    expect(mul.code, mul.stderr).toBe(2);
    expect(mul.stderr).toMatch(/not an option of a single PE/);
  });

  it('run --reuse mst prints the reuse per layer and in total; --json carries the reuse block and its effect', () => {
    const human = runCli(['run', '--gemm', '20x24x40', '--pe', 'xnor', '--reuse', 'mst', '--functional']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/MST reuse on 1 binary layer/);
    expect(human.stdout).toMatch(/identical/);
    expect(human.stdout).toMatch(/reuse \(mst\) in total: energy/);
    const r = runCli(['run', '--gemm', '20x24x40', '--pe', 'int8', '--reuse', 'ent', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { arch: { reuse?: string }; totals: { reuse_effect?: { kind: string; saved: { area_um2: number } } } };
    expect(res.arch.reuse).toBe('ent');
    expect(res.totals.reuse_effect?.kind).toBe('ent');
    expect(res.totals.reuse_effect?.saved.area_um2).toBeGreaterThan(0);
  });

  it('report --papers prints the EN-T design points beside the paper', () => {
    const r = runCli(['report', '--papers']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('### EN-T design points');
    expect(r.stdout).toContain('| 4 TOPS | os | 32x64 | 2048 |');
  });
});
