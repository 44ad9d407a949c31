/**
 * Floating-point building blocks, generated per format (widths and constants vary):
 * - unpack: sign, exponent field, significand with hidden bit, exponent of its LSB, specials;
 * - round: an exact value (-1)^s * m * 2^e rounded once, to nearest even, into a format,
 *   with the overflow, saturation, zero-sign and NaN rules of sim/pe/float-codec.ts
 *   (code = (max(E, emin) + bias - 1) * 2^man + n: one formula across the subnormal/normal
 *   boundary and across a mantissa carry);
 * - multipliers: exact significand product then one rounding (sim/pe/exact-mul.ts), and the
 *   L-Mul integer adder (sim/pe/lmul.ts);
 * - adders: a classic same-format adder (swap, align with guard/round/sticky, add) whose
 *   result goes through the rounding module, so a sum is rounded once (sim/pe/accumulator.ts).
 */
import { floatFormat, nanCodeOf, type FloatFormat } from '../../sim/pe/formats.ts';
import { lmulConstant } from '../../sim/pe/lmul.ts';
import { EXP_WIDTH, ModuleSet, bitsFor, ident, lit, slit } from './verilog.ts';

const EW = EXP_WIDTH;

export function fmtId(f: FloatFormat): string {
  return ident(`${f.name}_b${f.bias}_${f.specials}`);
}

/** Verilog lines unpacking `x` (a pattern of f) into wires named `${p}_*`. */
export function unpackLines(f: FloatFormat, x: string, p: string): string[] {
  const B = f.bits, M = f.manBits, EB = f.expBits;
  if (M < 1) throw new Error(`format ${f.name}: RTL needs at least one mantissa bit`);
  const magMax = 2 ** (B - 1) - 1;
  const nan =
    f.specials === 'ieee'
      ? `(${p}_ef == ${lit(EB, 2 ** EB - 1)}) && (${p}_mf != ${lit(M, 0)})`
      : f.specials === 'fn'
        ? `(${p}_mag == ${lit(B - 1, magMax)})`
        : `(${x} == ${lit(B, f.signBit)})`;
  const inf = f.specials === 'ieee' ? `(${p}_ef == ${lit(EB, 2 ** EB - 1)}) && (${p}_mf == ${lit(M, 0)})` : `1'b0`;
  return [
    `  wire ${p}_s = ${x}[${B - 1}];`,
    `  wire [${B - 2}:0] ${p}_mag = ${x}[${B - 2}:0];`,
    `  wire [${EB - 1}:0] ${p}_ef = ${p}_mag[${B - 2}:${M}];`,
    `  wire [${M - 1}:0] ${p}_mf = ${p}_mag[${M - 1}:0];`,
    `  wire ${p}_nan = ${nan};`,
    `  wire ${p}_inf = ${inf};`,
    `  wire ${p}_zero = (${p}_mag == ${lit(B - 1, 0)}) && !${p}_nan;`,
    `  wire [${M}:0] ${p}_sig = {${p}_ef != ${lit(EB, 0)}, ${p}_mf};`,
    `  // exponent of the significand's LSB: max(ef, 1) - bias - man`,
    `  wire [${EB - 1}:0] ${p}_efn = (${p}_ef == ${lit(EB, 0)}) ? ${lit(EB, 1)} : ${p}_ef;`,
    `  wire signed [${EW - 1}:0] ${p}_e = $signed({${lit(EW - EB, 0)}, ${p}_efn}) - ${slit(EW, f.bias + M)};`,
  ];
}

export function roundName(n: number, f: FloatFormat, saturate: boolean): string {
  return `bw_round_m${n}_${fmtId(f)}${saturate ? '_sat' : ''}`;
}

/**
 * Rounds (-1)^s * m * 2^e (m an n-bit integer, exact) into f, ties to even. `nan` and `inf`
 * override the value. Overflow: saturate -> +-max finite, else Inf (NaN where f has none).
 * An infinity with saturation: +-max finite (NaN in fnuz formats), as encodeFloat does.
 * A zero result keeps the sign s (fnuz: +0).
 */
export function roundModule(set: ModuleSet, n: number, f: FloatFormat, saturate: boolean): string {
  const name = roundName(n, f, saturate);
  if (set.has(name)) return name;
  const B = f.bits, M = f.manBits;
  const LW = bitsFor(n);
  const NW = Math.max(n, M + 2) + 1;
  const CW = EW + M + 1;
  const emin = 1 - f.bias;
  const maxf = f.maxFiniteCode;
  const nanCode = lit(B, nanCodeOf(f));
  const mag = (v: number) => lit(B - 1, v);
  const infOrNan = f.infCode !== undefined ? `{s, ${mag(f.infCode)}}` : nanCode;
  const satMax = `{s, ${mag(maxf)}}`;
  const onInf = saturate ? (f.specials === 'fnuz' ? nanCode : satMax) : infOrNan;
  const onOverflow = saturate ? satMax : infOrNan;
  const zero = f.specials === 'fnuz' ? lit(B, 0) : `{s, ${mag(0)}}`;
  const text = `// Rounds (-1)^s * m * 2^e (m: ${n}-bit integer) once into ${f.name} (e${f.expBits}m${M}, bias ${f.bias}, ${f.specials}),
// round to nearest, ties to even${saturate ? ', saturating' : ''}. nan/inf override the value.
module ${name} (
  input wire s,
  input wire [${n - 1}:0] m,
  input wire signed [${EW - 1}:0] e,
  input wire nan,
  input wire inf,
  output wire [${B - 1}:0] y
);
  // position of the leading one
  reg [${LW - 1}:0] top;
  integer i;
  always @* begin
    top = ${lit(LW, 0)};
    for (i = 0; i < ${n}; i = i + 1) if (m[i]) top = i[${LW - 1}:0];
  end
  wire signed [${EW - 1}:0] ev = e + $signed({${lit(EW - LW, 0)}, top});  // floor(log2 |value|)
  wire signed [${EW - 1}:0] es = (ev < ${slit(EW, emin)}) ? ${slit(EW, emin)} : ev;  // subnormals share emin
  wire signed [${EW - 1}:0] sh = es - ${slit(EW, M)} - e;  // low bits of m below the quantum
  wire right = sh > ${slit(EW, 0)};
  wire [${EW - 1}:0] shr = sh;
  wire [${EW - 1}:0] shl = -sh;
  wire [${NW - 1}:0] mw = {${lit(NW - n, 0)}, m};
  wire [${NW - 1}:0] q = right ? (mw >> shr) : (mw << shl);
  wire [${NW - 1}:0] rsh = mw >> (shr - ${lit(EW, 1)});
  wire rbit = right & rsh[0];
  wire sticky = right & |(mw & ~({${NW}{1'b1}} << (shr - ${lit(EW, 1)})));
  wire inc = rbit & (sticky | q[0]);
  wire [${NW}:0] nq = {1'b0, q} + {${lit(NW, 0)}, inc};
  wire [${EW - 1}:0] be = es + ${slit(EW, f.bias - 1)};  // >= 0
  wire [${CW - 1}:0] code = {1'b0, be, ${lit(M, 0)}} + ${CW - NW - 1 === 0 ? 'nq' : `{${lit(CW - NW - 1, 0)}, nq}`};
  assign y = nan ? ${nanCode}
           : inf ? ${onInf}
           : (m == ${lit(n, 0)}) ? ${zero}
           : (code > ${lit(CW, maxf)}) ? ${onOverflow}
           : (code == ${lit(CW, 0)}) ? ${zero}
           : {s, code[${B - 2}:0]};
endmodule
`;
  set.add({ name, text });
  return name;
}

/** Whether every value of `inner` is a value of `outer` (so conversion is exact). */
export function containedIn(inner: FloatFormat, outer: FloatFormat): boolean {
  return inner.manBits <= outer.manBits && inner.minSubnormal >= outer.minSubnormal && inner.maxFinite <= outer.maxFinite;
}

/** Name of the exact-multiply module of (a x b -> product). */
export function floatMulModule(
  set: ModuleSet, a: FloatFormat, b: FloatFormat, product: FloatFormat, saturate: boolean, name: string,
): string {
  const n = a.manBits + 1 + b.manBits + 1;
  const round = roundModule(set, n, product, saturate);
  const text = `// ${a.name} x ${b.name}: exact significand product, rounded once into ${product.name}${saturate ? ' (saturating)' : ''}.
module ${name} (
  input wire [${a.bits - 1}:0] a,
  input wire [${b.bits - 1}:0] b,
  output wire [${product.bits - 1}:0] p
);
${unpackLines(a, 'a', 'ua').join('\n')}
${unpackLines(b, 'b', 'ub').join('\n')}
  wire [${n - 1}:0] m = ua_sig * ub_sig;
  wire signed [${EW - 1}:0] e = ua_e + ub_e;
  wire nan = ua_nan | ub_nan | (ua_inf & ub_zero) | (ub_inf & ua_zero);
  wire inf = (ua_inf | ub_inf) & !nan;
  ${round} r (.s(ua_s ^ ub_s), .m(m), .e(e), .nan(nan), .inf(inf), .y(p));
endmodule
`;
  set.add({ name, text });
  return name;
}

/**
 * L-Mul on f: r = |a| + |b| - ((bias << m) - 2^(m - l(m))), sign = xor. Zero/subnormal inputs
 * and results whose exponent field would be <= 0 give signed zero; NaN and Inf as lmul.ts.
 */
export function lmulModule(set: ModuleSet, f: FloatFormat, saturate: boolean, name: string): string {
  const B = f.bits, M = f.manBits;
  const RW = B + 1; // signed width of |a| + |b| - C
  const C = lmulConstant(f);
  const nanCode = lit(B, nanCodeOf(f));
  const mag = (v: number) => lit(B - 1, v);
  const infOrNan = f.infCode !== undefined ? `{s, ${mag(f.infCode)}}` : nanCode;
  const zero = f.specials === 'fnuz' ? lit(B, 0) : `{s, ${mag(0)}}`;
  const text = `// L-Mul on ${f.name} (Luo & Sun, arXiv 2410.00907): one integer addition of the
// exponent+mantissa fields, constant ${C} = (bias << ${M}) - 2^(${M} - l(${M})); the mantissa carry
// moves into the exponent. Zero/subnormal inputs and results with exponent field <= 0 flush
// to signed zero; overflow ${saturate ? 'saturates to +-max finite' : 'gives Inf'}.
module ${name} (
  input wire [${B - 1}:0] a,
  input wire [${B - 1}:0] b,
  output wire [${B - 1}:0] p
);
${unpackLines(f, 'a', 'ua').join('\n')}
${unpackLines(f, 'b', 'ub').join('\n')}
  wire s = ua_s ^ ub_s;
  wire a_small = (ua_ef == ${lit(f.expBits, 0)});  // zero or subnormal
  wire b_small = (ub_ef == ${lit(f.expBits, 0)});
  wire signed [${RW - 1}:0] r = $signed({2'b00, ua_mag}) + $signed({2'b00, ub_mag}) - ${slit(RW, C)};
  assign p = (ua_nan | ub_nan) ? ${nanCode}
           : (ua_inf | ub_inf) ? ((a_small | b_small) ? ${nanCode} : {s, ${f.infCode !== undefined ? mag(f.infCode) : mag(0)}})
           : (a_small | b_small) ? ${zero}
           : (r < ${slit(RW, 2 ** M)}) ? ${zero}
           : (r > ${slit(RW, f.maxFiniteCode)}) ? ${saturate ? `{s, ${mag(f.maxFiniteCode)}}` : infOrNan}
           : {s, r[${B - 2}:0]};
endmodule
`;
  set.add({ name, text });
  return name;
}

/** An exact conversion from `from` into `to` (every value of `from` is one of `to`). */
export function widenModule(set: ModuleSet, from: FloatFormat, to: FloatFormat): string {
  if (!containedIn(from, to)) throw new Error(`${from.name} does not fit ${to.name}`);
  return convertModule(set, 'widen', from, to, false, 'exact');
}

/** x (a pattern of `from`) rounded once, to nearest even, into `to`. */
export function narrowModule(set: ModuleSet, from: FloatFormat, to: FloatFormat, saturate: boolean): string {
  return convertModule(set, 'narrow', from, to, saturate, `rounded to nearest even${saturate ? ', saturating' : ''}`);
}

function convertModule(set: ModuleSet, kind: string, from: FloatFormat, to: FloatFormat, saturate: boolean, how: string): string {
  const name = `bw_${kind}_${fmtId(from)}_to_${fmtId(to)}${saturate ? '_sat' : ''}`;
  if (set.has(name)) return name;
  const round = roundModule(set, from.manBits + 1, to, saturate);
  const text = `// ${from.name} -> ${to.name}, ${how}.
module ${name} (
  input wire [${from.bits - 1}:0] x,
  output wire [${to.bits - 1}:0] y
);
${unpackLines(from, 'x', 'ux').join('\n')}
  ${round} r (.s(ux_s), .m(ux_sig), .e(ux_e), .nan(ux_nan), .inf(ux_inf), .y(y));
endmodule
`;
  set.add({ name, text });
  return name;
}

/**
 * x + y in format w (both patterns of w), the exact sum rounded once into r (r no wider in
 * precision than w). Classic adder: the larger magnitude is kept, the smaller is aligned
 * with guard, round and sticky bits; with at most a one-bit cancellation whenever the sticky
 * bit is set, three extra bits decide every rounding (see the argument in the README's RTL
 * section). The rounding module normalises and rounds.
 */
export function addModule(set: ModuleSet, w: FloatFormat, r: FloatFormat, saturate: boolean): string {
  const name = `bw_add_${fmtId(w)}_to_${fmtId(r)}${saturate ? '_sat' : ''}`;
  if (set.has(name)) return name;
  if (r.manBits > w.manBits) throw new Error(`adder: result ${r.name} is more precise than operands ${w.name}`);
  const P = w.manBits + 1, EB = w.expBits;
  const SW = P + 3; // significand with guard, round, sticky
  const round = roundModule(set, SW + 1, r, saturate);
  const text = `// ${w.name} + ${w.name}: exact sum rounded once into ${r.name}${saturate ? ' (saturating)' : ''}.
module ${name} (
  input wire [${w.bits - 1}:0] x,
  input wire [${w.bits - 1}:0] y,
  output wire [${r.bits - 1}:0] z
);
${unpackLines(w, 'x', 'ux').join('\n')}
${unpackLines(w, 'y', 'uy').join('\n')}
  wire x_big = ux_mag >= uy_mag;
  wire bs = x_big ? ux_s : uy_s;
  wire ss = x_big ? uy_s : ux_s;
  wire [${P - 1}:0] bsig = x_big ? ux_sig : uy_sig;
  wire [${P - 1}:0] ssig = x_big ? uy_sig : ux_sig;
  wire [${EB - 1}:0] bef = x_big ? ux_efn : uy_efn;
  wire [${EB - 1}:0] sef = x_big ? uy_efn : ux_efn;
  wire [${EB - 1}:0] d = bef - sef;
  wire [${SW - 1}:0] bext = {bsig, 3'b000};
  wire [${SW - 1}:0] sext = {ssig, 3'b000};
  wire [${SW - 1}:0] sal = sext >> d;
  wire sticky = |(sext & ~({${SW}{1'b1}} << d));
  wire [${SW - 1}:0] sals = {sal[${SW - 1}:1], sal[0] | sticky};
  wire [${SW}:0] sum = (bs == ss) ? ({1'b0, bext} + {1'b0, sals}) : ({1'b0, bext} - {1'b0, sals});
  wire signed [${EW - 1}:0] e = $signed({${lit(EW - EB, 0)}, bef}) - ${slit(EW, w.bias + w.manBits + 3)};
  wire nan = ux_nan | uy_nan | (ux_inf & uy_inf & (ux_s != uy_s));
  wire inf = (ux_inf | uy_inf) & !nan;
  // sign: an infinity's, else the larger operand's; an exact zero sum is -0 only for -0 + -0
  wire s = inf ? (ux_inf ? ux_s : uy_s) : (sum == ${lit(SW + 1, 0)}) ? (ux_s & uy_s) : bs;
  ${round} r (.s(s), .m(sum), .e(e), .nan(nan), .inf(inf), .y(z));
endmodule
`;
  set.add({ name, text });
  return name;
}

/**
 * The smallest IEEE-style format holding every value of a and of b exactly: the adder's
 * working format when an accumulator adds a product of another format.
 */
export function commonFormat(a: FloatFormat, b: FloatFormat): FloatFormat {
  if (containedIn(b, a)) return a;
  if (containedIn(a, b)) return b;
  const man = Math.max(a.manBits, b.manBits);
  const minSub = Math.min(a.minSubnormal, b.minSubnormal);
  const max = Math.max(a.maxFinite, b.maxFinite);
  for (let eb = Math.max(a.expBits, b.expBits); eb <= 11; eb++) {
    for (let bias = 2 ** (eb - 1) - 1; bias < 2 ** eb; bias++) {
      const emin = 1 - bias;
      const maxF = (2 - 2 ** -man) * 2 ** (2 ** eb - 2 - bias);
      if (2 ** (emin - man) <= minSub && maxF >= max) {
        return floatFormat(`e${eb}m${man}b${bias}`, eb, man, { bias, description: `adder working format for ${a.name} + ${b.name}` });
      }
    }
  }
  throw new Error(`no working format for ${a.name} + ${b.name}`);
}

