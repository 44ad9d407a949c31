/**
 * The gate-level cost model from the command line: run --technology gates45 (human table and
 * --json), --gate-zeros, report --papers --technology gates45 (claim / table / gates side by
 * side, from computed rows), accuracy --energy, and the refusals (exit 2, no stack trace).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.ts';

describe('bitweave with --technology gates45', () => {
  it('run prints each layer\'s gate-level PE energy beside the table\'s, and says which was used', () => {
    const r = runCli(['run', '--arch', 'edge', '--model', 'cnn', '--pe', 'fp8-e4m3', '--technology', 'gates45', '--gate-zeros']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PE energy per MAC \(compute \+ registers\), gate level \(gates45\)/);
    expect(r.stdout).toMatch(/model-samples/);
    expect(r.stdout).toMatch(/used for the totals: gates45/);
    expect(r.stdout).toMatch(/gates45 at 45 nm/);
  }, 120_000);

  it('run --json carries energy_model on every layer', () => {
    const r = runCli(['run', '--arch', 'edge', '--gemm', '32x32x64', '--pe', 'int8', '--technology', 'gates45', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { cost: { technology: string }; layers: { energy_model: { used: string; source: string; table: { technology: string } } }[] };
    expect(j.cost.technology).toBe('gates45');
    expect(j.layers[0].energy_model.used).toBe('gates45');
    expect(j.layers[0].energy_model.source).toBe('distribution');
    expect(j.layers[0].energy_model.table.technology).toBe('horowitz45');
  }, 120_000);

  it('report prices a saved result again with gates45 (the stated distribution) and shows gates beside the table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-gates-'));
    const run = runCli(['run', '--arch', 'edge', '--gemm', '32x32x64', '--pe', 'int8', '--out', dir]);
    expect(run.code).toBe(0);
    const r = runCli(['report', dir, '--technology', 'gates45', '--gate-zeros', '--out', join(dir, 'rep')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const md = readFileSync(join(dir, 'rep', 'report.md'), 'utf8');
    expect(md).toMatch(/## PE energy from gates \(gates45\) beside the operator table/);
    expect(md).toMatch(/stated distribution/);
  }, 120_000);

  it('sweep: technology and gate_zeros per point, the gates45 points priced from gates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-gates-sweep-'));
    const file = join(dir, 'sweep.yaml');
    writeFileSync(file, 'base:\n  arch: edge\n  model: gemm:32x32x64\nset:\n  pe: int8\npoints:\n' +
      '  - { technology: horowitz45 }\n  - { technology: gates45 }\n  - { technology: gates45, gate_zeros: true }\n');
    const r = runCli(['sweep', file, '--out', join(dir, 'out')]);
    expect(r.stderr).not.toMatch(/failed|Error/); // progress lines only
    expect(r.code).toBe(0);
    type Line = { index: number; vars: { technology: string; gate_zeros?: boolean }; result: { energy_pj: { compute: number; registers: number; sram: { total: number } } } };
    const lines = readFileSync(join(dir, 'out', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line).sort((a, b) => a.index - b.index);
    expect(lines.map((l) => l.vars.technology)).toEqual(['horowitz45', 'gates45', 'gates45']);
    const [table, gates, gated] = lines.map((l) => l.result.energy_pj);
    // the PE priced from gates (its own figures), the memories from the same tables
    expect(gates.registers).not.toBeCloseTo(table.registers, 0);
    expect(gates.sram.total).toBeCloseTo(table.sram.total, 6);
    // gating on random operands (almost no zeros) changes the PE's energy only a little: the isolation cells
    expect(gated.compute + gated.registers).not.toBe(gates.compute + gates.registers);
    expect(Math.abs(gated.compute + gated.registers - gates.compute - gates.registers)).toBeLessThan(0.05 * (gates.compute + gates.registers));
  }, 180_000);

  it('exec --technology gates45: each PE setup\'s energy from its netlists on the model\'s own operands, the table beside', () => {
    const M = 'test/fixtures/onnx/gpt2_block';
    const r = runCli(['exec', '--model', `${M}/model.onnx`, '--input', `${M}/input.npy`, '--pe', 'fp8-e4m3,int8', '--technology', 'gates45', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    type E = { technology: string; design: string; macs: number; gemms: number; gemms_priced: number; pe_pj_per_mac: number; table_pe_pj_per_mac: number; pe_pj_total: number };
    const j = JSON.parse(r.stdout) as { runs: { pe: string; energy: E }[] };
    expect(j.runs.map((x) => x.pe)).toEqual(['fp8-e4m3', 'int8']);
    for (const run of j.runs) {
      expect(run.energy.technology).toBe('gates45');
      expect(run.energy.design).toBe(run.pe);
      expect(run.energy.gemms_priced).toBe(run.energy.gemms);
      expect(run.energy.pe_pj_per_mac).toBeGreaterThan(0);
      expect(run.energy.table_pe_pj_per_mac).toBeGreaterThan(0);
      expect(run.energy.pe_pj_total).toBeCloseTo(run.energy.pe_pj_per_mac * run.energy.macs, 6);
    }
    // the same GEMMs: the same MAC count for both PEs; an fp8 MAC (fp32 accumulator) costs more than an int8 MAC (int32)
    expect(j.runs[0].energy.macs).toBe(j.runs[1].energy.macs);
    expect(j.runs[0].energy.pe_pj_per_mac).toBeGreaterThan(j.runs[1].energy.pe_pj_per_mac);
    const bad = runCli(['exec', '--model', `${M}/model.onnx`, '--input', `${M}/input.npy`, '--technology', 'horowitz45']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/only gates45/);
    const z = runCli(['exec', '--model', `${M}/model.onnx`, '--input', `${M}/input.npy`, '--gate-zeros']);
    expect(z.code).toBe(2);
    expect(z.stderr).toMatch(/--gate-zeros goes with --technology gates45/);
  }, 180_000);

  it('refuses --gate-zeros without gates45 and a node other than 45 nm, with exit 2', () => {
    const a = runCli(['run', '--arch', 'edge', '--gemm', '8x8x8', '--gate-zeros']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/needs --technology gates45/);
    expect(a.stderr).not.toMatch(/\n\s+at /);
    const b = runCli(['run', '--arch', 'edge', '--gemm', '8x8x8', '--technology', 'gates45', '--node', '7']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--node does not apply/);
  }, 120_000);

  it('report --papers --technology gates45 sets claim, operator table and gates side by side', () => {
    const r = runCli(['report', '--papers', '--technology', 'gates45', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      gates: { calibration: { rows: { role: string }[] }; lmul: { format: string; elementwise_saving_pct: number; table_elementwise_pct: { paper: number } }[] };
      ent_design_points: { table: { points: unknown[] }; gates_int8_pe: { points: unknown[] }; gates_booth_pe: { points: { energy_gain_pct: number; paper_energy_pct: number }[] } };
    };
    expect(j.gates.calibration.rows.filter((x) => x.role === 'fit')).toHaveLength(2);
    expect(j.gates.lmul.map((x) => x.format)).toEqual(['fp32', 'bf16', 'e4m3']);
    for (const x of j.gates.lmul) expect(Number.isFinite(x.elementwise_saving_pct)).toBe(true);
    expect(j.ent_design_points.gates_booth_pe.points).toHaveLength(9);
    expect(j.ent_design_points.table.points).toHaveLength(3);
  }, 300_000);

  it('accuracy --energy adds the gate-level energy per image of the test images\' operands', () => {
    const r = runCli(['accuracy', '--model', 'cnn', '--pe', 'int8', '--limit', '20', '--energy', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { energy: { technology: string; pe_pj_per_image: number; table_pe_pj_per_image: number; layers: { energy_model: { source: string } }[] } };
    expect(j.energy.technology).toBe('gates45');
    expect(j.energy.pe_pj_per_image).toBeGreaterThan(0);
    expect(j.energy.table_pe_pj_per_image).toBeGreaterThan(0);
    for (const l of j.energy.layers) expect(l.energy_model.source).toBe('model-samples');
  }, 300_000);
});
