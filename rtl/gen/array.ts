/**
 * The systolic array in RTL: PE cells, an R x C grid with skew registers, and a counter-based
 * controller that streams one GEMM (all folds, in bitweave's fold order) from operand
 * memories and writes outputs and partial sums to an output memory.
 *
 * Timing is that of bitweave's per-cycle reference engine (sim/array/reference-engine.ts):
 * - os: A[m][k] is in PE(r, c) during cycle k + r + c of its fold, B[k][n] likewise; a PE
 *   starts from zero at k = 0 and writes its output in the cycle of its K-th MAC;
 * - ws: R cycles of stationary preload (row j enters the top at cycle R-1-j and shifts down),
 *   then the stream: slot s of the streamed operand is in row r during cycle R + s + r + c,
 *   the partial sum of slot s enters column c at the top (zero, or the stored partial sum of
 *   the previous fold: accumulation `top`) and moves down one row per cycle; it is written
 *   in the cycle it leaves the bottom row;
 * - is: ws with the operands' roles swapped (the input is stationary, the weight streams):
 *   the same data movement, a relabelling; the PE still multiplies input x weight.
 * Operands carry valid bits (unused rows and columns of a fold, and the gaps of the skew):
 * a PE adds only when its operands are valid, so a partial sum passing an unused row keeps
 * its bits (-0 stays -0).
 * The feeder is one cycle ahead: during a cycle it presents what enters the registers at the
 * next clock edge, so the cycle counter names the cycle in which the registers hold a value.
 */
import { InputError } from '../../sim/errors.ts';
import { ACCUMULATE, type Accumulate, type Dataflow } from '../../sim/arch/schema.ts';
import { buildPeRtl, psumAdderModule, type PeRtl } from './pe.ts';
import { findTarget } from './catalogue.ts';
import { ident, lit } from './verilog.ts';

/**
 * Accumulation structure of ws/is. 'top': the stored partial sum of the previous row fold
 * enters at the top of the column and the column adds to it. 'below': every fold's column
 * sum starts at zero and an accumulator below the array adds it to the stored partial sum
 * (the first row fold writes its sum as it is), as TPU-style weight-stationary arrays do.
 */
// the accumulation structure is the arch's (sim/arch/schema.ts); the RTL models both
export { ACCUMULATE, type Accumulate };

export interface ArrayRtlRequest {
  readonly pe: string;
  readonly dataflow: Dataflow;
  readonly rows: number;
  readonly cols: number;
  readonly accumulate?: Accumulate;
  /** entries of each operand / output memory (addresses are 16 bits) */
  readonly depth?: number;
}

export interface ArrayRtl {
  readonly pe: PeRtl;
  readonly dataflow: Dataflow;
  readonly accumulate: Accumulate;
  readonly rows: number;
  readonly cols: number;
  readonly depth: number;
  /** Verilog of every module (PE arithmetic, cell, array, controller) */
  readonly verilog: string;
  /** names of the cell, array and top (controller + memories) modules */
  readonly cell: string;
  readonly array: string;
  readonly top: string;
  /** output ports of the top: R*C (os) or C (ws, is) */
  readonly outputs: number;
  readonly widths: { readonly a: number; readonly b: number; readonly psum: number; readonly addr: number };
}

export const ADDR_BITS = 16;

/** Whether a design can be the PE of the array: not a W-bit popcount unit, no separate internal accumulator. */
export function arrayCapable(pe: PeRtl): boolean {
  return findTarget(pe.key).popcountWidth === undefined && pe.accWiden === undefined && pe.accNarrow === undefined;
}

export function buildArrayRtl(req: ArrayRtlRequest): ArrayRtl {
  const { rows: R, cols: C, dataflow } = req;
  if (!Number.isInteger(R) || !Number.isInteger(C) || R < 1 || C < 1 || R > 64 || C > 64) {
    throw new InputError(`array RTL: rows and cols must be integers in 1..64, got ${R}x${C}`);
  }
  const accumulate = req.accumulate ?? 'top';
  if (!ACCUMULATE.includes(accumulate)) throw new InputError(`array RTL: accumulate must be one of ${ACCUMULATE.join(', ')}, got '${accumulate}'`);
  if (accumulate === 'below' && dataflow === 'os') throw new InputError(`array RTL: accumulate 'below' applies to ws and is (os keeps its sums in the PEs)`);
  const depth = req.depth ?? 4096;
  if (!Number.isInteger(depth) || depth < 1 || depth > 2 ** ADDR_BITS) throw new InputError(`array RTL: depth must be in 1..65536`);
  const target = findTarget(req.pe);
  if (target.popcountWidth !== undefined) throw new InputError(`array RTL: ${req.pe} is a W-bit popcount unit, not a PE of the array (use xnor)`);
  const pe = buildPeRtl(target);
  if (!arrayCapable(pe)) throw new InputError(`array RTL: ${req.pe} has a separate internal accumulator; not supported in the array`);
  const id = `${ident(pe.key)}_${dataflow}`;
  const cell = dataflow === 'os' ? osCell(pe, `bw_${id}_cell`) : streamCell(pe, dataflow === 'is', `bw_${id}_cell`);
  const array = dataflow === 'os' ? osArray(pe, cell, `bw_${id}_array`, R, C) : streamArray(pe, dataflow === 'is', cell, `bw_${id}_array`, R, C);
  const top = `bw_${id}${accumulate === 'below' ? '_below' : ''}_gemm`;
  const ctl = dataflow === 'os' ? osTop(pe, array, top, R, C, depth) : streamTop(pe, dataflow === 'is', array, top, R, C, depth, accumulate);
  pe.modules.add({ name: cell.name, text: cell.text });
  pe.modules.add({ name: array.name, text: array.text });
  pe.modules.add({ name: top, text: ctl });
  return {
    pe, dataflow, accumulate, rows: R, cols: C, depth, verilog: pe.modules.text(), cell: cell.name, array: array.name, top,
    outputs: dataflow === 'os' ? R * C : C,
    widths: { a: pe.widths.a, b: pe.widths.b, psum: pe.widths.psum, addr: ADDR_BITS },
  };
}

interface Text { readonly name: string; readonly text: string }

function target(pe: PeRtl) {
  return findTarget(pe.key);
}

/** The A-side bus a row carries: the operand, or its EN-T encoding. */
function aBus(pe: PeRtl): number {
  return pe.encoder ? pe.widths.ad : pe.widths.a;
}

function mulInst(pe: PeRtl, a: string, b: string, p: string): string {
  return pe.encoder ? `${pe.mul} mul (.ad(${a}), .b(${b}), .p(${p}));` : `${pe.mul} mul (.a(${a}), .b(${b}), .p(${p}));`;
}

function zeroLit(pe: PeRtl): string {
  return lit(pe.widths.psum, pe.pe.accToBits(pe.pe.accZero));
}

/** os cell: A moves right, B moves down, the accumulator stays; first/last flags ride with A. */
function osCell(pe: PeRtl, name: string): Text {
  const AW = aBus(pe), BW = pe.widths.b, PW = pe.widths.p, S = pe.widths.psum;
  return {
    name,
    text: `// Output-stationary PE of ${pe.key}: registers for A (with valid, first, last), B (with valid)
// and the accumulator. The MAC happens when both operands are valid; the output is the
// accumulator after the K-th MAC, in the cycle of that MAC.
module ${name} (
  input wire clk,
  input wire [${AW - 1}:0] a_in, input wire a_vin, input wire a_fin, input wire a_lin,
  input wire [${BW - 1}:0] b_in, input wire b_vin,
  output reg [${AW - 1}:0] a, output reg a_v, output reg a_f, output reg a_l,
  output reg [${BW - 1}:0] b, output reg b_v,
  output wire out_v,
  output wire [${S - 1}:0] out_d
);
  /*verilator no_inline_module*/  // one C++ class for every cell: fast Verilator builds
  reg [${S - 1}:0] acc;
  wire [${PW - 1}:0] p;
  wire [${S - 1}:0] acc_next;
  ${mulInst(pe, 'a', 'b', 'p')}
  ${pe.acc} add (.acc_in(a_f ? ${zeroLit(pe)} : acc), .p(p), .acc_out(acc_next));
  wire mac = a_v & b_v;
  assign out_v = mac & a_l;
  assign out_d = acc_next;
  initial begin a = 0; a_v = 0; a_f = 0; a_l = 0; b = 0; b_v = 0; acc = 0; end
  always @(posedge clk) begin
    a <= a_in; a_v <= a_vin; a_f <= a_fin; a_l <= a_lin;
    b <= b_in; b_v <= b_vin;
    if (mac) acc <= acc_next;
  end
endmodule
`,
  };
}

/**
 * ws/is cell: the streamed operand moves right, the stationary one shifts down during the
 * preload and then holds, the partial sum moves down. ws streams A (stationary B); is streams
 * B (stationary A).
 */
function streamCell(pe: PeRtl, isFlow: boolean, name: string): Text {
  const AW = aBus(pe), BW = pe.widths.b, PW = pe.widths.p, S = pe.widths.psum;
  const XW = isFlow ? BW : AW, WW = isFlow ? AW : BW;
  const mul = isFlow ? mulInst(pe, 'w', 'x', 'p') : mulInst(pe, 'x', 'w', 'p');
  return {
    name,
    text: `// ${isFlow ? 'Input' : 'Weight'}-stationary PE of ${pe.key}: the streamed ${isFlow ? 'weight' : 'input'} x (with valid) moves right,
// the stationary ${isFlow ? 'input' : 'weight'} w shifts down while w_ld and then holds, the partial sum moves
// down: p_next = (x and the partial sum valid) ? p_in + ${isFlow ? 'w' : 'x'} * ${isFlow ? 'x' : 'w'} : p_in.
module ${name} (
  input wire clk,
  input wire [${XW - 1}:0] x_in, input wire x_vin,
  input wire [${WW - 1}:0] w_in, input wire w_ld,
  input wire [${S - 1}:0] p_in, input wire p_vin,
  output reg [${XW - 1}:0] x, output reg x_v,
  output reg [${WW - 1}:0] w,
  output reg [${S - 1}:0] p_q, output reg p_vq,
  output wire [${S - 1}:0] p_next
);
  /*verilator no_inline_module*/  // one C++ class for every cell: fast Verilator builds
  wire [${PW - 1}:0] p;
  wire [${S - 1}:0] sum;
  ${mul}
  ${pe.acc} add (.acc_in(p_in), .p(p), .acc_out(sum));
  assign p_next = (x_v & p_vin) ? sum : p_in;
  initial begin x = 0; x_v = 0; w = 0; p_q = 0; p_vq = 0; end
  always @(posedge clk) begin
    x <= x_in; x_v <= x_vin;
    if (w_ld) w <= w_in;
    p_q <= p_next; p_vq <= p_vin;
  end
endmodule
`,
  };
}

/** A chain of `depth` registers (width w) named `${p}_${i}`; returns lines and the output. */
function chain(prefix: string, w: number, depth: number, input: string): { lines: string[]; out: string } {
  const lines: string[] = [];
  let prev = input;
  for (let i = 0; i < depth; i++) {
    lines.push(`  reg [${w - 1}:0] ${prefix}_${i} = 0;`, `  always @(posedge clk) ${prefix}_${i} <= ${prev};`);
    prev = `${prefix}_${i}`;
  }
  return { lines, out: prev };
}

function slice(bus: string, i: number, w: number): string {
  return `${bus}[${(i + 1) * w - 1}:${i * w}]`;
}

function osArray(pe: PeRtl, cell: Text, name: string, R: number, C: number): Text {
  const AW = aBus(pe), BW = pe.widths.b, S = pe.widths.psum;
  const lines: string[] = [];
  // row r: skew of r registers on {flags, A}; the EN-T encoder (if any) at the row's left edge
  for (let r = 0; r < R; r++) {
    const src = `{a_l[${r}], a_f[${r}], a_v[${r}], ${slice('a_in', r, pe.widths.a)}}`;
    const ch = chain(`sa${r}`, pe.widths.a + 3, r, src);
    lines.push(...ch.lines, `  wire [${pe.widths.a + 2}:0] ea${r} = ${ch.out};`);
    if (pe.encoder) lines.push(`  wire [${AW - 1}:0] ead${r};`, `  ${pe.encoder} enc${r} (.x(ea${r}[${pe.widths.a - 1}:0]), .d(ead${r}));`);
    else lines.push(`  wire [${AW - 1}:0] ead${r} = ea${r}[${pe.widths.a - 1}:0];`);
  }
  for (let c = 0; c < C; c++) {
    const ch = chain(`sb${c}`, BW + 1, c, `{b_v[${c}], ${slice('b_in', c, BW)}}`);
    lines.push(...ch.lines, `  wire [${BW}:0] eb${c} = ${ch.out};`);
  }
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const i = r * C + c;
      const left = c === 0 ? { a: `ead${r}`, v: `ea${r}[${pe.widths.a}]`, f: `ea${r}[${pe.widths.a + 1}]`, l: `ea${r}[${pe.widths.a + 2}]` }
        : { a: `a${r}_${c - 1}`, v: `av${r}_${c - 1}`, f: `af${r}_${c - 1}`, l: `al${r}_${c - 1}` };
      const up = r === 0 ? { b: `eb${c}[${BW - 1}:0]`, v: `eb${c}[${BW}]` } : { b: `b${r - 1}_${c}`, v: `bv${r - 1}_${c}` };
      lines.push(
        `  wire [${AW - 1}:0] a${r}_${c}; wire av${r}_${c}, af${r}_${c}, al${r}_${c};`,
        `  wire [${BW - 1}:0] b${r}_${c}; wire bv${r}_${c};`,
        `  ${cell.name} pe${r}_${c} (.clk(clk), .a_in(${left.a}), .a_vin(${left.v}), .a_fin(${left.f}), .a_lin(${left.l}),`,
        `    .b_in(${up.b}), .b_vin(${up.v}), .a(a${r}_${c}), .a_v(av${r}_${c}), .a_f(af${r}_${c}), .a_l(al${r}_${c}),`,
        `    .b(b${r}_${c}), .b_v(bv${r}_${c}), .out_v(out_v[${i}]), .out_d(${slice('out_d', i, S)}));`,
      );
    }
  }
  return {
    name,
    text: `// ${R}x${C} output-stationary array of ${pe.key}: A enters each row (skewed by r registers),
// B each column (skewed by c); PE(r, c) writes out_v/out_d[r*${C}+c].
module ${name} (
  input wire clk,
  input wire [${R * pe.widths.a - 1}:0] a_in, input wire [${R - 1}:0] a_v, input wire [${R - 1}:0] a_f, input wire [${R - 1}:0] a_l,
  input wire [${C * BW - 1}:0] b_in, input wire [${C - 1}:0] b_v,
  output wire [${R * C - 1}:0] out_v,
  output wire [${R * C * S - 1}:0] out_d
);
${lines.join('\n')}
endmodule
`,
  };
}

function streamArray(pe: PeRtl, isFlow: boolean, cell: Text, name: string, R: number, C: number): Text {
  const A = pe.widths.a, B = pe.widths.b, AW = aBus(pe), S = pe.widths.psum;
  // the raw operand widths at the edges, and the buses inside (EN-T encodes A at the edge)
  const xRaw = isFlow ? B : A, wRaw = isFlow ? A : B;
  const XW = isFlow ? B : AW, WW = isFlow ? AW : B;
  const encX = !isFlow && pe.encoder, encW = isFlow && pe.encoder;
  const lines: string[] = [];
  for (let r = 0; r < R; r++) {
    const ch = chain(`sx${r}`, xRaw + 1, r, `{x_v[${r}], ${slice('x_in', r, xRaw)}}`);
    lines.push(...ch.lines, `  wire [${xRaw}:0] ex${r} = ${ch.out};`);
    if (encX) lines.push(`  wire [${XW - 1}:0] exd${r};`, `  ${pe.encoder} encx${r} (.x(ex${r}[${xRaw - 1}:0]), .d(exd${r}));`);
    else lines.push(`  wire [${XW - 1}:0] exd${r} = ex${r}[${xRaw - 1}:0];`);
  }
  for (let c = 0; c < C; c++) {
    // partial sums: c skew registers plus the column's top register
    const ch = chain(`sp${c}`, S + 1, c + 1, `{p_v[${c}], ${slice('p_in', c, S)}}`);
    lines.push(...ch.lines, `  wire [${S}:0] ep${c} = ${ch.out};`);
    if (encW) lines.push(`  wire [${WW - 1}:0] ewd${c};`, `  ${pe.encoder} encw${c} (.x(${slice('w_in', c, wRaw)}), .d(ewd${c}));`);
    else lines.push(`  wire [${WW - 1}:0] ewd${c} = ${slice('w_in', c, wRaw)};`);
  }
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const left = c === 0 ? { x: `exd${r}`, v: `ex${r}[${xRaw}]` } : { x: `x${r}_${c - 1}`, v: `xv${r}_${c - 1}` };
      const up = r === 0 ? { w: `ewd${c}`, p: `ep${c}[${S - 1}:0]`, v: `ep${c}[${S}]` } : { w: `w${r - 1}_${c}`, p: `p${r - 1}_${c}`, v: `pv${r - 1}_${c}` };
      lines.push(
        `  wire [${XW - 1}:0] x${r}_${c}; wire xv${r}_${c};`,
        `  wire [${WW - 1}:0] w${r}_${c};`,
        `  wire [${S - 1}:0] p${r}_${c}; wire pv${r}_${c};`,
        `  wire [${S - 1}:0] pn${r}_${c};`,
        `  ${cell.name} pe${r}_${c} (.clk(clk), .x_in(${left.x}), .x_vin(${left.v}), .w_in(${up.w}), .w_ld(w_ld),`,
        `    .p_in(${up.p}), .p_vin(${up.v}), .x(x${r}_${c}), .x_v(xv${r}_${c}), .w(w${r}_${c}),`,
        `    .p_q(p${r}_${c}), .p_vq(pv${r}_${c}), .p_next(pn${r}_${c}));`,
      );
    }
  }
  for (let c = 0; c < C; c++) {
    const above = R === 1 ? `ep${c}[${S}]` : `pv${R - 2}_${c}`;
    lines.push(`  assign out_v[${c}] = ${above};`, `  assign ${slice('out_d', c, S)} = pn${R - 1}_${c};`);
  }
  return {
    name,
    text: `// ${R}x${C} ${isFlow ? 'input' : 'weight'}-stationary array of ${pe.key}: the streamed operand enters each row
// (skewed by r registers), the stationary one is shifted in at the top while w_ld, partial sums
// enter each column's top (skewed by c, plus one register) and leave the bottom row: out_v/out_d[c].
module ${name} (
  input wire clk,
  input wire [${R * xRaw - 1}:0] x_in, input wire [${R - 1}:0] x_v,
  input wire [${C * wRaw - 1}:0] w_in, input wire w_ld,
  input wire [${C * S - 1}:0] p_in, input wire [${C - 1}:0] p_v,
  output wire [${C - 1}:0] out_v,
  output wire [${C * S - 1}:0] out_d
);
${lines.join('\n')}
endmodule
`,
  };
}

/** Shared controller text: memories, load port, fold counters, cycle counter. */
function topHeader(pe: PeRtl, name: string, nOut: number, depth: number, what: string): string {
  const S = pe.widths.psum, AB = ADDR_BITS;
  return `// ${what}
// Load A (M x K, row-major) and B (K x N) through the load port, pulse start; the controller
// runs every fold (column folds outside, row folds inside) and writes each output or partial
// sum into the output memory, shown on out_we/out_addr/out_d with the cycle it is written in.
module ${name} (
  input wire clk,
  input wire start,
  input wire [15:0] m, input wire [15:0] n, input wire [15:0] k,
  input wire ld_we, input wire ld_sel, input wire [${AB - 1}:0] ld_addr, input wire [${Math.max(pe.widths.a, pe.widths.b) - 1}:0] ld_d,
  input wire [${AB - 1}:0] rd_addr, output wire [${S - 1}:0] rd_d,
  output reg busy, output reg done,
  output reg [31:0] cycle,
  output wire [${nOut - 1}:0] out_we,
  output wire [${nOut * AB - 1}:0] out_addr,
  output wire [${nOut * S - 1}:0] out_d
);
  reg [${pe.widths.a - 1}:0] amem [0:${depth - 1}];
  reg [${pe.widths.b - 1}:0] bmem [0:${depth - 1}];
  reg [${S - 1}:0] omem [0:${depth - 1}];
  assign rd_d = omem[rd_addr];
  always @(posedge clk) if (ld_we) begin
    if (ld_sel) bmem[ld_addr] <= ld_d[${pe.widths.b - 1}:0]; else amem[ld_addr] <= ld_d[${pe.widths.a - 1}:0];
  end
`;
}

/**
 * Fold counters shared by both controllers: the feed pointer (fr, fc, t) names what enters
 * the registers at the next edge; (cfr, cfc, ct) is the cycle the registers are in now.
 */
function foldCounters(R: number, C: number, spatialRows: string, spatialCols: string, foldLen: string): string {
  return `  // folds: rows of the array over ${spatialRows}, columns over ${spatialCols}
  wire [15:0] row_folds = (${spatialRows} + 16'd${R - 1}) / 16'd${R};
  wire [15:0] col_folds = (${spatialCols} + 16'd${C - 1}) / 16'd${C};
  wire [31:0] flen = ${foldLen};
  reg feeding = 0;
  reg [15:0] fr = 0, fc = 0;
  reg [31:0] t = 0;
  reg [15:0] cfr = 0, cfc = 0;
  reg [31:0] ct = 0;
  reg computing = 0;
  wire last_t = (t == flen - 32'd1);
  wire last_fold = (fr == row_folds - 16'd1) && (fc == col_folds - 16'd1);
  initial begin busy = 0; done = 0; cycle = 0; end
  always @(posedge clk) begin
    if (start && !busy) begin
      busy <= 1; done <= 0; feeding <= 1; computing <= 0;
      fr <= 0; fc <= 0; t <= 0;
    end else if (busy) begin
      computing <= feeding;
      cycle <= computing ? cycle + 32'd1 : 32'd0;
      cfr <= fr; cfc <= fc; ct <= t;
      if (feeding) begin
        if (!last_t) t <= t + 32'd1;
        else begin
          t <= 0;
          if (last_fold) feeding <= 0;
          else if (fr == row_folds - 16'd1) begin fr <= 0; fc <= fc + 16'd1; end
          else fr <= fr + 16'd1;
        end
      end else if (computing) begin
        busy <= 0; done <= 1;
      end
    end
  end
`;
}

function osTop(pe: PeRtl, array: Text, name: string, R: number, C: number, depth: number): string {
  const A = pe.widths.a, B = pe.widths.b, S = pe.widths.psum, AB = ADDR_BITS;
  const lines: string[] = [topHeader(pe, name, R * C, depth, `GEMM on the ${R}x${C} output-stationary array of ${pe.key}.`)];
  lines.push(foldCounters(R, C, 'm', 'n', `{16'd0, k} + 32'd${R + C - 2}`));
  lines.push(`  wire [15:0] m0 = fr * 16'd${R}, n0 = fc * 16'd${C};`);
  lines.push(`  wire [15:0] cm0 = cfr * 16'd${R}, cn0 = cfc * 16'd${C};`);
  lines.push(`  wire slot_ok = feeding && (t < {16'd0, k});`);
  const aIn: string[] = [], aV: string[] = [], aF: string[] = [], aL: string[] = [], bIn: string[] = [], bV: string[] = [];
  for (let r = R - 1; r >= 0; r--) {
    lines.push(`  wire av${r} = slot_ok && (m0 + 16'd${r} < m);`, `  wire [${AB - 1}:0] aad${r} = (m0 + 16'd${r}) * k + t[15:0];`);
    aIn.push(`(av${r} ? amem[aad${r}] : ${lit(A, 0)})`);
    aV.push(`av${r}`);
    aF.push(`(t == 32'd0)`);
    aL.push(`(t == {16'd0, k} - 32'd1)`);
  }
  for (let c = C - 1; c >= 0; c--) {
    lines.push(`  wire bv${c} = slot_ok && (n0 + 16'd${c} < n);`, `  wire [${AB - 1}:0] bad${c} = t[15:0] * n + n0 + 16'd${c};`);
    bIn.push(`(bv${c} ? bmem[bad${c}] : ${lit(B, 0)})`);
    bV.push(`bv${c}`);
  }
  lines.push(
    `  wire [${R * C - 1}:0] ov;`,
    `  ${array.name} arr (.clk(clk), .a_in({${aIn.join(', ')}}), .a_v({${aV.join(', ')}}), .a_f({${aF.join(', ')}}), .a_l({${aL.join(', ')}}),`,
    `    .b_in({${bIn.join(', ')}}), .b_v({${bV.join(', ')}}), .out_v(ov), .out_d(out_d));`,
    `  assign out_we = computing ? ov : ${lit(R * C, 0)};`,
  );
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const i = r * C + c;
      lines.push(`  assign ${slice('out_addr', i, AB)} = (cm0 + 16'd${r}) * n + cn0 + 16'd${c};`);
    }
  }
  lines.push(`  integer i;`, `  always @(posedge clk) for (i = 0; i < ${R * C}; i = i + 1) if (out_we[i]) omem[out_addr[i * ${AB} +: ${AB}]] <= out_d[i * ${S} +: ${S}];`);
  lines.push('endmodule', '');
  return lines.join('\n');
}

function streamTop(pe: PeRtl, isFlow: boolean, array: Text, name: string, R: number, C: number, depth: number, accumulate: Accumulate): string {
  const below = accumulate === 'below';
  const accBelow = below ? psumAdderModule(pe, target(pe).options?.accSaturate ?? false) : '';
  const A = pe.widths.a, B = pe.widths.b, S = pe.widths.psum, AB = ADDR_BITS;
  const xRaw = isFlow ? B : A, wRaw = isFlow ? A : B;
  const df = isFlow ? 'is' : 'ws';
  const lines: string[] = [topHeader(pe, name, C, depth, `GEMM on the ${R}x${C} ${isFlow ? 'input' : 'weight'}-stationary array of ${pe.key} (accumulation: ${accumulate}).`)];
  // ws: rows over K, columns over N, time M; is: rows over K, columns over M, time N
  const cols = isFlow ? 'm' : 'n', T = isFlow ? 'n' : 'm';
  lines.push(foldCounters(R, C, 'k', cols, `{16'd0, ${T}} + 32'd${2 * R + C - 2}`));
  lines.push(
    `  wire [15:0] k0 = fr * 16'd${R}, c0 = fc * 16'd${C};`,
    `  wire [15:0] cc0 = cfc * 16'd${C};`,
    `  wire pre = feeding && (t < 32'd${R});`,
    `  wire [31:0] s = t - 32'd${R};  // stream slot being fed`,
    `  wire slot_ok = feeding && !pre && (s < {16'd0, ${T}});`,
    `  wire [15:0] j = 16'd${R - 1} - t[15:0];  // stationary row being fed during the preload`,
  );
  const xIn: string[] = [], xV: string[] = [], wIn: string[] = [], pIn: string[] = [], pV: string[] = [];
  for (let r = R - 1; r >= 0; r--) {
    lines.push(`  wire xv${r} = slot_ok && (k0 + 16'd${r} < k);`);
    const addr = isFlow ? `(k0 + 16'd${r}) * n + s[15:0]` : `s[15:0] * k + k0 + 16'd${r}`;
    lines.push(`  wire [${AB - 1}:0] xad${r} = ${addr};`);
    xIn.push(`(xv${r} ? ${isFlow ? 'bmem' : 'amem'}[xad${r}] : ${lit(xRaw, 0)})`);
    xV.push(`xv${r}`);
  }
  for (let c = C - 1; c >= 0; c--) {
    lines.push(`  wire wv${c} = pre && (k0 + j < k) && (c0 + 16'd${c} < ${cols});`);
    const waddr = isFlow ? `(c0 + 16'd${c}) * k + k0 + j` : `(k0 + j) * n + c0 + 16'd${c}`;
    lines.push(`  wire [${AB - 1}:0] wad${c} = ${waddr};`);
    wIn.push(`(wv${c} ? ${isFlow ? 'amem' : 'bmem'}[wad${c}] : ${lit(wRaw, 0)})`);
    lines.push(`  wire pv${c} = slot_ok && (c0 + 16'd${c} < ${cols});`);
    const oaddr = isFlow ? `(c0 + 16'd${c}) * n + s[15:0]` : `s[15:0] * n + c0 + 16'd${c}`;
    lines.push(`  wire [${AB - 1}:0] pad${c} = ${oaddr};`);
    // accumulation 'top': the first row fold starts from zero, later ones from the stored
    // partial sum; 'below': every fold's column sum starts from zero
    pIn.push(below ? zeroLit(pe) : `(pv${c} && fr != 16'd0 ? omem[pad${c}] : ${zeroLit(pe)})`);
    pV.push(`pv${c}`);
  }
  lines.push(
    `  wire [${C - 1}:0] ov;`,
    `  wire [${C * S - 1}:0] col_d;`,
    `  ${array.name} arr (.clk(clk), .x_in({${xIn.join(', ')}}), .x_v({${xV.join(', ')}}), .w_in({${wIn.join(', ')}}), .w_ld(pre),`,
    `    .p_in({${pIn.join(', ')}}), .p_v({${pV.join(', ')}}), .out_v(ov), .out_d(col_d));`,
    `  assign out_we = computing ? ov : ${lit(C, 0)};`,
    `  // the slot leaving column c's bottom row now: stream cycle - c - (R - 1)`,
    `  wire [31:0] cs = ct - 32'd${2 * R - 1};`,
  );
  for (let c = 0; c < C; c++) {
    const slot = `(cs[15:0] - 16'd${c})`;
    const oaddr = isFlow ? `(cc0 + 16'd${c}) * n + ${slot}` : `${slot} * n + cc0 + 16'd${c}`;
    lines.push(`  assign ${slice('out_addr', c, AB)} = ${oaddr};`);
    if (!below) {
      lines.push(`  assign ${slice('out_d', c, S)} = ${slice('col_d', c, S)};`);
    } else {
      // the accumulator below column c: the first row fold writes its sum, later ones add
      lines.push(
        `  wire [${S - 1}:0] stored${c} = omem[${slice('out_addr', c, AB)}];`,
        `  wire [${S - 1}:0] summed${c};`,
        `  ${accBelow} below${c} (.acc_in(stored${c}), .p(${slice('col_d', c, S)}), .acc_out(summed${c}));`,
        `  assign ${slice('out_d', c, S)} = (cfr == 16'd0) ? ${slice('col_d', c, S)} : summed${c};`,
      );
    }
  }
  lines.push(`  integer i;`, `  always @(posedge clk) for (i = 0; i < ${C}; i = i + 1) if (out_we[i]) omem[out_addr[i * ${AB} +: ${AB}]] <= out_d[i * ${S} +: ${S}];`);
  lines.push(`  // ${df}`, 'endmodule', '');
  return lines.join('\n');
}
