import { describe, expect, it } from 'vitest';
import { zooNames } from '../../models/zoo/index.ts';
import { runCli } from '../cli/run-cli.ts';

describe('bitweave zoo', () => {
  it('list: every model with kind, MACs and params (JSON)', () => {
    const r = runCli(['zoo', 'list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; kind: string; macs: number; params: number }[];
    expect(rows.map((x) => x.name)).toEqual(zooNames());
    expect(rows.find((x) => x.name === 'resnet50')).toMatchObject({ kind: 'cnn', params: 25_557_032, macs: 4_089_184_256 });
  });

  it('show: the layer table after lowering, and the summary', () => {
    const r = runCli(['zoo', 'show', 'deit_tiny']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('blocks.0.attn');
    expect(r.stdout).toMatch(/197x197x64 x3/); // Q K^T per head
    expect(r.stdout).toMatch(/100\.0% of the model's MACs/);
    const j = runCli(['zoo', 'show', 'gpt2:mode=decode,seq=31', '--json', '--vector-throughput', '32']);
    expect(j.code).toBe(0);
    const out = JSON.parse(j.stdout) as { vector_throughput: number; summary: { arrayMacShare: number }; arrayOps: unknown[] };
    expect(out.vector_throughput).toBe(32);
    expect(out.summary.arrayMacShare).toBe(1);
  });

  it('bad model names and parameters exit 2 with the message', () => {
    const r = runCli(['zoo', 'show', 'resnet5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown model 'resnet5'");
    const p = runCli(['zoo', 'show', 'bert_base:seq=abc']);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('seq must be a positive integer');
  });
});
