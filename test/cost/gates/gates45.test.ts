/**
 * --technology gates45 through the one pipeline (models/run-request.ts): where each layer's
 * operands come from, the gate-based PE energy charged per layer with the table-based one beside
 * it, EN-T's reuse effect from both designs' netlists, and the refusals.
 */
import { describe, expect, it } from 'vitest';
import { getPreset } from '../../../sim/arch/presets.ts';
import { parseArch, type ArchConfig } from '../../../sim/arch/schema.ts';
import { InputError } from '../../../sim/errors.ts';
import { runRequest, resolveRun, type RunRequest } from '../../../models/run-request.ts';

function arch(over: Record<string, unknown> = {}): ArchConfig {
  const base = JSON.parse(JSON.stringify(getPreset('edge'))) as Record<string, unknown>;
  return parseArch({ ...base, ...over }, 'test arch');
}

const gates = { technology: 'gates45' };

describe('technology gates45', () => {
  it('prices a timing-only GEMM from the stated distribution, the table figure beside it', async () => {
    const r = await runRequest({ arch: arch({ pe: 'int8' }), model: 'gemm:64x48x96', cost: gates });
    expect(r.cost.technology).toBe('gates45');
    const l = r.layers[0];
    const m = l.energy_model;
    expect(m?.source).toBe('distribution');
    expect(m?.table.technology).toBe('horowitz45');
    // the layer's compute and register energy are its MACs times the gate figures per MAC
    const pm = m?.per_mac_pj as NonNullable<typeof m>['per_mac_pj'];
    // (accumulating below the array, ws / is: plus one accumulator add per merged partial sum)
    const merges = r.arch.dataflow !== 'os' && r.arch.accumulate === 'below' ? l.sram.ofmap_reads : 0;
    expect(l.energy_pj.compute).toBeCloseTo(l.macs * (pm.multiplier + pm.accumulator + pm.isolation) + merges * pm.accumulator, 6);
    expect(l.energy_pj.registers).toBeCloseTo(l.macs * pm.registers, 6);
    expect(m?.table.compute).toBeGreaterThan(0);
    expect(r.cost.sources.some((s) => s.table === 'gates45' && /NanGate/.test(s.source))).toBe(true);
    // memories still come from the operator tables
    expect(l.energy_pj.sram.total).toBeGreaterThan(0);
  });

  it('uses the functional operand stream when the run computes values', async () => {
    const r = await runRequest({ arch: arch({ pe: 'fp8-e4m3' }), model: 'gemm:32x16x40', functional: true, cost: gates });
    expect(r.layers[0].energy_model?.source).toBe('operands');
  });

  it('uses the trained CNN\'s weights and a calibration image\'s activations for its layers', async () => {
    const r = await runRequest({ arch: arch({ pe: 'int8' }), model: 'cnn', cost: gates });
    for (const l of r.layers) {
      expect(l.energy_model?.source).toBe('model-samples');
      expect(l.energy_model?.description).toMatch(/cnn weights, activations of 1 Fashion-MNIST test image/);
    }
    // ReLU outputs feed the later layers: zeros there, hardly any in the first layer's input
    expect(r.layers[1].energy_model?.zero_fraction).toBeGreaterThan(0.2);
  });

  it('zero gating lowers the PE energy of a ReLU network and reports what it skipped', async () => {
    const req: RunRequest = { arch: arch({ pe: 'int8' }), model: 'cnn', cost: gates };
    const plain = await runRequest(req);
    const gated = await runRequest({ ...req, gateZeros: true });
    const pe = (x: typeof plain) => x.totals.energy_pj.compute + x.totals.energy_pj.registers;
    expect(pe(gated)).toBeLessThan(pe(plain));
    expect(gated.layers[1].energy_model?.gated_fraction).toBeGreaterThan(0.2);
    expect(plain.layers[1].energy_model?.gated_fraction).toBe(0);
  });

  it('EN-T: the reuse effect compares with the plain design\'s netlists', async () => {
    const r = await runRequest({ arch: arch({ pe: 'int8' }), model: 'gemm:64x64x64', peOptions: { reuse: 'ent' }, cost: gates });
    expect(r.arch.reuse).toBe('ent');
    expect(r.totals.reuse_effect?.kind).toBe('ent');
    expect(r.cost.pe.row_encoder?.area_um2_each).toBeGreaterThan(0);
    expect(r.totals.reuse_effect?.without.area_um2).not.toBe(r.totals.reuse_effect?.with.area_um2);
  });

  it('refuses what it cannot price, before running', () => {
    expect(() => resolveRun({ arch: arch({ pe: 'int8' }), model: 'gemm:8x8x8', cost: { technology: 'horowitz45' }, gateZeros: true })).toThrow(/needs --technology gates45/);
    expect(() => resolveRun({ arch: arch({ pe: 'fp8-e4m3', acc: 'e5m2' }), model: 'gemm:8x8x8', cost: gates })).toThrow(InputError);
  });

  it('refuses a node other than 45 nm, and a design without array-cell netlists', async () => {
    // refused while the request is resolved (before any work) or when the run starts
    const run = async (req: Parameters<typeof runRequest>[0]) => runRequest(req);
    await expect(run({ arch: arch({ pe: 'int8' }), model: 'gemm:8x8x8', cost: { technology: 'gates45', node_nm: 7 } })).rejects.toThrow(/--node does not apply/);
    await expect(run({ arch: arch({ pe: 'bf16', acc: 'bf16' }), model: 'gemm:8x8x8', peOptions: { accInternal: 'fp32' }, cost: gates })).rejects.toThrow(/no array-cell netlist/);
  });
});
