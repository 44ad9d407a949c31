/**
 * Issue 19: corrupt results and baselines are refused naming the field (they printed
 * "cycles: many", -5 cycles, "4 ok" with 3 plotted, or "0 of 279 compared ... OK"), and
 * deterministic outputs carry no wall-clock time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/run-cli.ts';
import { guardedCli } from '../cli/guarded-cli.ts';

const cli = guardedCli({ timeoutMs: 120_000 });
afterAll(() => cli.close());

let result: Record<string, unknown> & { totals: Record<string, unknown>; layers: Record<string, unknown>[] };
beforeAll(async () => {
  const o = await cli.run(['run', '--arch', 'edge', '--gemm', '32x24x40', '--out', '{dir}/o']);
  expect(o.verdict, o.stderr).toBe('ok');
  result = JSON.parse(readFileSync(join(o.dir, 'o', 'sim_result.json'), 'utf8')) as typeof result;
});

async function reportOf(doc: unknown): Promise<Awaited<ReturnType<typeof cli.run>>> {
  return cli.run(['report', '{dir}/r.json', '--out', '{dir}/rep'], { files: { 'r.json': JSON.stringify(doc) } });
}

describe('report refuses a result that is not one', () => {
  it('layers [1, 2, 3] and totals {} (internal errors before)', async () => {
    for (const doc of [{ ...result, layers: [1, 2, 3] }, { ...result, totals: {} }]) {
      const o = await reportOf(doc);
      expect(o.verdict, o.stderr).toBe('clean-error');
      expect(o.stderr).toMatch(/not a bitweave SimResult .*(layers\.0|totals)/);
    }
  });

  it('"cycles: many" and -5 cycles (printed as they were)', async () => {
    let o = await reportOf({ ...result, totals: { ...result.totals, cycles: 'many' } });
    expect(o.verdict).toBe('clean-error');
    expect(o.stderr).toMatch(/totals\.cycles: .*number/);
    o = await reportOf({ ...result, layers: [{ ...result.layers[0], cycles: -5 }] });
    expect(o.verdict).toBe('clean-error');
    expect(o.stderr).toMatch(/layers\.0\.cycles: .*(>=0|greater|non-negative)/i);
  });

  it('a sweep result whose point lacks the plotted figures (the report said "4 ok" and drew 3)', async () => {
    const line = (index: number, result2: Record<string, unknown>) =>
      JSON.stringify({ index, key: `k${index}`.padEnd(16, '0'), vars: { rows: index + 4 }, status: 'ok', result: result2 });
    const point: Record<string, unknown> = { layers: 1, ...result.totals };
    const { energy_pj: _e, ...noEnergy } = point;
    const text = [line(0, point), line(1, point), line(2, point), line(3, noEnergy)].join('\n') + '\n';
    const o = await cli.run(['report', '{dir}/results.jsonl', '--out', '{dir}/rep'], { files: { 'results.jsonl': text } });
    expect(o.verdict, o.stderr).toBe('clean-error');
    expect(o.stderr).toMatch(/results\.jsonl:4: .*energy_pj/);
  });
});

describe('precision baselines', () => {
  it('a baseline with no entries is refused (it compared nothing and passed)', async () => {
    const doc = JSON.parse(readFileSync(join(repoRoot, 'baselines/precision.json'), 'utf8')) as Record<string, unknown>;
    const o = await cli.run(['precision', 'check', '--baseline', '{dir}/b.json'], { files: { 'b.json': JSON.stringify({ ...doc, entries: {} }) } });
    expect(o.verdict, o.stderr).toBe('clean-error');
    expect(o.stderr).toMatch(/no entries/);
    expect(o.ms).toBeLessThan(10_000); // refused before the suite runs
  });
});

describe('deterministic JSON carries no wall-clock time', () => {
  it('run --schedule: the same bytes twice, no solve_ms', async () => {
    const args = ['run', '--model', 'resnet18', '--arch', '{dir}/npu.yaml', '--schedule', 'heuristic', '--json'];
    const files = { 'npu.yaml': 'name: npu-3mb\narray: {rows: 32, cols: 32}\ndataflow: ws\npe: int8\nsram: {unified_kb: 3072}\n' };
    const a = await cli.run(args, { files }), b = await cli.run(args, { files });
    expect(a.verdict, a.stderr).toBe('ok');
    expect(b.verdict).toBe('ok');
    expect(a.stdout).toContain('"schedule"');
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toContain('solve_ms');
  });

  it('accuracy --json: no seconds', async () => {
    const o = await cli.run(['accuracy', '--model', 'mlp', '--pe', 'fp32', '--limit', '20', '--json']);
    expect(o.verdict, o.stderr).toBe('ok');
    expect(JSON.parse(o.stdout ?? '')).not.toHaveProperty('seconds');
  });
});
