import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { macs } from '../../sim/workload/layer.ts';
import { parseTopologyCsv } from '../../models/import/scalesim-csv.ts';
import { loadModel } from '../../models/source.ts';
import { InputError } from '../../sim/errors.ts';
import { repoRoot, runCli } from '../cli/run-cli.ts';

// SCALE-Sim's own topology files, committed with the project (models/data/scalesim/)
const topo = join(repoRoot, 'models', 'data', 'scalesim', 'topologies');
const shipped = ['conv_nets', 'GEMM_mnk'].flatMap((d) => readdirSync(join(topo, d)).filter((f) => f.endsWith('.csv')).map((f) => join(topo, d, f)));

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bitweave-src-'));
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('loadModel: SCALE-Sim topology CSVs', () => {
  it('finds the shipped topologies', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of shipped) {
    it(`loads ${file.split('/').slice(-2).join('/')} as array ops, one per layer`, () => {
      const m = loadModel(file);
      const layers = parseTopologyCsv(readFileSync(file, 'utf8'), { file });
      expect(m.source).toBe('csv');
      expect(m.graph).toBeUndefined();
      expect(m.lowered.arrayOps.map((o) => o.layer)).toEqual(layers);
      expect(m.lowered.arrayOps.every((o) => o.repeat === 1)).toBe(true);
      expect(m.macs).toBe(layers.reduce((s, l) => s + macs(l), 0));
      expect(m.lowered.summary.arrayMacShare).toBe(1);
    });
  }

  it('conv form with the trailing comma, GEMM form, depthwise (DP) naming', () => {
    const conv = tmpFile('net.csv', 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv1, 8, 8, 3, 3, 4, 16, 1,\nConvDP2, 6, 6, 3, 3, 16, 1, 1,\n');
    const m = loadModel(conv);
    expect(m.name).toBe('net');
    expect(m.lowered.arrayOps).toHaveLength(1 + 16); // DP: one single-channel layer per channel
    expect(m.lowered.arrayOps[1].layer).toMatchObject({ kind: 'conv2d', channels: 1, filters: 1, name: 'ConvDP2Channel_0' });
    const gemm = loadModel(tmpFile('g.csv', 'Layer,M,N,K,\nQKT,128,128,64,\n'));
    expect(gemm.lowered.arrayOps[0].layer).toEqual({ kind: 'gemm', name: 'QKT', m: 128, n: 128, k: 64 });
    expect(loadModel(conv, { padding: 'same' }).lowered.arrayOps[0].layer).toMatchObject({ padTop: 1, padLeft: 1 });
  });

  it('a row with the wrong number of fields names the file and line; the CLI exits 2', () => {
    const bad = tmpFile('bad.csv', 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv1, 8, 8, 3, 3, 4, 16, 1,\nConv2, 8, 8, 3,\n');
    expect(() => loadModel(bad)).toThrow(/bad\.csv:3 \(Conv2\): expected 'name, IFMAP Height/);
    const r = runCli(['zoo', 'show', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.csv:3');
  });
});

describe('loadModel: zoo specs and errors', () => {
  it('zoo names with parameters', () => {
    const m = loadModel('bert_base:seq=64');
    expect(m.source).toBe('zoo');
    expect(m.params).toBe(109_482_240);
    expect(m.graph!.tensors.get('input_ids')!.shape).toEqual([1, 64]);
    expect(m.lowered.arrayOps.length).toBeGreaterThan(0);
  });
  it('unknown names and missing files are InputErrors', () => {
    expect(() => loadModel('resnet9000')).toThrow(InputError);
    expect(() => loadModel('/nonexistent/m.onnx')).toThrow(InputError);
    expect(() => loadModel('/nonexistent/m.onnx')).toThrow(/model file '\/nonexistent\/m\.onnx': no such file/);
    expect(() => loadModel('/nonexistent/t.csv')).toThrow(/topology file '\/nonexistent\/t\.csv': no such file/);
  });
});
