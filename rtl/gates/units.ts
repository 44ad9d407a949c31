/**
 * What gets synthesized to gates (`npm run gates-synth`, rtl/gates/synth.ts): for every RTL
 * design of the catalogue, its multiplier, its accumulator and (EN-T) its row encoder, each
 * a combinational unit on its own, and the array cell of each dataflow with the multiplier
 * and accumulator left as black boxes (what remains are the PE's pipeline registers and their
 * glue). Plus the units the calibration and the papers' comparisons need that no PE has: an
 * 8-bit adder and multiplier, fp16 and fp32 adders and multipliers rounding into their own
 * format, bf16 x bf16 -> bf16, L-Mul on fp32, and an int8 Booth multiplier with its encoder
 * inside (the baseline EN-T takes the encoder out of).
 *
 * A unit is the Verilog closure of its top module (every module it instantiates); identical
 * closures are one unit (many designs share the fp32 accumulator), named after the first
 * design that uses it.
 */
import { createHash } from 'node:crypto';
import type { Dataflow } from '../../sim/arch/schema.ts';
import { BF16, FP16, FP32, INT8 } from '../../sim/pe/formats.ts';
import { arrayCapable, buildArrayRtl } from '../gen/array.ts';
import { rtlTargets } from '../gen/catalogue.ts';
import { addModule, floatMulModule, lmulModule } from '../gen/float.ts';
import { boothDigits, boothEncoderModule, boothPeModule, boothProductBits, intAccModule, intMulModule } from '../gen/int.ts';
import { buildPeRtl } from '../gen/pe.ts';
import { ModuleSet } from '../gen/verilog.ts';
import { EXTRA_ROLES as EXTRA_UNITS, type DesignUnits, type ExtraRole as ExtraUnit } from '../../sim/cost/gates/library.ts';

export type UnitKind = 'comb' | 'regs';

export interface GateUnit {
  /** file stem under rtl/netlists/, e.g. "mul.fp8-e4m3" */
  readonly id: string;
  readonly kind: UnitKind;
  readonly top: string;
  /** the closure of `top`, top module renamed to `unit_top` (so equal units hash equal) */
  readonly verilog: string;
  /** modules kept as black boxes (regs units: the multiplier, accumulator, encoder) */
  readonly blackbox: readonly string[];
  readonly description: string;
}

const DATAFLOWS: readonly Dataflow[] = ['os', 'ws', 'is'];

/** Modules `top` needs (itself first), from the instantiations in the module texts. */
export function closure(set: ModuleSet, top: string): string[] {
  const mods = set.modules();
  const byName = new Map(mods.map((m) => [m.name, m.text]));
  const need = new Set<string>([top]);
  const queue = [top];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    const text = byName.get(name);
    if (text === undefined) throw new Error(`module ${name} is not in the set`);
    for (const m of mods) {
      if (need.has(m.name)) continue;
      if (new RegExp(`^\\s*${m.name}\\s+\\w+\\s*\\(`, 'm').test(text)) {
        need.add(m.name);
        queue.push(m.name);
      }
    }
  }
  return mods.map((m) => m.name).filter((n) => need.has(n));
}

const UNIT_TOP = 'unit_top';

/**
 * The closure's text with `top` renamed to unit_top. Black boxes are kept as shells (their port
 * list only, marked `(* blackbox *)`), and what only they instantiate is left out.
 */
function closureText(set: ModuleSet, top: string, blackbox: readonly string[] = []): string {
  const byName = new Map(set.modules().map((m) => [m.name, m.text]));
  const rename = (t: string) => t.replace(new RegExp(`\\b${top}\\b`, 'g'), UNIT_TOP);
  if (blackbox.length === 0) return closure(set, top).map((n) => rename(byName.get(n) as string)).join('\n');
  const shells = blackbox.map((b) => {
    const text = byName.get(b);
    if (text === undefined) throw new Error(`black box ${b} is not in the set`);
    const start = text.indexOf(`module ${b} (`);
    const end = text.indexOf(');', start);
    return `(* blackbox *)\n${text.slice(start, end + 2)}\nendmodule\n`;
  });
  return [rename(byName.get(top) as string), ...shells].join('\n');
}

export function unitHash(u: Pick<GateUnit, 'kind' | 'verilog' | 'blackbox'>): string {
  return createHash('sha256').update(`${u.kind}\n${u.blackbox.join(',')}\n${u.verilog}`).digest('hex').slice(0, 16);
}

class UnitSet {
  readonly units: GateUnit[] = [];
  private readonly byHash = new Map<string, string>();

  add(id: string, kind: UnitKind, set: ModuleSet, top: string, description: string, blackbox: readonly string[] = []): string {
    const verilog = closureText(set, top, blackbox);
    const bb = [...blackbox];
    const h = unitHash({ kind, verilog, blackbox: bb });
    const old = this.byHash.get(h);
    if (old !== undefined) return old;
    this.byHash.set(h, id);
    this.units.push({ id, kind, top, verilog, blackbox: bb, description });
    return id;
  }
}

function extraUnits(us: UnitSet): Record<ExtraUnit, string> {
  const set = new ModuleSet();
  const ids = {} as Record<ExtraUnit, string>;
  const add = (id: ExtraUnit, top: string) => {
    ids[id] = us.add(id, 'comb', set, top, EXTRA_UNITS[id]);
  };
  add('cal.int8-add', intAccModule(set, 8, 8, false, false));
  add('cal.int8-mul', intMulModule(set, 8, 8, 16, 'bw_cal_int8_mul'));
  add('cal.fp16-add', addModule(set, FP16, FP16, false));
  add('cal.fp16-mul', floatMulModule(set, FP16, FP16, FP16, false, 'bw_cal_fp16_mul'));
  add('cal.fp32-add', addModule(set, FP32, FP32, false));
  add('cal.fp32-mul', floatMulModule(set, FP32, FP32, FP32, false, 'bw_cal_fp32_mul'));
  add('paper.bf16-mul', floatMulModule(set, BF16, BF16, BF16, false, 'bw_paper_bf16_mul'));
  add('paper.lmul-fp32', lmulModule(set, FP32, true, 'bw_paper_lmul_fp32'));
  // int8 Booth multiplier with the encoder inside: the PE EN-T's row encoder replaces
  const w = INT8.bits, D = boothDigits(w);
  const enc = boothEncoderModule(set, w);
  const bpe = boothPeModule(set, w, w, true);
  const pw = boothProductBits(w, w, true);
  const name = 'bw_paper_booth_int8_mul';
  set.add({
    name,
    text: `// int8 x int8 -> int32 radix-4 Booth multiplier: the encoder and the digit PE in one unit.
module ${name} (
  input wire [${w - 1}:0] a,
  input wire [${w - 1}:0] b,
  output wire [31:0] p
);
  wire [${3 * D - 1}:0] d;
  wire [${pw - 1}:0] pp;
  ${enc} enc (.x(a), .d(d));
  ${bpe} bpe (.d(d), .y(b), .p(pp));
  assign p = {{${32 - pw}{pp[${pw - 1}]}}, pp};
endmodule
`,
  });
  add('paper.booth-int8-mul', name);
  return ids;
}

/** Every unit to synthesize and, per design, which units it is made of. */
export function gateUnits(): { units: GateUnit[]; designs: DesignUnits[]; extras: Record<ExtraUnit, string> } {
  const us = new UnitSet();
  const designs: DesignUnits[] = [];
  for (const t of rtlTargets()) {
    const rtl = buildPeRtl(t);
    const mul = us.add(`mul.${t.key}`, 'comb', rtl.modules, rtl.mul, `${t.key} multiplier`);
    const acc = us.add(`acc.${t.key}`, 'comb', rtl.modules, rtl.acc, `${t.key} accumulator`);
    const enc = rtl.encoder !== undefined ? us.add(`enc.${t.key}`, 'comb', rtl.modules, rtl.encoder, `${t.key} EN-T row encoder`) : undefined;
    const cells: Partial<Record<Dataflow, string>> = {};
    if (arrayCapable(rtl)) {
      for (const df of DATAFLOWS) {
        const a = buildArrayRtl({ pe: t.key, dataflow: df, rows: 1, cols: 1, depth: 1 });
        cells[df] = us.add(`cell.${t.key}.${df}`, 'regs', a.pe.modules, a.cell, `${t.key} ${df} array cell (registers; multiplier and accumulator black boxes)`,
          [a.pe.mul, a.pe.acc]);
      }
    }
    designs.push({ design: t.key, mul, acc, ...(enc !== undefined && { enc }), cells });
  }
  const extras = extraUnits(us);
  return { units: us.units, designs, extras };
}
