/**
 * Synthesis with Yosys (@yowasp/yosys, WebAssembly: no system package): the RTL reads,
 * elaborates and synthesizes to a word-level netlist with no latches, and `check -assert`
 * finds no combinational loop, multiple driver or undriven wire. One design per generator
 * template here (coarse synthesis); `npm run rtl-check` runs the full `synth` (abc to gates)
 * on every design and array.
 */
import { describe, expect, it } from 'vitest';
import { synthCheck } from '../../rtl/cosim/yosys.ts';
import { buildArrayRtl } from '../../rtl/gen/array.ts';
import { findTarget } from '../../rtl/gen/catalogue.ts';
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
  for (const [df, accumulate] of [['os', 'top'], ['ws', 'top'], ['ws', 'below']] as const) {
    it(`int8 ${df} 2x2 array (accumulate ${accumulate}) with its controller and memories synthesizes without latches`, async () => {
      const a = buildArrayRtl({ pe: 'int8', dataflow: df, rows: 2, cols: 2, depth: 16, accumulate });
      const r = await synthCheck(a.verilog, a.top, 'coarse');
      expect(r.ok, r.log.slice(-2000)).toBe(true);
      expect(r.latches).toBe(0);
      expect(r.cells['$dff'] ?? 0).toBeGreaterThan(0);
    });
  }
  it('the check refuses a latch and a multiply driven wire', async () => {
    const latch = await synthCheck('module l (input wire en, input wire d, output reg q);\n  always @* if (en) q = d;\nendmodule\n', 'l', 'coarse');
    expect(latch.latches).toBeGreaterThan(0);
    expect(latch.ok).toBe(false);
    const two = await synthCheck('module t (input wire a, input wire b, output wire y);\n  assign y = a;\n  assign y = b;\nendmodule\n', 't', 'coarse');
    expect(two.ok).toBe(false);
  });
});
