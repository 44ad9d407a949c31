/** Arch configs: presets, SCALE-Sim .cfg files (v2 and v3), schema errors naming the field. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { getPreset, presetNames } from '../../sim/arch/presets.ts';
import { parseArch } from '../../sim/arch/schema.ts';
import { parseScaleSimCfg } from '../../sim/arch/scalesim-cfg.ts';
import { InputError } from '../../sim/errors.ts';

const CFG = new URL('../../models/data/scalesim/configs/', import.meta.url);

describe('arch presets', () => {
  it('scale, google, eyeriss and an edge array', () => {
    expect(presetNames()).toEqual(expect.arrayContaining(['scale', 'google', 'eyeriss', 'edge']));
    const s = getPreset('scale');
    expect([s.array.rows, s.array.cols, s.dataflow, s.sram.ifmap_kb, s.sram.filter_kb, s.sram.ofmap_kb]).toEqual([32, 32, 'os', 64, 64, 64]);
    const g = getPreset('google');
    expect([g.array.rows, g.array.cols, g.dataflow, g.sram.ifmap_kb, g.sram.filter_kb, g.sram.ofmap_kb]).toEqual([256, 256, 'ws', 6144, 6144, 2048]);
    const e = getPreset('eyeriss');
    expect([e.array.rows, e.array.cols, e.dataflow, e.sram.ifmap_kb]).toEqual([12, 14, 'ws', 36]);
    expect(getPreset('edge').array).toEqual({ rows: 16, cols: 16 });
    expect(() => getPreset('tpu')).toThrow(/unknown arch preset 'tpu'/);
  });
});

describe('SCALE-Sim .cfg', () => {
  it('reads SCALE-Sim\'s own configs, v2 and v3, to the same arch as the presets', () => {
    for (const name of ['scale', 'google', 'eyeriss']) {
      const { arch } = parseScaleSimCfg(readFileSync(new URL(`${name}.cfg`, CFG), 'utf8'), `${name}.cfg`);
      const p = getPreset(name);
      expect(arch.array).toEqual(p.array);
      expect(arch.dataflow).toBe(p.dataflow);
      expect([arch.sram.ifmap_kb, arch.sram.filter_kb, arch.sram.ofmap_kb]).toEqual([p.sram.ifmap_kb, p.sram.filter_kb, p.sram.ofmap_kb]);
      expect(arch.dram.bandwidth).toBe(10);
      expect(arch.offsets).toEqual({ ifmap: 0, filter: 10000000, ofmap: 20000000 });
    }
    const v3 = parseScaleSimCfg(readFileSync(new URL('scale_v3.cfg', CFG), 'utf8'), 'scale_v3.cfg');
    expect(v3.arch.dataflow).toBe('ws');
    expect(v3.runName).toBe('scale_example_run_32x32_ws');
    expect(v3.interfaceBandwidth).toBe('CALC');
  });

  it('malformed files: errors name the line or the key', () => {
    const ok = readFileSync(new URL('scale.cfg', CFG), 'utf8');
    expect(() => parseScaleSimCfg(ok.replace('ArrayHeight:    32', 'ArrayHeight:    0'), 'a.cfg')).toThrow(/a\.cfg:5: ArrayHeight must be a positive integer, got '0'/);
    expect(() => parseScaleSimCfg(ok.replace('Dataflow : os', 'Dataflow : xs'), 'a.cfg')).toThrow(/a\.cfg:\d+: unknown Dataflow 'xs'/);
    expect(() => parseScaleSimCfg(ok.replace('ArrayWidth:     32\n', ''), 'a.cfg')).toThrow(/a\.cfg: missing ArrayWidth/);
    expect(() => parseScaleSimCfg(ok.replace('[run_presets]', '[bogus]'), 'a.cfg')).toThrow(/a\.cfg:\d+: unknown section \[bogus\]/);
    expect(() => parseScaleSimCfg(ok.replace('Bandwidth : 10', 'Bandwidth 10'), 'a.cfg')).toThrow(/a\.cfg:\d+: expected 'Key: value'/);
    expect(() => parseScaleSimCfg(ok.replace('IfmapSramSzkB:   64', 'IfmapSramSzkB: lots'), 'a.cfg')).toThrow(InputError);
  });
});

describe('arch schema', () => {
  const yaml = `
name: mine
array: { rows: 8, cols: 4 }
dataflow: ws
pe: bf16
psum: bf16
sram: { ifmap_kb: 8, filter_kb: 8, ofmap_kb: 4 }
dram: { bandwidth: 16, latency: 120, type: lpddr5 }
`;
  it('validates YAML and fills defaults', () => {
    const a = parseArch(YAML.parse(yaml), 'mine.yaml');
    expect(a.sram.double_buffered).toBe(true);
    expect(a.clock_mhz).toBe(1000);
    expect(a.dram).toEqual({ bandwidth: 16, latency: 120, type: 'lpddr5' });
  });
  it('errors name the field', () => {
    const doc = YAML.parse(yaml) as Record<string, unknown>;
    expect(() => parseArch({ ...doc, array: { rows: 0, cols: 4 } }, 'm.yaml')).toThrow(/m\.yaml: invalid arch config: array\.rows: /);
    expect(() => parseArch({ ...doc, array: { rows: -2, cols: 4 } }, 'm.yaml')).toThrow(/array\.rows/);
    expect(() => parseArch({ ...doc, dataflow: 'rs' }, 'm.yaml')).toThrow(/dataflow: /);
    expect(() => parseArch({ ...doc, sram: { ifmap_kb: 8 } }, 'm.yaml')).toThrow(/sram: needs ifmap_kb, filter_kb and ofmap_kb/);
    expect(() => parseArch({ ...doc, sram: { unified_kb: 8, ifmap_kb: 1 } }, 'm.yaml')).toThrow(/sram: give either unified_kb/);
    expect(() => parseArch({ ...doc, dram: { bandwidth: 0 } }, 'm.yaml')).toThrow(/dram\.bandwidth/);
    expect(() => parseArch({ ...doc, colour: 'red' }, 'm.yaml')).toThrow(/colour|Unrecognized key/);
  });
});
