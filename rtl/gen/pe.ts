/**
 * The RTL of one PE kind (with its options): a multiplier module, an accumulator module and,
 * for EN-T, the row encoder, each a separate combinational module with clean ports, plus a
 * check top that joins them for co-simulation:
 *   a, b -> [encoder] -> multiplier -> p;   acc_in (partial-sum format) -> [widen to the
 *   adder's format] -> accumulator(acc, p) -> [narrow to the partial-sum format] -> acc_out.
 * Formats come from the PE registry (sim/pe), so the RTL is of exactly the PE bitweave runs.
 */
import type { FloatFormat, IntFormat, NumberFormat } from '../../sim/pe/formats.ts';
import { getFormat } from '../../sim/pe/formats.ts';
import { InputError } from '../../sim/errors.ts';
import { getPe, type PeOptions } from '../../sim/pe/registry.ts';
import type { PeKind } from '../../sim/pe/types.ts';
import {
  addModule, commonFormat, floatMulModule, fmtId, lmulModule, narrowModule, roundModule, unpackLines, widenModule,
} from './float.ts';
import {
  boothDigits, boothEncoderModule, boothPeModule, boothProductBits, intAccModule, intMulModule, intNarrowModule,
  ternaryMulModule, xnorMulModule, xnorPopcountModule,
} from './int.ts';
import { EXP_WIDTH, ModuleSet, ident, lit } from './verilog.ts';

export interface PeRtl {
  /** catalogue key, e.g. "fp8-e4m3" or "int8+ent" */
  readonly key: string;
  /** the bitweave PE this RTL implements */
  readonly pe: PeKind;
  readonly modules: ModuleSet;
  /** multiplier: ports a (or ad, the encoded row bus, for EN-T), b, p */
  readonly mul: string;
  /** accumulator: ports acc_in, p, acc_out, in the adder's (internal) format */
  readonly acc: string;
  /** EN-T row encoder: port x (the input operand) -> ad (the bus the row carries) */
  readonly encoder?: string;
  /** partial-sum (accumulator state leaving the PE) -> internal and back; identity when absent */
  readonly accWiden?: string;
  readonly accNarrow?: string;
  /** the co-simulation top: a, b, acc_in -> p, acc_out */
  readonly check: string;
  readonly widths: { readonly a: number; readonly b: number; readonly p: number; readonly ad: number; readonly acc: number; readonly psum: number };
}

/** What a catalogue entry asks for: a PE kind and its options, or a W-bit XNOR-popcount unit. */
export interface RtlTarget {
  readonly key: string;
  readonly pe: string;
  readonly options?: PeOptions;
  /** W of an XNOR-popcount unit (pe must be 'xnor') */
  readonly popcountWidth?: number;
}

function asFloat(f: NumberFormat): FloatFormat {
  if (f.kind !== 'float') throw new Error(`${f.name} is not a float format`);
  return f;
}

function asInt(f: NumberFormat): IntFormat {
  if (f.kind !== 'int') throw new Error(`${f.name} is not an integer format`);
  return f;
}

/**
 * The product of a float PE saturates exactly when its format has at most 8 bits: the fp8
 * convention of sim/pe/registry.ts (fp8 kinds, and --product into an fp8 format); wider
 * products follow IEEE overflow. L-Mul adders always clamp.
 */
function productSaturates(pe: PeKind): boolean {
  return pe.multiplier === 'lmul' || pe.product.bits <= 8;
}

export function buildPeRtl(t: RtlTarget): PeRtl {
  const opts = t.options ?? {};
  const pe = getPe(t.pe, opts);
  const set = new ModuleSet();
  const id = ident(t.key);
  const internal = opts.accInternal !== undefined ? getFormat(opts.accInternal) : pe.acc;
  const accSat = opts.accSaturate ?? false;
  const ent = pe.reuse === 'ent';
  const mulName = `bw_${id}_mul`;
  const accName = `bw_${id}_acc`;
  let mul: string;
  let encoder: string | undefined;
  let pBits = pe.product.bits;
  let adBits = pe.input.bits;

  if (t.popcountWidth !== undefined) {
    if (pe.multiplier !== 'xnor') throw new Error('a popcount unit is an xnor PE');
    const w = t.popcountWidth;
    mul = xnorPopcountModule(set, w, mulName);
    const pw = Math.ceil(Math.log2(w + 1)) + 1;
    pBits = pw;
    const acc = intAccModule(set, asInt(internal).bits, pw, false, accSat);
    return finish(t, pe, set, mul, acc, undefined, { a: w, b: w, p: pw, ad: w }, internal, accSat);
  }

  switch (pe.multiplier) {
    case 'float': {
      const fa = asFloat(pe.input), fb = asFloat(pe.weight), fp = asFloat(pe.product);
      if (ent) {
        const enc = floatEntEncoder(set, fa, `bw_${id}_enc`);
        encoder = enc.name;
        adBits = enc.bits;
        mul = floatEntMul(set, fa, fb, fp, productSaturates(pe), mulName);
      } else {
        mul = floatMulModule(set, fa, fb, fp, productSaturates(pe), mulName);
      }
      break;
    }
    case 'lmul':
      mul = lmulModule(set, asFloat(pe.input), productSaturates(pe), mulName);
      break;
    case 'int': {
      const ai = asInt(pe.input), bi = asInt(pe.weight);
      if (ent) {
        encoder = boothEncoderModule(set, ai.bits);
        adBits = 3 * boothDigits(ai.bits);
        mul = intEntMul(set, ai.bits, bi.bits, pe.product.bits, mulName);
      } else {
        mul = intMulModule(set, ai.bits, bi.bits, pe.product.bits, mulName);
      }
      break;
    }
    case 'ternary':
      mul = ternaryMulModule(set, pe.input.bits, pe.product.bits, mulName);
      break;
    case 'xnor':
      mul = xnorMulModule(set, mulName);
      break;
    case 'block':
      throw new InputError(`${pe.name} is a block PE (MX, NVFP4): the block dot-product unit has no RTL`);
  }

  let acc: string;
  if (internal.kind === 'float') {
    acc = floatAccModule(set, asFloat(internal), asFloat(pe.product), accSat, accName);
  } else {
    acc = intAccModule(set, asInt(internal).bits, pBits, pe.multiplier === 'xnor', accSat);
  }
  return finish(t, pe, set, mul, acc, encoder, { a: pe.input.bits, b: pe.weight.bits, p: pBits, ad: adBits }, internal, accSat);
}

function finish(
  t: RtlTarget, pe: PeKind, set: ModuleSet, mul: string, acc: string, encoder: string | undefined,
  w: { a: number; b: number; p: number; ad: number }, internal: NumberFormat, accSat: boolean,
): PeRtl {
  const psum = pe.acc;
  let accWiden: string | undefined;
  let accNarrow: string | undefined;
  if (internal.bits !== psum.bits || internal.name !== psum.name) {
    if (internal.kind === 'float' && psum.kind === 'float') {
      accWiden = widenModule(set, psum, internal);
      accNarrow = narrowModule(set, internal, psum, accSat);
    } else {
      accWiden = `bw_sext_int${psum.bits}_to_int${internal.bits}`;
      set.add({
        name: accWiden,
        text: `// int${psum.bits} -> int${internal.bits}: sign extension.
module ${accWiden} (
  input wire [${psum.bits - 1}:0] x,
  output wire [${internal.bits - 1}:0] y
);
  assign y = {{${internal.bits - psum.bits}{x[${psum.bits - 1}]}}, x};
endmodule
`,
      });
      accNarrow = intNarrowModule(set, internal.bits, psum.bits, accSat);
    }
  }
  const check = `bw_${ident(t.key)}_check`;
  const W = internal.bits, PS = psum.bits;
  set.add({
    name: check,
    text: `// Co-simulation top of ${t.key}: the product of (a, b), and one accumulator step acc_in + p.
module ${check} (
  input wire [${w.a - 1}:0] a,
  input wire [${w.b - 1}:0] b,
  input wire [${PS - 1}:0] acc_in,
  output wire [${w.p - 1}:0] p,
  output wire [${PS - 1}:0] acc_out
);
${encoder ? `  wire [${w.ad - 1}:0] ad;\n  ${encoder} enc (.x(a), .d(ad));\n  ${mul} mul (.ad(ad), .b(b), .p(p));` : `  ${mul} mul (.a(a), .b(b), .p(p));`}
  wire [${W - 1}:0] acc_w;
  wire [${W - 1}:0] acc_n;
${accWiden ? `  ${accWiden} widen (.x(acc_in), .y(acc_w));` : '  assign acc_w = acc_in;'}
  ${acc} acc (.acc_in(acc_w), .p(p), .acc_out(acc_n));
${accNarrow ? `  ${accNarrow} narrow (.x(acc_n), .y(acc_out));` : '  assign acc_out = acc_n;'}
endmodule
`,
  });
  return {
    key: t.key, pe, modules: set, mul, acc, encoder, accWiden, accNarrow, check,
    widths: { ...w, acc: W, psum: PS },
  };
}

/** Float accumulator: acc (format x) + product (format y), exact sum rounded once into x. */
function floatAccModule(set: ModuleSet, x: FloatFormat, y: FloatFormat, saturate: boolean, name: string): string {
  const w = commonFormat(x, y);
  const add = addModule(set, w, x, saturate);
  const wa = w === x ? undefined : widenModule(set, x, w);
  const wp = w === y || (w.name === y.name && w.bias === y.bias) ? undefined : widenModule(set, y, w);
  const text = `// ${x.name} accumulator: acc + ${y.name} product, the exact sum rounded once into ${x.name}${saturate ? ' (saturating)' : ''}.
module ${name} (
  input wire [${x.bits - 1}:0] acc_in,
  input wire [${y.bits - 1}:0] p,
  output wire [${x.bits - 1}:0] acc_out
);
  wire [${w.bits - 1}:0] xa;
  wire [${w.bits - 1}:0] xp;
${wa ? `  ${wa} wa (.x(acc_in), .y(xa));` : '  assign xa = acc_in;'}
${wp ? `  ${wp} wp (.x(p), .y(xp));` : '  assign xp = p;'}
  ${add} add (.x(xa), .y(xp), .z(acc_out));
endmodule
`;
  set.add({ name, text });
  return name;
}

/** int EN-T multiplier: Booth digits of a (from the row encoder) times b, sign-extended. */
function intEntMul(set: ModuleSet, aBits: number, bBits: number, out: number, name: string): string {
  const pe = boothPeModule(set, aBits, bBits, true);
  const pw = boothProductBits(aBits, bBits, true);
  const D = boothDigits(aBits);
  set.add({
    name,
    text: `// int${aBits} x int${bBits} -> int${out} on EN-T: the row's Booth digits of a select partial products of b.
module ${name} (
  input wire [${3 * D - 1}:0] ad,
  input wire [${bBits - 1}:0] b,
  output wire [${out - 1}:0] p
);
  wire [${pw - 1}:0] pp;
  ${pe} bpe (.d(ad), .y(b), .p(pp));
  assign p = {{${out - pw}{pp[${pw - 1}]}}, pp};
endmodule
`,
  });
  return name;
}

/**
 * Float EN-T row encoder: the significand of a (hidden bit + mantissa, a non-negative signed
 * operand) Booth-encoded; the row bus carries {digits, a} (the PE reads sign, exponent and
 * class from a; its mantissa bits go unused there).
 */
function floatEntEncoder(set: ModuleSet, f: FloatFormat, name: string): { name: string; bits: number } {
  const sw = f.manBits + 2;
  const D = boothDigits(sw);
  const enc = boothEncoderModule(set, sw);
  const bits = 3 * D + f.bits;
  set.add({
    name,
    text: `// EN-T row encoder for ${f.name}: Booth digits of the significand, beside the operand itself.
module ${name} (
  input wire [${f.bits - 1}:0] x,
  output wire [${bits - 1}:0] d
);
${unpackLines(f, 'x', 'ux').join('\n')}
  wire [${3 * D - 1}:0] digits;
  ${enc} be (.x({1'b0, ux_sig}), .d(digits));
  assign d = {digits, x};
endmodule
`,
  });
  return { name, bits };
}

function floatEntMul(set: ModuleSet, fa: FloatFormat, fb: FloatFormat, fp: FloatFormat, saturate: boolean, name: string): string {
  const sw = fa.manBits + 2;
  const D = boothDigits(sw);
  const bpe = boothPeModule(set, sw, fb.manBits + 1, false);
  const pw = boothProductBits(sw, fb.manBits + 1, false);
  const n = fa.manBits + 1 + fb.manBits + 1;
  const round = roundModule(set, n, fp, saturate);
  const EW = EXP_WIDTH;
  set.add({
    name,
    text: `// ${fa.name} x ${fb.name} on EN-T: the significand product from the row's Booth digits, rounded once into ${fp.name}${saturate ? ' (saturating)' : ''}.
module ${name} (
  input wire [${3 * D + fa.bits - 1}:0] ad,
  input wire [${fb.bits - 1}:0] b,
  output wire [${fp.bits - 1}:0] p
);
  wire [${fa.bits - 1}:0] a = ad[${fa.bits - 1}:0];
  wire [${3 * D - 1}:0] digits = ad[${3 * D + fa.bits - 1}:${fa.bits}];
${unpackLines(fa, 'a', 'ua').join('\n')}
${unpackLines(fb, 'b', 'ub').join('\n')}
  wire [${pw - 1}:0] pp;
  ${bpe} bpe (.d(digits), .y(ub_sig), .p(pp));
  wire [${n - 1}:0] m = pp[${n - 1}:0];
  wire signed [${EW - 1}:0] e = ua_e + ub_e;
  wire nan = ua_nan | ub_nan | (ua_inf & ub_zero) | (ub_inf & ua_zero);
  wire inf = (ua_inf | ub_inf) & !nan;
  ${round} r (.s(ua_s ^ ub_s), .m(m), .e(e), .nan(nan), .inf(inf), .y(p));
endmodule
`,
  });
  return name;
}

export { fmtId, lit };

/**
 * The partial-sum adder (bitweave's `addAcc`): stored partial sum + a column's sum, both in
 * the accumulator format, rounded once (float) or wrapped/saturated (int). Used below the
 * array by accumulation 'below'; ports acc_in, p, acc_out.
 */
export function psumAdderModule(rtl: PeRtl, saturate: boolean): string {
  const f = rtl.pe.acc;
  const name = `bw_${ident(rtl.key)}_psum_add`;
  if (rtl.modules.has(name)) return name;
  if (f.kind === 'float') return floatAccModule(rtl.modules, f, f, saturate, name);
  const int = intAccModule(rtl.modules, asInt(f).bits, asInt(f).bits, false, saturate);
  rtl.modules.add({
    name,
    text: `// ${f.name} partial-sum adder: stored + column sum.
module ${name} (
  input wire [${f.bits - 1}:0] acc_in,
  input wire [${f.bits - 1}:0] p,
  output wire [${f.bits - 1}:0] acc_out
);
  ${int} add (.acc_in(acc_in), .p(p), .acc_out(acc_out));
endmodule
`,
  });
  return name;
}
