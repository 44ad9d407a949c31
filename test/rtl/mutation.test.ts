/**
 * The co-simulation can fail: one bit of one product flipped in the RTL (for one operand
 * pair out of 65,536), or one extra pipeline register in one row of the array, is caught and
 * named. The mutated Verilog is made here from the generated one.
 */
import { describe, expect, it } from 'vitest';
import { arrayRtl, buildArrayModel, checkGemm } from '../../rtl/cosim/array-check.ts';
import { coSimulate, describeMismatch, makeVectors } from '../../rtl/cosim/pe-check.ts';
import { findTarget } from '../../rtl/gen/catalogue.ts';
import { buildPeRtl } from '../../rtl/gen/pe.ts';
import { skipRtl } from './needs-verilator.ts';

describe.skipIf(skipRtl)('RTL mutations are caught', () => {
  it('one flipped product bit of fp8-e4m3 (a = 0x3a, b = 0x45) fails and names the pair', () => {
    const rtl = buildPeRtl(findTarget('fp8-e4m3'));
    const text = rtl.modules.text();
    const header = `module ${rtl.mul} (`;
    expect(text).toContain(header);
    // the original multiplier renamed, and a wrapper that flips bit 0 of one product
    const mutated = text.replace(header, `module ${rtl.mul}_orig (`) + `
module ${rtl.mul} (input wire [7:0] a, input wire [7:0] b, output wire [7:0] p);
  wire [7:0] q;
  ${rtl.mul}_orig orig (.a(a), .b(b), .p(q));
  assign p = q ^ {7'd0, a == 8'h3a && b == 8'h45};
endmodule
`;
    const r = coSimulate(rtl, makeVectors(rtl, 0, 1), mutated);
    expect(r.vectors).toBe(65536);
    expect(r.productMismatches).toBe(1);
    expect(r.examples[0].a).toBe(0x3a);
    expect(r.examples[0].b).toBe(0x45);
    expect(describeMismatch(r.examples[0])).toMatch(/^a=0x3a b=0x45 /);
  });

  it('one extra register in row 1 of an os array shifts that row by a cycle and is caught', () => {
    const rtl = arrayRtl('int8', 'os', 2, 2);
    const line = 'wire [10:0] ea1 = sa1_0;';
    expect(rtl.verilog).toContain(line);
    const verilog = rtl.verilog.replace(line, 'reg [10:0] extra = 0;\n  always @(posedge clk) extra <= sa1_0;\n  wire [10:0] ea1 = extra;');
    const model = buildArrayModel({ ...rtl, verilog });
    const r = checkGemm({ ...rtl, verilog }, model, { m: 2, n: 2, k: 3 }, 5);
    expect(r.writeMismatches).toBeGreaterThan(0);
    expect(r.examples.join('\n')).toMatch(/reference writes out\[\d+\] = 0x[0-9a-f]+ in cycle \d+; RTL writes it in cycles/);
  });
});
