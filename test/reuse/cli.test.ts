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

  it('--mst-depth: refused without --reuse mst or below 1 (exit 2); bounds the tree; the table shows storage and depth', () => {
    for (const [args, msg] of [
      [['--pe', 'xnor', '--mst-depth', '2'], /--mst-depth bounds the MST reuse tree; it needs --reuse mst/],
      [['--pe', 'xnor', '--reuse', 'mst', '--mst-depth', 'deep'], /--mst-depth must be a number/],
      [['--pe', 'xnor', '--reuse', 'mst', '--mst-depth', '0'], /--mst-depth must be an integer >= 1, got 0/],
      [['--pe', 'xnor', '--reuse', 'mst', '--mst-depth', '1.5'], /--mst-depth must be an integer >= 1, got 1.5/],
    ] as const) {
      const r = runCli(['run', '--gemm', '20x24x40', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    }
    const j = runCli(['run', '--gemm', '20x48x40', '--pe', 'xnor', '--reuse', 'mst', '--mst-depth', '2', '--json']);
    expect(j.code, j.stderr).toBe(0);
    const res = JSON.parse(j.stdout) as { layers: { reuse: { tree_depth: number; depth_bound: number; storage: { format: string } } }[] };
    expect(res.layers[0].reuse.tree_depth).toBeLessThanOrEqual(2);
    expect(res.layers[0].reuse.depth_bound).toBe(2);
    expect(res.layers[0].reuse.storage.format).toBe('direct'); // random weights: lists would not pay
    const human = runCli(['run', '--gemm', '20x48x40', '--pe', 'xnor', '--reuse', 'mst', '--mst-depth', '2']);
    expect(human.stdout).toMatch(/distance +depth +storage/);
    expect(human.stdout).toMatch(/\(<= 2\) +plain \(layer\)/);
    expect(human.stdout).toMatch(/weight bits of the reused layers: 1920 direct -> 1920 with MST storage \(compression 1.00x\)/);
  });

  it('report --papers prints the EN-T design points beside the paper', () => {
    const r = runCli(['report', '--papers']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('### EN-T design points');
    expect(r.stdout).toContain('| 4 TOPS | os | 32x64 | 2048 |');
  });
});
