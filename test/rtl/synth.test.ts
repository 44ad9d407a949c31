/**
 * Synthesis with Yosys (@yowasp/yosys, WebAssembly: no system package): the RTL reads,
 * elaborates and synthesizes to a word-level netlist with no latches, and `check -assert`
 * finds no combinational loop, multiple driver or undriven wire, and Yosys warns of nothing.
 * Here one design per generator template and every array configuration of int8 (coarse
 * synthesis: where latches and multiple drivers show), and one design through the full flow;
 * `npm run rtl-synth` (run by CI) runs the full `synth` (abc to gates) on every item of
 * rtl/cosim/synth-items.ts: every design and every array top.
 */
import { describe, expect, it } from 'vitest';
import { ARRAY_CONFIGS, arrayDesigns, arraySynthItem, peSynthItem, synthItems } from '../../rtl/cosim/synth-items.ts';
import { synthCheck } from '../../rtl/cosim/yosys.ts';
import { ARRAY_PES, findTarget, rtlTargets } from '../../rtl/gen/catalogue.ts';
import { buildPeRtl } from '../../rtl/gen/pe.ts';

// together these use every module template of rtl/gen
const DESIGNS = [
  'fp8-e4m3+ent', 'lmul-bf16', 'ternary+acc-int16-internal-int32', 'bf16+acc-bf16-internal-fp32', 'xnor', 'xnor-popcount-8', 'int4',
];

describe('Yosys synthesis of the RTL', () => {
  for (const key of DESIGNS) {
    it(`${key}: multiplier, accumulator and check top synthesize without latches`, async () => {
      const rtl = buildPeRtl(findTarget(key));
      const r = await synthCheck(rtl.modules.text(), rtl.check, 'coarse');
      expect(r.ok, r.log.slice(-2000)).toBe(true);
      expect(r.latches).toBe(0);
      expect(Object.keys(r.cells).length).toBeGreaterThan(0);
    });
  }
  for (const c of ARRAY_CONFIGS) {
    it(`int8 ${c.dataflow} 2x2 array (accumulate ${c.accumulate}) with its controller and memories synthesizes without latches`, async () => {
      const it = arraySynthItem('int8', c.dataflow, c.accumulate);
      const r = await synthCheck(it.verilog, it.top, 'coarse', { blackbox: it.blackbox });
      expect(r.ok, r.log.slice(-2000)).toBe(true);
      expect(r.latches).toBe(0);
      expect(r.cells['$dff'] ?? 0).toBeGreaterThan(0);
      // the PE arithmetic stays a black box: one multiplier per PE
      expect(r.cells[it.blackbox[0]]).toBe(4);
    });
  }
  it('int8 through the full flow (abc to gates)', async () => {
    const it = peSynthItem('int8');
    const r = await synthCheck(it.verilog, it.top, 'full');
    expect(r.ok, r.log.slice(-2000)).toBe(true);
    // gates only: no word-level cell ($add, $mul, $dff ...) is left ($scopeinfo records the flattened hierarchy)
    expect(Object.keys(r.cells).filter((t) => !t.startsWith('$_') && t !== '$scopeinfo')).toEqual([]);
  });
  it('npm run rtl-synth covers every design and every array top (os, ws, is; accumulate top and below)', () => {
    const names = [...synthItems()].map((i) => i.name);
    for (const t of rtlTargets()) expect(names).toContain(t.key);
    const designs = arrayDesigns();
    for (const pe of ARRAY_PES) expect(designs).toContain(pe);
    expect(designs).toContain('int8+ent');
    for (const d of designs) {
      for (const c of ARRAY_CONFIGS) expect(names).toContain(`array ${d} ${c.dataflow} 2x2${c.accumulate === 'below' ? ' below' : ''}`);
    }
    expect(names.length).toBe(rtlTargets().length + 5 * designs.length);
  });
  it('the check refuses a latch and a multiply driven wire', async () => {
    const latch = await synthCheck('module l (input wire en, input wire d, output reg q);\n  always @* if (en) q = d;\nendmodule\n', 'l', 'coarse');
    expect(latch.latches).toBeGreaterThan(0);
    expect(latch.ok).toBe(false);
    const two = await synthCheck('module t (input wire a, input wire b, output wire y);\n  assign y = a;\n  assign y = b;\nendmodule\n', 't', 'coarse');
    expect(two.ok).toBe(false);
  });
  it('the check refuses what Yosys warns of (a port connection of the wrong width)', async () => {
    const v = 'module s (input wire [3:0] a, output wire [3:0] y);\n  assign y = ~a;\nendmodule\n' +
      'module t (input wire [7:0] a, output wire [3:0] y);\n  s u (.a(a), .y(y));\nendmodule\n';
    const r = await synthCheck(v, 't', 'coarse');
    expect(r.warnings.length, r.log).toBeGreaterThan(0);
    expect(r.ok).toBe(false);
  });
});
