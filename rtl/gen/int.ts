/**
 * Integer building blocks: the plain array multiplier (int8, int4), ternary add/subtract/skip,
 * the 1-bit XNOR multiplier and a W-bit XNOR-popcount unit, the radix-4 Booth row encoder and
 * the Booth-digit PE of EN-T (sim/pe/booth.ts), and integer accumulators that wrap or saturate
 * (sim/pe/accumulator.ts).
 */
import { ModuleSet, bitsFor, lit, slit } from './verilog.ts';

/** Signed a x b, sign-extended to `out` bits. */
export function intMulModule(set: ModuleSet, aBits: number, bBits: number, out: number, name: string): string {
  const text = `// int${aBits} x int${bBits} -> int${out}: array multiplier of two's-complement operands.
module ${name} (
  input wire [${aBits - 1}:0] a,
  input wire [${bBits - 1}:0] b,
  output wire [${out - 1}:0] p
);
  wire signed [${out - 1}:0] sp = $signed(a) * $signed(b);
  assign p = sp;
endmodule
`;
  set.add({ name, text });
  return name;
}

/** int a x ternary w (00 = 0, 01 = +1, 11 = -1; 10 unused, read as 0): add, subtract or skip. */
export function ternaryMulModule(set: ModuleSet, aBits: number, out: number, name: string): string {
  const text = `// int${aBits} x ternary -> int${out}: w = 01 passes a, 11 negates it, 00 (and the unused 10) gives 0.
module ${name} (
  input wire [${aBits - 1}:0] a,
  input wire [1:0] b,
  output wire [${out - 1}:0] p
);
  wire signed [${out - 1}:0] ax = $signed(a);
  assign p = b[0] ? (b[1] ? -ax : ax) : ${lit(out, 0)};
endmodule
`;
  set.add({ name, text });
  return name;
}

/** Binary x binary (0 = +1, 1 = -1): the product is -1 exactly when the bits differ. */
export function xnorMulModule(set: ModuleSet, name: string): string {
  const text = `// binary x binary (Larq convention: 0 = +1, 1 = -1): product bit = a xor b (1 means -1).
module ${name} (
  input wire a,
  input wire b,
  output wire p
);
  assign p = a ^ b;
endmodule
`;
  set.add({ name, text });
  return name;
}

/** Adder tree over `terms` (Verilog expressions of width w, signed): lines and the root wire. */
function adderTree(prefix: string, terms: string[], w: number, signed: boolean): { lines: string[]; root: string } {
  const lines: string[] = [];
  let level = terms;
  let depth = 0;
  const decl = signed ? `wire signed [${w - 1}:0]` : `wire [${w - 1}:0]`;
  if (level.length === 1) {
    lines.push(`  ${decl} ${prefix}_root = ${level[0]};`);
    return { lines, root: `${prefix}_root` };
  }
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const nm = `${prefix}_l${depth}_${i >> 1}`;
      lines.push(`  ${decl} ${nm} = ${i + 1 < level.length ? `${level[i]} + ${level[i + 1]}` : level[i]};`);
      next.push(nm);
    }
    level = next;
    depth++;
  }
  return { lines, root: level[0] };
}

/** W-bit XNOR-popcount: dot = W - 2 * popcount(a xor b), as sim/pe/xnor.ts xnorDot. */
export function xnorPopcountModule(set: ModuleSet, w: number, name: string): string {
  const cw = bitsFor(w); // popcount width
  const ow = cw + 1; // signed dot width: -W..W
  const tree = adderTree('pc', Array.from({ length: w }, (_, i) => `{${lit(cw - 1, 0)}, d[${i}]}`), cw, false);
  const text = `// ${w}-bit XNOR-popcount: dot = ${w} - 2 * popcount(a xor b) (bit 0 = +1, bit 1 = -1).
module ${name} (
  input wire [${w - 1}:0] a,
  input wire [${w - 1}:0] b,
  output wire [${ow - 1}:0] p
);
  wire [${w - 1}:0] d = a ^ b;
${tree.lines.join('\n')}
  assign p = ${lit(ow, w)} - {${tree.root}, 1'b0};
endmodule
`;
  set.add({ name, text });
  return name;
}

export function boothDigits(width: number): number {
  return Math.ceil(width / 2);
}

/**
 * Radix-4 Booth row encoder for a w-bit two's-complement operand: digit i from bits
 * (x[2i+1], x[2i], x[2i-1]), x[-1] = 0, sign-extended beyond w; three control bits per digit
 * (bit 0 one, bit 1 two, bit 2 neg), digit i in bits 3i..3i+2.
 */
export function boothEncoderModule(set: ModuleSet, w: number): string {
  const name = `bw_booth_enc_w${w}`;
  if (set.has(name)) return name;
  const D = boothDigits(w);
  const bit = (i: number) => (i < 0 ? `1'b0` : `x[${Math.min(i, w - 1)}]`);
  const lines: string[] = [];
  for (let i = 0; i < D; i++) {
    const b1 = bit(2 * i + 1), b0 = bit(2 * i), pr = bit(2 * i - 1);
    lines.push(
      `  assign d[${3 * i}] = ${b0} ^ ${pr};  // one`,
      `  assign d[${3 * i + 1}] = (${b1} & ~${b0} & ~${pr}) | (~${b1} & ${b0} & ${pr});  // two`,
      `  assign d[${3 * i + 2}] = ${b1} & ~(${b0} & ${pr});  // neg`,
    );
  }
  const text = `// Radix-4 modified Booth encoder (EN-T's per-row encoder), ${w}-bit signed operand, ${D} digits.
module ${name} (
  input wire [${w - 1}:0] x,
  output wire [${3 * D - 1}:0] d
);
${lines.join('\n')}
endmodule
`;
  set.add({ name, text });
  return name;
}

/**
 * The EN-T PE datapath: partial products +-y / +-2y / 0 selected by each digit, weighted by
 * 4^i, summed by an adder tree. y is a `yBits` two's-complement operand (or unsigned, widened
 * by one zero bit). Output: the exact product, `xBits + yBits(+1)` bits.
 */
export function boothPeModule(set: ModuleSet, xBits: number, yBits: number, ySigned: boolean): string {
  const name = `bw_booth_pe_w${xBits}_y${yBits}${ySigned ? 's' : 'u'}`;
  if (set.has(name)) return name;
  const D = boothDigits(xBits);
  const yw = ySigned ? yBits : yBits + 1;
  const out = 2 * D + yw;
  const lines: string[] = [
    `  wire signed [${out - 1}:0] yx = $signed(${ySigned ? 'y' : `{1'b0, y}`});`,
  ];
  const terms: string[] = [];
  for (let i = 0; i < D; i++) {
    lines.push(
      `  wire signed [${out - 1}:0] sel${i} = d[${3 * i + 1}] ? (yx <<< 1) : d[${3 * i}] ? yx : ${slit(out, 0)};`,
      `  wire signed [${out - 1}:0] pp${i} = (d[${3 * i + 2}] ? -sel${i} : sel${i}) <<< ${2 * i};`,
    );
    terms.push(`pp${i}`);
  }
  const tree = adderTree('at', terms, out, true);
  const text = `// EN-T Booth-digit PE: ${D} digits select +-y, +-2y or 0 (y: ${yBits}-bit ${ySigned ? 'signed' : 'unsigned'}); adder tree of the partial products.
module ${name} (
  input wire [${3 * D - 1}:0] d,
  input wire [${yBits - 1}:0] y,
  output wire [${out - 1}:0] p
);
${lines.join('\n')}
${tree.lines.join('\n')}
  assign p = ${tree.root};
endmodule
`;
  set.add({ name, text });
  return name;
}

/** Width of a Booth PE's product. */
export function boothProductBits(xBits: number, yBits: number, ySigned: boolean): number {
  return 2 * boothDigits(xBits) + (ySigned ? yBits : yBits + 1);
}

/**
 * Integer accumulator: acc (w bits) + addend, wrapping at w bits, or saturating at the range.
 * The addend is a `pBits` two's-complement product, or (xnor) one bit meaning +1 (0) / -1 (1).
 */
export function intAccModule(set: ModuleSet, w: number, pBits: number, xnor: boolean, saturate: boolean): string {
  const name = `bw_acc_int${w}_${xnor ? 'pm1' : `p${pBits}`}${saturate ? '_sat' : ''}`;
  if (set.has(name)) return name;
  const sw = Math.max(w, xnor ? 2 : pBits) + 1;
  const addend = xnor ? `(p ? ${slit(sw, -1)} : ${slit(sw, 1)})` : `$signed(p)`;
  const body = saturate
    ? `  wire signed [${sw - 1}:0] sum = $signed(acc_in) + ${addend};
  assign acc_out = (sum > ${slit(sw, 2 ** (w - 1) - 1)}) ? ${lit(w, 2 ** (w - 1) - 1)}
                 : (sum < ${slit(sw, -(2 ** (w - 1)))}) ? ${lit(w, 2 ** (w - 1))}
                 : sum[${w - 1}:0];`
    : `  wire signed [${sw - 1}:0] sum = $signed(acc_in) + ${addend};
  assign acc_out = sum[${w - 1}:0];  // two's-complement wrap-around`;
  const text = `// int${w} accumulator: acc + ${xnor ? '(+1 or -1)' : `int${pBits} product`}, ${saturate ? 'saturating at the int range' : 'wrapping'}.
module ${name} (
  input wire [${w - 1}:0] acc_in,
  input wire [${xnor ? 0 : pBits - 1}:0] p,
  output wire [${w - 1}:0] acc_out
);
${body}
endmodule
`;
  set.add({ name, text });
  return name;
}

/** An integer state narrowed to a partial-sum format: wrap (low bits) or clamp. */
export function intNarrowModule(set: ModuleSet, from: number, to: number, saturate: boolean): string {
  const name = `bw_narrow_int${from}_to_int${to}${saturate ? '_sat' : ''}`;
  if (set.has(name)) return name;
  const body = saturate
    ? `  wire signed [${from - 1}:0] v = $signed(x);
  assign y = (v > ${slit(from, 2 ** (to - 1) - 1)}) ? ${lit(to, 2 ** (to - 1) - 1)}
           : (v < ${slit(from, -(2 ** (to - 1)))}) ? ${lit(to, 2 ** (to - 1))}
           : x[${to - 1}:0];`
    : `  assign y = x[${to - 1}:0];`;
  const text = `// int${from} -> int${to}: ${saturate ? 'clamped to the range' : 'low bits (wrap-around)'}.
module ${name} (
  input wire [${from - 1}:0] x,
  output wire [${to - 1}:0] y
);
${body}
endmodule
`;
  set.add({ name, text });
  return name;
}
