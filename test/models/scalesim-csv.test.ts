/** SCALE-Sim topology CSV reader: SCALE-Sim's own files, both forms, and errors with file:line. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTopologyCsv } from '../../models/import/scalesim-csv.ts';
import { convOutput, gemmView } from '../../sim/workload/layer.ts';
import { InputError } from '../../sim/errors.ts';

const SHARED = new URL('../../models/data/scalesim/topologies/', import.meta.url);

describe('SCALE-Sim topology CSV', () => {
  it('reads every conv topology SCALE-Sim ships', () => {
    const counts: Record<string, number> = {};
    for (const f of readdirSync(new URL('conv_nets/', SHARED))) {
      counts[f] = parseTopologyCsv(readFileSync(new URL(`conv_nets/${f}`, SHARED), 'utf8'), { file: f }).length;
    }
    expect(counts['Resnet18.csv']).toBe(21);
    expect(counts['alexnet.csv']).toBeGreaterThan(4);
    expect(counts['Resnet50.csv']).toBeGreaterThan(50); // its notes columns and comma-only line are skipped
  });

  it('reads ResNet-18 Conv1 with SCALE-Sim\'s output size and the same layer padded', () => {
    const text = readFileSync(new URL('conv_nets/Resnet18.csv', SHARED), 'utf8');
    const [c1] = parseTopologyCsv(text, { file: 'Resnet18.csv' });
    if (c1.kind !== 'conv2d') throw new Error('conv expected');
    expect([c1.inH, c1.inW, c1.kH, c1.kW, c1.channels, c1.filters, c1.strideH, c1.strideW]).toEqual([224, 224, 7, 7, 3, 64, 2, 2]);
    // SCALE-Sim: ceil((224 - 7 + 2) / 2) = 110
    expect(convOutput(c1)).toEqual({ outH: 110, outW: 110 });
    const [p1] = parseTopologyCsv(text, { file: 'Resnet18.csv', padding: 'same' });
    expect(gemmView(p1)).toEqual({ m: 112 * 112, n: 64, k: 147 });
    const [v1] = parseTopologyCsv(text, { file: 'Resnet18.csv', padding: 'valid' });
    expect(gemmView(v1).m).toBe(109 * 109);
  });

  it('reads the GEMM form (M, N, K)', () => {
    const layers = parseTopologyCsv(readFileSync(new URL('GEMM_mnk/gpt2.csv', SHARED), 'utf8'), { file: 'gpt2.csv' });
    expect(layers[0]).toEqual({ kind: 'gemm', name: 'QKT', m: 1024, n: 1024, k: 64 });
  });

  it('splits DP (depthwise) layers per channel, as SCALE-Sim does', () => {
    const csv = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nDP1, 8, 8, 3, 3, 4, 1, 1,\n';
    const layers = parseTopologyCsv(csv);
    expect(layers.map((l) => l.name)).toEqual(['DP1Channel_0', 'DP1Channel_1', 'DP1Channel_2', 'DP1Channel_3']);
  });

  it('errors name the file and the line', () => {
    const head = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n';
    const bad = (body: string) => () => parseTopologyCsv(head + body, { file: 'net.csv' });
    expect(bad('C1, 8, 8, 3, 3, 4, 2, 1,\nC2, 8, x, 3, 3, 4, 2, 1,\n')).toThrow(/net\.csv:3: IFMAP Width must be an integer, got 'x'/);
    expect(bad('C1, 8, 8, 3, 3, 0, 2, 1,\n')).toThrow(/net\.csv:2 \(C1\): channels must be a positive integer, got 0/);
    expect(bad('C1, 8, 8, 3, 3, 4, -2, 1,\n')).toThrow(/net\.csv:2.*num filter must be a positive integer/);
    expect(bad('C1, 8, 8, 3,\n')).toThrow(/net\.csv:2 \(C1\): expected/);
    expect(bad('C1, 2, 8, 3, 3, 4, 2, 1,\n')).toThrow(/net\.csv:2 \(C1\): filter \(3x3\) larger than the IFMAP/);
    expect(bad('')).toThrow(/net\.csv: no layers found/);
    expect(() => parseTopologyCsv('Layer, M, N, K,\nG, 4, 0, 3,\n', { file: 'g.csv' })).toThrow(/g\.csv:2 \(G\): N must be a positive integer/);
    expect(bad('C1, 8, 8, 3, 3, 4, 2, 1,\nC2, 8, x, 3, 3, 4, 2, 1,\n')).toThrow(InputError);
  });
});
