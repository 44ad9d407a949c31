/** `bitweave run` end to end: JSON SimResult, SCALE-Sim report files, traces, exit codes. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SHARED = 'models/data/scalesim';

function bitweave(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'cli/main.ts', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface LayerJson {
  name: string;
  cycles: number;
  stall_cycles: number;
  macs: number;
  utilization: number;
  mapping_efficiency: number;
  sram: Record<string, number>;
  dram: Record<string, number>;
  output?: { checksum: string; max_abs_error: number };
}

describe('bitweave run', () => {
  it('--json prints one SimResult with SCALE-Sim\'s numbers in parity mode', () => {
    const r = bitweave('run', '--gemm', '128x64x256', '--compat', 'scalesim', '--dataflow', 'is', '--json');
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { totals: { cycles: number }; layers: LayerJson[] };
    expect(res.layers).toHaveLength(1);
    const l = res.layers[0];
    expect(l.cycles).toBe(5055);
    expect(res.totals.cycles).toBe(5055);
    for (const key of ['cycles', 'stall_cycles', 'macs', 'utilization', 'mapping_efficiency']) expect(l).toHaveProperty(key);
    expect(Object.keys(l.sram).sort()).toEqual(['filter_reads', 'ifmap_reads', 'ofmap_reads', 'ofmap_writes']);
    expect(Object.keys(l.dram).sort()).toEqual(
      ['compulsory_bytes', 'filter_read_bytes', 'ifmap_read_bytes', 'non_compulsory_bytes', 'ofmap_read_bytes', 'ofmap_write_bytes'],
    );
  });

  it('runs a SCALE-Sim .cfg and topology CSV and writes its three reports in its layout', () => {
    const out = mkdtempSync(join(tmpdir(), 'bw-run-'));
    const r = bitweave('run', '--arch', `${SHARED}/configs/scale.cfg`, '--model', `${SHARED}/topologies/conv_nets/alexnet_part.csv`,
      '--compat', 'scalesim', '--dataflow', 'ws', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const compute = readFileSync(join(out, 'COMPUTE_REPORT.csv'), 'utf8').split('\n');
    expect(compute[0]).toBe('LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,');
    const cells = compute[1].split(', ');
    // alexnet_part.csv is Conv1 at 224x224: SCALE-Sim's 55x55 outputs (a partial last window)
    expect(cells[0]).toBe('0');
    expect(cells[1]).toBe('112283');
    expect(Number(cells[4])).toBeCloseTo(94.53125, 10);
    expect(readFileSync(join(out, 'BANDWIDTH_REPORT.csv'), 'utf8').split('\n')[0]).toBe(
      'LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,',
    );
    const detail = readFileSync(join(out, 'DETAILED_ACCESS_REPORT.csv'), 'utf8').split('\n');
    expect(detail[0].split(', ')).toHaveLength(19);
    expect(detail[1].split(', ')[3]).toBe('3294225');
    expect(detail[1].split(', ')[9]).toBe('3484800');
    expect(detail[1].endsWith(',')).toBe(true);
  });

  it('--trace writes SRAM/DRAM traces in SCALE-Sim\'s layout and a Perfetto timeline', () => {
    const out = mkdtempSync(join(tmpdir(), 'bw-trace-'));
    const r = bitweave('run', '--gemm', '6x5x7', '--array', '4x4', '--dataflow', 'ws', '--bandwidth', '1', '--latency', '20', '--out', out, '--trace');
    expect(r.code, r.stderr).toBe(0);
    const ifmap = readFileSync(join(out, 'layer0', 'IFMAP_SRAM_TRACE.csv'), 'utf8').trim().split('\n');
    const res = JSON.parse(readFileSync(join(out, 'sim_result.json'), 'utf8')) as { layers: LayerJson[] };
    // one line per compute cycle, a cycle column and one column per row of the array
    expect(ifmap).toHaveLength(res.layers[0].cycles - res.layers[0].stall_cycles);
    expect(ifmap[0].split(',')).toHaveLength(5);
    const reads = ifmap.flatMap((l) => l.split(',').slice(1)).filter((x) => x !== '-1').length;
    expect(reads).toBe(res.layers[0].sram.ifmap_reads);
    const ofmap = readFileSync(join(out, 'layer0', 'OFMAP_SRAM_TRACE.csv'), 'utf8').trim().split('\n');
    expect(ofmap.flatMap((l) => l.split(',').slice(1)).filter((x) => x !== '-1').length).toBe(res.layers[0].sram.ofmap_writes);
    for (const f of ['FILTER_SRAM_TRACE.csv', 'IFMAP_DRAM_TRACE.csv', 'FILTER_DRAM_TRACE.csv', 'OFMAP_DRAM_TRACE.csv']) {
      expect(existsSync(join(out, 'layer0', f))).toBe(true);
    }
    const dramWords = readFileSync(join(out, 'layer0', 'IFMAP_DRAM_TRACE.csv'), 'utf8').trim().split('\n')
      .reduce((s, l) => s + l.split(',').length - 1, 0);
    expect(dramWords).toBe(res.layers[0].dram.ifmap_read_bytes);
    const trace = JSON.parse(readFileSync(join(out, 'timeline.perfetto.json'), 'utf8')) as { traceEvents: { ph: string; cat: string; dur?: number }[] };
    const cats = new Set(trace.traceEvents.filter((e) => e.ph === 'X').map((e) => e.cat));
    expect([...cats].sort()).toEqual(['dram', 'fold', 'layer', 'stall']);
  });

  it('--functional computes the outputs; both engines give the same bits', () => {
    const args = ['run', '--gemm', '9x7x11', '--array', '4x3', '--pe', 'bf16', '--psum', 'bf16', '--dataflow', 'ws', '--functional', '--json'];
    const fast = JSON.parse(bitweave(...args).stdout) as { layers: LayerJson[] };
    const ref = JSON.parse(bitweave(...args, '--engine', 'reference').stdout) as { layers: LayerJson[] };
    expect(fast.layers[0].output?.checksum).toMatch(/^[0-9a-f]{8}$/);
    expect(ref.layers[0].output?.checksum).toBe(fast.layers[0].output?.checksum);
    expect(ref.layers[0].cycles).toBe(fast.layers[0].cycles);
    expect(fast.layers[0].output?.max_abs_error).toBeLessThan(0.5);
  });

  it('bad input: a clear message and exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-bad-'));
    const badCsv = join(dir, 'bad.csv');
    writeFileSync(badCsv, 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nC1, 8, 8, 3, 3, 4, zero, 1,\n');
    const badYaml = join(dir, 'a.yaml');
    writeFileSync(badYaml, 'array: { rows: 4, cols: 0 }\ndataflow: ws\nsram: { ifmap_kb: 1, filter_kb: 1, ofmap_kb: 1 }\n');
    const badCfg = join(dir, 'a.cfg');
    writeFileSync(badCfg, '[architecture_presets]\nArrayHeight: 8\nArrayWidth: 8\nIfmapSramSzkB: 8\nFilterSramSzkB: 8\nOfmapSramSzkB: 8\nDataflow: rs\n');
    const cases: [string[], RegExp][] = [
      [['--gemm', '0x4x4'], /M must be a positive integer, got 0/],
      [['--gemm', '4x-4x4'], /N must be a positive integer, got -4/],
      [['--gemm', '4x4'], /--gemm must be MxNxK/],
      [['--gemm', '4x4x4', '--dataflow', 'rs'], /dataflow: Invalid option/],
      [['--gemm', '4x4x4', '--pe', 'fp64'], /unknown PE kind 'fp64'/],
      [['--gemm', '4x4x4', '--array', '0x8'], /array\.rows/],
      [['--model', badCsv], /bad\.csv:2: Num Filter must be an integer, got 'zero'/],
      [['--gemm', '4x4x4', '--arch', badYaml], /a\.yaml: invalid arch config: array\.cols/],
      [['--gemm', '4x4x4', '--arch', badCfg], /a\.cfg:7: unknown Dataflow 'rs'/],
      [['--gemm', '4x4x4', '--arch', 'nosuch'], /neither a preset/],
      [['--gemm', '4x4x4', '--arch', 'edge', '--psum', 'fp7'], /unknown format 'fp7'/],
    ];
    for (const [args, msg] of cases) {
      const r = bitweave('run', ...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(msg);
    }
  });
});
